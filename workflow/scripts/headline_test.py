"""Snakemake script: the headline test (paired comparisons over held-out groups) and its README paragraph."""

from slothpipe.evaluation.headline_test import headline_test, method_labels, summary_markdown
from slothpipe.io import write_csv, write_text
from slothpipe.models.methods import METHODS
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    groups = pd.read_parquet(snakemake.input.groups)
    spec = snakemake.params.test
    table = headline_test(
        groups,
        settings=[(suite, n) for suite in snakemake.params.suites for n in snakemake.params.n_train_models],
        methods=spec["methods"],
        baselines=spec["baselines"],
        n_boot=spec["n_boot"],
        seed=spec["seed"],
        level=spec["level"],
    )
    write_csv(table, snakemake.output.csv, float_format="%.4f")
    labels = method_labels([*spec["methods"], *spec["baselines"]], METHODS)
    text = summary_markdown(
        table,
        groups,
        method=spec["methods"][-1],
        baseline=spec["figure_baseline"],
        labels=labels,
        level=spec["level"],
        n_boot=spec["n_boot"],
    )
    write_text(text, snakemake.output.md)


run(main, snakemake)
