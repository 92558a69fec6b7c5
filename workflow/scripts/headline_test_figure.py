"""Snakemake script: the headline test's figure (paired differences per held-out group, per setting)."""

from slothpipe.evaluation.headline_test import figure_panels, method_labels
from slothpipe.models.methods import METHODS
from slothpipe.plotting.paired import paired_differences_figure
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    methods, baseline = list(snakemake.params.methods), snakemake.params.baseline
    panels = figure_panels(
        pd.read_parquet(snakemake.input.groups),
        pd.read_csv(snakemake.input.table),
        methods=methods,
        baseline=baseline,
    )
    fig = paired_differences_figure(
        panels, methods=methods, labels=method_labels([*methods, baseline], METHODS), baseline=baseline
    )
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
