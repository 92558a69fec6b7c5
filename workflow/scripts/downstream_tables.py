"""Snakemake script: downstream predictions, regression weights and in/out-of-sample errors as CSV."""

from slothpipe.downstream.regression import error_table
from slothpipe.io import write_csv
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    points = pd.read_parquet(snakemake.input.points)
    weights = pd.read_parquet(snakemake.input.weights)
    predictions = points[["task", "setting", "model", "role", "true", "predicted", "abs_error"]]
    write_csv(predictions, snakemake.output.predictions, float_format="%.4f")
    write_csv(weights.rename(columns={"setting": "method"}), snakemake.output.weights, float_format="%.4f")
    write_csv(error_table(points), snakemake.output.errors, float_format="%.4f")


run(main, snakemake)
