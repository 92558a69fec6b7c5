"""Snakemake script: fetch one Hugging Face Hub dataset file and write its manifest."""

from slothpipe.download import fetch_hub_file
from slothpipe.io import write_json
from slothpipe.runner import run


def main(snakemake):
    spec = snakemake.params.spec
    manifest = fetch_hub_file(
        source=snakemake.wildcards.source,
        repo_id=spec["repo_id"],
        revision=spec["revision"],
        file_glob=spec["file_glob"],
        sha256=spec.get("sha256"),
        dest=snakemake.output.raw,
        # not a parameter: the content (sha256) is; moving the mirror re-runs nothing
        mirror=snakemake.config["offline_mirror"],
    )
    write_json(manifest, snakemake.output.manifest)


run(main, snakemake)
