"""Snakemake script of rule `clean` (and `clean_corrected`): raw sources + registry -> dataset, unmatched."""

from slothpipe.data import build_dataset
from slothpipe.download import check_cached
from slothpipe.io import read_json, write_csv, write_parquet
from slothpipe.runner import run


def main(snakemake):
    inp = snakemake.input
    for manifest in inp.manifests:
        info = read_json(manifest)
        check_cached(getattr(inp, info["source"]), info)
    dataset, unmatched = build_dataset(
        inp.registry,
        {key: getattr(inp, key) for key in snakemake.params.sources},
        inp.humaneval,
        metadata=snakemake.params.metadata,
    )
    write_parquet(dataset, snakemake.output.dataset)
    write_csv(unmatched, snakemake.output.unmatched)


run(main, snakemake)
