"""The interpretation rules through snakemake on a tiny synthetic dataset (no download, no evaluation).

The dataset is written where the data stage would put it and only this stage's rules may run
(``--allowed-rules``).  Checked: every declared output exists with the paper's figure numbers, a second
invocation has nothing to do, the tables have their documented columns, the figures and tables are built from
the interpretation files only, and a forced re-run of one job of each rule that writes a table or figure
from the fit reproduces every output byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from slothpipe.interpretation.records import read_interpretation
from slothpipe.interpretation.skills_model import PLOT_ORDER

import numpy as np
import pandas as pd
import pytest
from snakemake_runner import hashes, nothing_to_do, one_job_per_rule, output, planned_jobs, snakemake
from world import repository_config, simulate_dataset, write_dataset

pytestmark = pytest.mark.slow(seconds=90)

RULES = ["interpretation", "interpretation_fit", "skills_figure", "skills_tables", "compute_optimal",
         "motivation_figure"]  # fmt: skip


def run(root: Path, *args: str):
    return snakemake(root, "interpretation", *args, allowed_rules=RULES)


def outputs(root: Path) -> dict[str, str]:
    return hashes(root, skip=("results/data/",))


def test_interpretation_rules_on_a_synthetic_dataset(tmp_path):
    config = repository_config()
    config["interpretation"].update(
        n_skills=[3],
        n_restarts=1,
        rotation_starts=2,
        rotation_max_iter=500,
        instruct_pairs=[["alpha", "alpha-chat"]],
        compute_optimal={"n_skills": 3, "n_budgets": 4, "low_flops": 2.0e21},
        motivation={"benchmarks": ["BBH"], "n_families": 3},
    )
    write_dataset(tmp_path, simulate_dataset(d=3), config)

    first = run(tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    figures = {str(p.relative_to(tmp_path / "results" / "figures"))
               for p in (tmp_path / "results" / "figures").rglob("*") if p.is_file()}  # fmt: skip
    stems = ["fig02_loadings_d3", "fig25_skill_correlation_d3", "fig04_level_curves_d3"]
    stems += ["fig05_instruct_vs_base_d3", "fig09_motivation_bbh", "motivation/bbh"]
    assert figures == {f"{s}.{ext}" for s in stems for ext in ("pdf", "png")}

    assert nothing_to_do(run(tmp_path, "--dry-run"))

    tables = tmp_path / "results" / "tables"
    loadings = pd.read_csv(tables / "loadings_d3.csv")
    assert loadings.columns.tolist() == ["skill", *PLOT_ORDER]
    assert sorted(loadings["skill"]) == ["Instruction following", "Knowledge", "Reasoning"]
    optimal = pd.read_csv(tables / "compute_optimal.csv")
    assert optimal.columns.tolist() == ["flops_1e19", "skill", "params_b", "tokens_t"]
    assert len(optimal) == 4 * 3
    assert (tables / "table1_compute_optimal_if.tex").is_file() and (
        tables / "table2_compute_optimal.tex"
    ).is_file()
    assert (tables / "skill_coefficients_d3.tex").is_file()
    result = read_interpretation(tmp_path / "results" / "interpretation" / "skills_d3.json")
    truth = pd.read_parquet(tmp_path / "results" / "data" / "dataset.parquet").set_index("model")
    truth = truth.loc[result.models["model"]]
    assert np.abs(result.predict().to_numpy() - truth[result.benchmarks].to_numpy()).mean() < 0.02

    before = outputs(tmp_path)
    # The writers are what could drift (the fit is deterministic by construction and unit-tested).  One job
    # of each writer rule runs again; the rule's other jobs run the same code on other wildcards.
    rerun = run(tmp_path, "--forcerun", *one_job_per_rule(output(first), RULES[2:]))
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert sorted(rule for rule, _ in planned_jobs(output(rerun)) if rule in RULES[1:]) == sorted(RULES[2:])
    after = outputs(tmp_path)
    assert sorted(before) == sorted(after)
    assert [k for k in before if before[k] != after[k]] == []
