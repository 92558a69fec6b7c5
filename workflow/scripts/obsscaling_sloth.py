"""Snakemake script of rule `obsscaling_sloth`: Sloth-skill predictors of one application on its splits."""

from slothpipe.io import write_parquet
from slothpipe.obsscaling.applications import target_specs
from slothpipe.obsscaling.readers import TABLES
from slothpipe.obsscaling.sloth import sloth_target
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    tables = {name: pd.read_parquet(snakemake.input[name]) for name in TABLES}
    obs = snakemake.params.obs
    (app,) = obs["applications"]
    preds, summaries = [], []
    settings = obs["sloth"]
    for spec in target_specs(obs, app):
        for d in settings["n_skills"]:
            p, s = sloth_target(
                tables,
                spec,
                n_skills=d,
                n_restarts=settings["n_restarts"],
                random_state=settings["random_state"],
            )
            preds.append(p)
            summaries.append(s)
    write_parquet(pd.concat(preds, ignore_index=True), snakemake.output.predictions)
    write_parquet(pd.concat(summaries, ignore_index=True), snakemake.output.summary)


run(main, snakemake)
