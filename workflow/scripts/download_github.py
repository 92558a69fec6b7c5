"""Snakemake script: fetch one file of a GitHub repository at a pinned commit and write its manifest."""

from slothpipe.download import fetch_github_file
from slothpipe.io import write_json
from slothpipe.runner import run


def main(snakemake):
    spec = snakemake.params.spec
    manifest = fetch_github_file(
        source=snakemake.wildcards.source,
        repo=spec["repo"],
        commit=spec["commit"],
        path=spec["path"],
        sha256=spec["sha256"],
        dest=snakemake.output.raw,
        # not a parameter: the content (sha256) is; moving the mirror re-runs nothing
        mirror=snakemake.config["offline_mirror"],
    )
    write_json(manifest, snakemake.output.manifest)


run(main, snakemake)
