"""Snakemake script of rule `obsscaling_sweep`: rank-by-y test-ratio sweep of one target."""

from slothpipe.io import write_parquet
from slothpipe.obsscaling.applications import sweep_ratios, sweep_target, target_specs
from slothpipe.obsscaling.readers import TABLES
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    tables = {name: pd.read_parquet(snakemake.input[name]) for name in TABLES}
    obs = snakemake.params.obs
    (app,) = obs["applications"]
    spec = target_specs(obs, app)[snakemake.params.index]
    sweep = obs["applications"][app]["sweep"]
    ratios = sweep_ratios(sweep["start"], sweep["stop"], sweep["num"])
    curve, aue = sweep_target(tables, spec, ratios, spec.predictors)
    write_parquet(curve, snakemake.output.curve)
    write_parquet(aue, snakemake.output.aue)


run(main, snakemake)
