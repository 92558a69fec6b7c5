"""Snakemake script: method x held-out group error heat-map of one setting."""

from slothpipe.evaluation.heatmap_tables import family_panel
from slothpipe.io import read_json
from slothpipe.models.methods import METHODS
from slothpipe.plotting.heatmaps import heatmap_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    suite, n = snakemake.params.setting
    plan = read_json(snakemake.input.plan)
    (setting,) = [s for s in plan["settings"] if s["suite"] == suite and s["n_train_models"] == n]
    panel = family_panel(
        pd.read_parquet(snakemake.input.groups),
        [METHODS[m] for m in snakemake.params.methods],
        suite=suite,
        n_train_models=n,
        group_order=[g["id"] for g in setting["groups"]],
    )
    fig = heatmap_figure([panel])
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
