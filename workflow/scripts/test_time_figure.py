"""Snakemake script: Figure 7, test-time scaling (coverage against the number of trials)."""

from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run
from slothpipe.test_time.figure import test_time_figure

import pandas as pd


def main(snakemake):
    curves = pd.read_parquet(snakemake.input.curves)
    fig = test_time_figure(curves, {model: model for model in snakemake.params.targets})
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
