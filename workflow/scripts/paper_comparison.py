"""Snakemake script: our errors next to the paper's per setting and method, the target verdicts, the notes."""

import pandas as pd
import yaml

from slothpipe.evaluation.reports import comparison_report, paper_comparison
from slothpipe.io import write_csv, write_text
from slothpipe.models.registry import METHODS
from slothpipe.runner import run


def main(snakemake):
    with open(snakemake.input.paper, encoding="utf-8") as fh:
        paper = yaml.safe_load(fh)
    with open(snakemake.input.notes, encoding="utf-8") as fh:
        notes = fh.read()
    comparison = paper_comparison(pd.read_csv(snakemake.input.summary), paper)
    write_csv(comparison, snakemake.output.csv, float_format="%.4f")
    labels = {spec.paper_code: spec.label for spec in METHODS.values()}
    write_text(comparison_report(comparison, labels, notes), snakemake.output.md)


run(main, snakemake)
