"""Snakemake script: skills of every usable model for one downstream setting (Sloth fit or Ruan's PCA)."""

from slothpipe.downstream.skill_sources import setting_skills
from slothpipe.io import write_csv, write_json, write_parquet
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    dataset = pd.read_parquet(snakemake.input.dataset)
    spec = dict(snakemake.params.spec)
    kwargs = dict(method=spec["method"], exclude=spec["exclude"], n_skills=spec["n_skills"])
    if spec["method"] == "sloth":
        kwargs.update(n_restarts=spec["n_restarts"], seeds=spec["seeds"], anchor=spec["anchor"])
        if "ridge" in spec:
            kwargs["ridge"] = float(spec["ridge"])
        if "rotation" in spec:
            kwargs["rotation"] = dict(spec["rotation"])
    skills, loadings, info = setting_skills(dataset, spec["benchmarks"], **kwargs)
    write_parquet(skills, snakemake.output.skills)
    write_csv(loadings.rename_axis("skill"), snakemake.output.loadings, index=True)
    write_json(info, snakemake.output.info)


run(main, snakemake)
