"""Snakemake script: the headline test on the protocol refits and on our fits of the same folds; mean MAE."""

from slothpipe.evaluation.headline_test import headline_test, holm_across
from slothpipe.evaluation.protocol_tables import protocol_mae, with_ours
from slothpipe.io import write_csv
from slothpipe.models.methods import METHODS
from slothpipe.runner import run

import pandas as pd
import yaml


def main(snakemake):
    spec = snakemake.params.test
    refits = pd.read_parquet(snakemake.input.protocol)
    table = with_ours(refits, pd.read_parquet(snakemake.input.groups))
    settings = list(dict.fromkeys(zip(refits["suite"], refits["n_train_models"], strict=True)))
    tests = [
        headline_test(
            table[table["protocol"] == label],
            settings=settings,
            methods=spec["methods"],
            baselines=spec["baselines"],
            n_boot=spec["n_boot"],
            seed=spec["seed"],
            level=spec["level"],
            protocol=label,
        )
        for label in dict.fromkeys(table["protocol"])
    ]
    write_csv(holm_across(tests), snakemake.output.csv, float_format="%.4f")
    with open(snakemake.input.paper, encoding="utf-8") as fh:
        paper = yaml.safe_load(fh)
    codes = {name: spec.paper_code for name, spec in METHODS.items()}
    write_csv(protocol_mae(table, paper, codes), snakemake.output.mae, float_format="%.4f")


run(main, snakemake)
