"""Snakemake script of rule `obsscaling_fit`: baselines and PCs of one application at its configured split."""

from slothpipe.io import write_parquet
from slothpipe.obsscaling.applications import fit_target, target_specs
from slothpipe.obsscaling.readers import TABLES
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    tables = {name: pd.read_parquet(snakemake.input[name]) for name in TABLES}
    obs = snakemake.params.obs
    (app,) = obs["applications"]
    preds, summaries, weights = [], [], []
    for spec in target_specs(obs, app):
        p, s, w = fit_target(tables, spec)
        preds.append(p)
        summaries.append(s)
        weights.append(w)
    write_parquet(pd.concat(preds, ignore_index=True), snakemake.output.predictions)
    write_parquet(pd.concat(summaries, ignore_index=True), snakemake.output.summary)
    write_parquet(pd.concat(weights, ignore_index=True), snakemake.output.weights)


run(main, snakemake)
