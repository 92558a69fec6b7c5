"""Snakemake script: fit the skills model once for one number of skills and write its interpretation file."""

import logging

from slothpipe.interpretation.records import interpretation_record, write_interpretation
from slothpipe.interpretation.skills_model import fit_skills, skills_frame
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    p = dict(snakemake.params.settings)
    dataset = pd.read_parquet(snakemake.input.dataset)
    frame = skills_frame(dataset, p["benchmarks"], log_base=p["log_base"])
    fit = fit_skills(
        frame,
        p["benchmarks"],
        n_skills=p["n_skills"],
        n_restarts=p["n_restarts"],
        random_state=p["random_state"],
        anchor=p["anchor"],
        rotation_starts=p["rotation_starts"],
        rotation_tol=p["rotation_tol"],
        rotation_max_iter=p["rotation_max_iter"],
        **({"ridge": float(p["ridge"])} if "ridge" in p else {}),
    )
    log = logging.getLogger("slothpipe")
    log.info("d=%d: %d models, %d families, train MAE %.6f", p["n_skills"], len(frame),
             frame["variant_family"].nunique(), fit.model.train_mae_)  # fmt: skip
    if fit.rotation_search is not None:
        log.info("geomin criteria by start: %s (kept start %d)", fit.rotation_search.criteria,
                 fit.rotation_search.chosen)  # fmt: skip
    write_interpretation(interpretation_record(fit, p), snakemake.output.fit)


run(main, snakemake)
