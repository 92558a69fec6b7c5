"""Snakemake script: a loadings heat-map of a downstream skills setting (Figures 32, 39, 40)."""

from slothpipe.downstream.plots import loadings_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    loadings = pd.read_csv(snakemake.input.loadings, index_col="skill")
    spec = snakemake.params.spec
    fig = loadings_figure(loadings, title=spec["title"], vmin=spec["vmin"], vmax=spec["vmax"])
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
