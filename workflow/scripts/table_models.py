"""Snakemake script: the paper's Table 3 (models, families, leaderboards)."""

from slothpipe.evaluation.reports import model_table
from slothpipe.io import read_json, write_csv, write_text
from slothpipe.runner import run
from slothpipe.tables import to_latex

import pandas as pd


def main(snakemake):
    plan = read_json(snakemake.input.plan)
    test_families = {f for s in plan["settings"] for g in s["groups"] for f in g["families"]}
    table = model_table(pd.read_parquet(snakemake.input.dataset), test_families=test_families)
    write_csv(table, snakemake.output.csv)
    caption = f"All {len(table)} models used in the experiments, their families and data availability."
    write_text(to_latex(table, caption=caption, label="tab:models", longtable=True), snakemake.output.tex)


run(main, snakemake)
