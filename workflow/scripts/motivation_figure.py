"""Snakemake script: a motivation scatter of one benchmark vs log FLOPs, size and tokens (paper Figs 8-9)."""

from slothpipe.interpretation.products import motivation_frame
from slothpipe.plotting.skill_maps import motivation_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    dataset = pd.read_parquet(snakemake.input.dataset)
    benchmark = snakemake.params.benchmark
    rows = motivation_frame(dataset, benchmark, n_families=snakemake.params.n_families)
    fig = motivation_figure(rows, benchmark)
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
