"""Snakemake script: the logistic-link regression of every downstream task on every skill setting."""

from slothpipe.data.downstream import read_downstream_scores
from slothpipe.downstream.regression import run_regressions, task_scores
from slothpipe.io import write_parquet
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    dataset = pd.read_parquet(snakemake.input.dataset)
    settings = list(snakemake.params.settings)
    skills = {s: pd.read_parquet(p) for s, p in zip(settings, snakemake.input.skills, strict=True)}
    tasks = dict(snakemake.params.tasks)
    scores, heldout = {}, {}
    for name, spec in tasks.items():
        if "column" in spec:
            scores[name] = task_scores(dataset, column=spec["column"])
        else:
            table = read_downstream_scores(spec["file"], models=dataset["model"].tolist())
            scores[name] = task_scores(dataset, scores=table)
        heldout[name] = list(spec["heldout"])
    reg = snakemake.params.regression
    points, weights = run_regressions(
        skills, scores, heldout, n_restarts=reg["n_restarts"], random_state=reg["random_state"]
    )
    write_parquet(points, snakemake.output.points)
    write_parquet(weights, snakemake.output.weights)


run(main, snakemake)
