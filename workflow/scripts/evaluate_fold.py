"""Snakemake script: fit one bundle of methods on one held-out group and write the test errors."""

from slothpipe.evaluation.folds import evaluate_fold
from slothpipe.evaluation.slices import read_slice
from slothpipe.io import write_parquet
from slothpipe.models.fitting import FitOptions
from slothpipe.runner import run


def main(snakemake):
    wc = snakemake.wildcards
    bundle = snakemake.params.bundle
    data, group = read_slice(snakemake.input.data, snakemake.input.groups, wc.group)
    errors = evaluate_fold(
        data,
        suite=wc.suite,
        benchmarks=list(snakemake.params.benchmarks),
        n_train_models=int(wc.n),
        group=group,
        methods=list(bundle["methods"]),
        options=FitOptions.from_mapping(bundle),  # random_state, n_restarts, solver (absent: defaults)
    )
    write_parquet(errors, snakemake.output[0])


run(main, snakemake)
