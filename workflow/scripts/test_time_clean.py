"""Snakemake script: correct-sample counts per model and MATH problem; the download's manifest, published."""

from pathlib import Path

from slothpipe.data.registry import load_registry
from slothpipe.io import read_json, write_json, write_parquet
from slothpipe.runner import run
from slothpipe.test_time.monkey_data import check_manifest, clean_counts


def main(snakemake):
    status = read_json(snakemake.input.status)
    files = dict(snakemake.params.files)
    check_manifest(Path(snakemake.input.raw), files, status["manifests"])
    counts = clean_counts(snakemake.input.raw, files, registry=load_registry(snakemake.input.registry))
    write_parquet(counts, snakemake.output.counts)
    manifest = {
        "source": status["source"],
        "kind": "hub",
        "repo_id": status["repo_id"],
        "files": status["manifests"],
    }
    write_json(manifest, snakemake.output.manifest)


run(main, snakemake)
