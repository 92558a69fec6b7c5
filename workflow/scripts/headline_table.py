"""Snakemake script: the README's headline table (main methods, every setting, ours and the paper's)."""

from slothpipe.evaluation.headline import headline_markdown
from slothpipe.io import write_text
from slothpipe.models.methods import METHODS
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    comparison = pd.read_csv(snakemake.input.comparison)
    methods = [METHODS[name] for name in snakemake.params.methods]
    write_text(headline_markdown(comparison, methods), snakemake.output.md)


run(main, snakemake)
