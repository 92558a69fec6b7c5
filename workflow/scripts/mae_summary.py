"""Snakemake script: the MAE (and MAPE) summary tables of every setting and method."""

from slothpipe.evaluation.reports import mae_summary, summary_latex, summary_markdown
from slothpipe.io import write_csv, write_text
from slothpipe.models.methods import METHODS
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    groups = pd.read_parquet(snakemake.input.groups)
    suites = dict(snakemake.params.suites)
    specs = [METHODS[m] for m in snakemake.params.methods]
    n_train = list(snakemake.params.n_train_models)
    summary = mae_summary(groups, suites=suites, n_train_models=n_train, methods=specs)
    write_csv(summary, snakemake.output.csv, float_format="%.4f")
    write_text(summary_markdown(summary, suites), snakemake.output.md)
    write_text(summary_latex(summary, suites), snakemake.output.tex)
    mape = mae_summary(groups, suites=suites, n_train_models=n_train, methods=specs, metric="mape_pct")
    write_csv(mape, snakemake.output.mape_csv, float_format="%.4f")


run(main, snakemake)
