"""Snakemake script: a link-function comparison figure (Figures 33-36 and their instruct variants)."""

from slothpipe.downstream.plots import link_curves_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    curves = pd.read_parquet(snakemake.input.curves)
    fig = link_curves_figure(curves, snakemake.params.benchmarks, title=snakemake.params.title)
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
