"""Snakemake script: predicted and true pass@k at a log grid of k (the numbers of Figure 7)."""

from slothpipe.io import write_csv
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    write_csv(pd.read_parquet(snakemake.input.curves), snakemake.output.csv)


run(main, snakemake)
