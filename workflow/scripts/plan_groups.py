"""Snakemake script: decide the held-out groups (folds) of the evaluation and write the folds' slices."""

from slothpipe.evaluation.groups import plan
from slothpipe.evaluation.slices import write_slices
from slothpipe.io import write_json
from slothpipe.runner import run

import pandas as pd
import yaml


def main(snakemake):
    with open(snakemake.input.paper_groups, encoding="utf-8") as fh:
        paper_spec = yaml.safe_load(fh)
    dataset = pd.read_parquet(snakemake.input.dataset)
    result = plan(
        dataset,
        suites=dict(snakemake.params.suites),
        n_train_models=list(snakemake.params.n_train_models),
        mode=snakemake.params.mode,
        paper_spec=paper_spec,
    )
    write_json(result, snakemake.output.plan)
    # the part of the dataset and plan each fold job reads, under names that follow their content
    write_json(write_slices(dataset, result, snakemake.params.slice_dir), snakemake.output.slices)


run(main, snakemake)
