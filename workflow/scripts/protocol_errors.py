"""Snakemake script: the protocol refits' per-group errors, with their protocol (solver and seed)."""

from slothpipe.evaluation.protocol_tables import protocol_group_errors
from slothpipe.io import write_parquet
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    folds = [
        (label, pd.read_parquet(path))
        for label, path in zip(snakemake.params.labels, snakemake.input.folds, strict=True)
    ]
    write_parquet(protocol_group_errors(folds), snakemake.output.groups)


run(main, snakemake)
