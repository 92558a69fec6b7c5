"""Snakemake script: the IRT layer on the training models' counts, and every model's pass@k curves."""

from slothpipe.io import write_json, write_parquet
from slothpipe.runner import run
from slothpipe.test_time.irt import fit_test_time

import pandas as pd


def main(snakemake):
    irt, info, curves = fit_test_time(
        pd.read_parquet(snakemake.input.counts),
        pd.read_parquet(snakemake.input.skills),
        targets=list(snakemake.params.targets),
        irt=dict(snakemake.params.irt),
        k_points=int(snakemake.params.k_points),
    )
    write_parquet(irt, snakemake.output.irt)
    write_json(info, snakemake.output.info)
    write_parquet(curves, snakemake.output.curves)


run(main, snakemake)
