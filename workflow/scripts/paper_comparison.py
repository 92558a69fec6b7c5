"""Snakemake script: our errors next to the paper's, the target verdicts, the headline test, the notes."""

from slothpipe.evaluation.headline_test import baselines_markdown, method_labels
from slothpipe.evaluation.reports import comparison_report, paper_comparison
from slothpipe.io import write_csv, write_text
from slothpipe.models.methods import METHODS
from slothpipe.runner import run

import pandas as pd
import yaml


def main(snakemake):
    with open(snakemake.input.paper, encoding="utf-8") as fh:
        paper = yaml.safe_load(fh)
    with open(snakemake.input.notes, encoding="utf-8") as fh:
        notes = fh.read()
    with open(snakemake.input.headline_test, encoding="utf-8") as fh:
        headline_test = fh.read()
    spec = snakemake.params.headline_test
    labels_test = method_labels([*spec["methods"], *spec["baselines"]], METHODS)
    headline_test += "\n" + baselines_markdown(
        pd.read_csv(snakemake.input.headline_test_csv),
        method=spec["methods"][-1],
        labels=labels_test,
        level=spec["level"],
    )
    comparison = paper_comparison(pd.read_csv(snakemake.input.summary), paper)
    write_csv(comparison, snakemake.output.csv, float_format="%.4f")
    labels = {spec.paper_code: spec.label for spec in METHODS.values()}
    write_text(comparison_report(comparison, labels, notes, headline_test), snakemake.output.md)


run(main, snakemake)
