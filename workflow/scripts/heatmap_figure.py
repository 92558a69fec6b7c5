"""Snakemake script: a method x benchmark error heat-map figure (one or more settings side by side)."""

from slothpipe.evaluation.heatmap_tables import setting_panel
from slothpipe.models.methods import METHODS
from slothpipe.plotting.heatmaps import heatmap_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    groups = pd.read_parquet(snakemake.input.groups)
    spec = snakemake.params.spec
    specs = [METHODS[m] for m in snakemake.params.methods]
    panels = [
        setting_panel(
            groups,
            specs,
            suite=suite,
            n_train_models=n,
            benchmarks=snakemake.params.suites[suite],
            complete=spec["complete"],
            metric=spec["metric"],
        )
        for suite, n in spec["panels"]
    ]
    label = "MAE (pp)" if spec["metric"] == "mae_pp" else "MAPE (%)"
    fig = heatmap_figure(panels, value_label=label)
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
