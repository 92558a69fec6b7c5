"""Snakemake script: refit the protocol comparison's methods on one fold under its solver and seed."""

from slothpipe.evaluation.protocol import protocol_fold
from slothpipe.io import read_json, write_parquet
from slothpipe.models.fitting import FitOptions
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    wc = snakemake.wildcards
    errors = protocol_fold(
        pd.read_parquet(snakemake.input.dataset),
        read_json(snakemake.input.plan),
        suite=wc.suite,
        benchmarks=list(snakemake.params.benchmarks),
        n_train_models=int(wc.n),
        group=wc.group,
        methods=list(snakemake.params.methods),
        options=FitOptions(random_state=int(wc.seed), solver=wc.solver),
    )
    write_parquet(errors, snakemake.output[0])


run(main, snakemake)
