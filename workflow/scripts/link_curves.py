"""Snakemake script: registry methods' prediction curves versus size for one suite and test family."""

from slothpipe.downstream.link_curves import link_curves, size_grid
from slothpipe.io import write_parquet
from slothpipe.models.fitting import FitOptions
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    dataset = pd.read_parquet(snakemake.input.dataset)
    spec = snakemake.params.spec
    sizes = spec["sizes"]
    curves = link_curves(
        dataset,
        spec["benchmarks"],
        family=spec["family"],
        exclude=spec["exclude"],
        test_model=spec["test_model"],
        methods=spec["methods"],
        sizes_b=size_grid(sizes["min_b"], sizes["max_b"], sizes["n_points"]),
        n_train_models=spec["n_train_models"],
        options=FitOptions(random_state=spec["random_state"]),
    )
    write_parquet(curves, snakemake.output[0])


run(main, snakemake)
