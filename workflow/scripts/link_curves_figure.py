"""Snakemake script: a link-function comparison figure (Figures 33-36 and their instruct variants)."""

import pandas as pd

from slothpipe.downstream.figures import link_curves_figure
from slothpipe.io import save_figure
from slothpipe.plotting.style import close
from slothpipe.runner import run


def main(snakemake):
    curves = pd.read_parquet(snakemake.input.curves)
    fig = link_curves_figure(curves, snakemake.params.benchmarks, title=snakemake.params.title)
    save_figure(fig, snakemake.output.pdf)
    save_figure(fig, snakemake.output.png)
    close(fig)


run(main, snakemake)
