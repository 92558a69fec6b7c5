"""Snakemake script: the calibration figure of the forecast intervals (default method and baselines)."""

from slothpipe.forecast.charts import calibration_figure
from slothpipe.forecast.validation import default_method
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    table = pd.read_csv(snakemake.input.csv)
    fig = calibration_figure(table, default_method(table))
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
