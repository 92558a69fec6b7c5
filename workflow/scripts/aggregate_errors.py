"""Snakemake script: per-group mean errors of every fold, the data of every table and figure."""

from slothpipe.evaluation.aggregate import group_errors
from slothpipe.io import write_parquet
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    errors = pd.concat([pd.read_parquet(path) for path in snakemake.input.folds], ignore_index=True)
    write_parquet(group_errors(errors), snakemake.output.groups)


run(main, snakemake)
