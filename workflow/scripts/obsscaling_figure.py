"""Snakemake script of the `obsscaling_*_figure` rules: one Ruan-style figure (kind in params)."""

from slothpipe.obsscaling import scaling_plots as figures
from slothpipe.obsscaling.mse_tables import PREDICTOR_ORDER
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd

PREDICTORS = list(PREDICTOR_ORDER)


def main(snakemake):
    kind, labels, inp = snakemake.params.kind, snakemake.params.labels, snakemake.input
    if kind == "curves":
        preds, summary = pd.read_parquet(inp.predictions), pd.read_parquet(inp.summary)
        predictors = [p for p in PREDICTORS if p in set(summary["predictor"])]
        fig = figures.curves_figure(
            preds, summary, list(labels.items()), predictors, snakemake.params.reference_family
        )
    elif kind == "test_mse":
        fig = figures.mse_figure(pd.read_csv(inp.mse), labels, PREDICTORS)
    elif kind == "sweep":
        curves = pd.concat([pd.read_parquet(p) for p in inp.curves], ignore_index=True)
        fig = figures.sweep_figure(curves, pd.read_csv(inp.sweep), labels, PREDICTORS)
    elif kind == "weights":
        weights = pd.concat([pd.read_parquet(p) for p in inp.weights], ignore_index=True)
        fig = figures.weights_figure(weights, labels)
    else:
        raise ValueError(f"unknown figure kind {kind!r}")
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
