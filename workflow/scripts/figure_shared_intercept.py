"""Snakemake script: Figure 3, shared-intercept Sloth against FLOPs (shared intercept)."""

from slothpipe.evaluation.heatmap_tables import shared_intercept_panel
from slothpipe.models.methods import METHODS
from slothpipe.plotting.heatmaps import heatmap_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    suite, n = snakemake.params.setting
    panel = shared_intercept_panel(
        pd.read_parquet(snakemake.input.groups),
        [METHODS[m] for m in snakemake.params.methods],
        suite=suite,
        n_train_models=n,
        benchmarks=snakemake.params.suites[suite],
    )
    fig = heatmap_figure([panel])
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
