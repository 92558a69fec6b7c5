"""Snakemake script: a downstream regression figure (Figures 6, 30, 37, 38)."""

from slothpipe.downstream.plots import task_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    points = pd.read_parquet(snakemake.input.points)
    weights = pd.read_parquet(snakemake.input.weights)
    spec = snakemake.params.spec
    task = spec["task"]
    panels = []
    for setting, title in spec["panels"]:
        panels.append(
            (
                points[(points["task"] == task) & (points["setting"] == setting)],
                weights[(weights["task"] == task) & (weights["setting"] == setting)],
                title,
            )
        )
    fig = task_figure(panels, task=snakemake.params.label, symbol="β")
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
