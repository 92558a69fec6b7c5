"""Snakemake script of rule `obsscaling_tables`: results/tables/obsscaling_{mse,cutoff_sweep}.csv."""

from slothpipe.io import write_csv
from slothpipe.obsscaling.mse_tables import PREDICTOR_ORDER, SWEEP_COLUMNS, mse_table, sweep_table
from slothpipe.runner import run

import pandas as pd

PREDICTORS = list(PREDICTOR_ORDER)


def main(snakemake):
    targets = snakemake.params.targets
    summaries = [pd.read_parquet(p) for p in [*snakemake.input.summaries, *snakemake.input.sloth]]
    write_csv(mse_table(summaries, targets, PREDICTORS), snakemake.output.mse, float_format="%.4g")
    aues = [pd.read_parquet(p) for p in snakemake.input.aues]
    sweep = sweep_table(aues, targets, PREDICTORS) if aues else pd.DataFrame(columns=SWEEP_COLUMNS)
    write_csv(sweep, snakemake.output.sweep, float_format="%.4g")


run(main, snakemake)
