"""Snakemake script: decide the held-out groups (folds) of the evaluation."""

import pandas as pd
import yaml

from slothpipe.evaluation.groups import plan
from slothpipe.io import write_json
from slothpipe.runner import run


def main(snakemake):
    with open(snakemake.input.paper_groups, encoding="utf-8") as fh:
        paper_spec = yaml.safe_load(fh)
    result = plan(
        pd.read_parquet(snakemake.input.dataset),
        suites=dict(snakemake.params.suites),
        n_train_models=list(snakemake.params.n_train_models),
        mode=snakemake.params.mode,
        paper_spec=paper_spec,
    )
    write_json(result, snakemake.output.plan)


run(main, snakemake)
