"""Snakemake script: fit one bundle of methods on one held-out group and write the test errors."""

import pandas as pd

from slothpipe.evaluation.folds import evaluate_fold
from slothpipe.evaluation.groups import find_group
from slothpipe.io import read_json, write_parquet
from slothpipe.runner import run


def main(snakemake):
    wc = snakemake.wildcards
    bundle = snakemake.params.bundle
    group = find_group(read_json(snakemake.input.plan), wc.suite, int(wc.n), wc.group)
    errors = evaluate_fold(
        pd.read_parquet(snakemake.input.dataset),
        suite=wc.suite,
        benchmarks=list(snakemake.params.benchmarks),
        n_train_models=int(wc.n),
        group=group,
        methods=list(bundle["methods"]),
        random_state=bundle.get("random_state", 0),
        n_restarts=bundle.get("n_restarts"),
        solver=bundle.get("solver", "lbfgs"),
    )
    write_parquet(errors, snakemake.output[0])


run(main, snakemake)
