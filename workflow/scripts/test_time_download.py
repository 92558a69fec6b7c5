"""Snakemake script: fetch the test-time source's files, or record that the source cannot be reached."""

import logging

from slothpipe.io import write_json
from slothpipe.runner import run
from slothpipe.test_time.monkey_data import fetch_files


def main(snakemake):
    status = fetch_files(
        source=snakemake.params.source,
        spec=snakemake.params.spec,
        files=snakemake.params.files,
        dest_dir=snakemake.output.raw,
        # not a parameter: the content (sha256) is; moving the mirror re-runs nothing
        mirror=snakemake.config["offline_mirror"],
    )
    if not status["available"]:
        logging.getLogger(__name__).warning(
            "test_time: source not available, stage skipped: %s", status["reason"]
        )
    write_json(status, snakemake.output.status)


run(main, snakemake)
