"""Snakemake script: a loadings heat-map of a downstream skills setting (Figures 32, 39, 40)."""

import pandas as pd

from slothpipe.downstream.figures import loadings_figure
from slothpipe.io import save_figure
from slothpipe.plotting.style import close
from slothpipe.runner import run


def main(snakemake):
    loadings = pd.read_csv(snakemake.input.loadings, index_col="skill")
    spec = snakemake.params.spec
    fig = loadings_figure(loadings, title=spec["title"], vmin=spec["vmin"], vmax=spec["vmax"])
    save_figure(fig, snakemake.output.pdf)
    save_figure(fig, snakemake.output.png)
    close(fig)


run(main, snakemake)
