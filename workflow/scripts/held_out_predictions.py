"""Snakemake script: every held-out prediction of the grid, with its signed residual (calibration data)."""

from slothpipe.forecast.held_out import held_out_predictions
from slothpipe.io import read_json, write_parquet
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    folds = (pd.read_parquet(path) for path in snakemake.input.folds)
    dataset = pd.read_parquet(snakemake.input.dataset)
    table = held_out_predictions(folds, dataset, read_json(snakemake.input.plan))
    write_parquet(table, snakemake.output.predictions)


run(main, snakemake)
