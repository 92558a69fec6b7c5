"""Snakemake script: nested leave-one-family-out coverage of the forecast intervals, every method."""

from slothpipe.forecast.validation import validate
from slothpipe.io import write_csv
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    predictions = pd.read_parquet(snakemake.input.predictions)
    table = validate(predictions, n_boot=int(snakemake.params.n_boot), seed=int(snakemake.params.seed))
    write_csv(table, snakemake.output.csv)


run(main, snakemake)
