"""Snakemake script: fit one bundle of methods on every held-out group of one setting (rule evaluate_setting),
or on the one group of the `group` wildcard (rule evaluate_fold), and write the test errors."""

from slothpipe.evaluation.folds import evaluate_setting
from slothpipe.evaluation.slices import read_setting, read_slice
from slothpipe.io import write_parquet
from slothpipe.models.fitting import FitOptions
from slothpipe.runner import run


def main(snakemake):
    wc = snakemake.wildcards
    bundle = snakemake.params.bundle
    if "group" in wc.keys():
        data, group = read_slice(snakemake.input.data, snakemake.input.groups, wc.group)
        groups = [group]
    else:
        data, groups = read_setting(snakemake.input.data, snakemake.input.groups)
    errors = evaluate_setting(
        data,
        suite=wc.suite,
        benchmarks=list(snakemake.params.benchmarks),
        n_train_models=int(wc.n),
        groups=groups,
        methods=list(bundle["methods"]),
        options=FitOptions.from_mapping(bundle),  # random_state, n_restarts, solver (absent: defaults)
    )
    write_parquet(errors, snakemake.output[0])


run(main, snakemake)
