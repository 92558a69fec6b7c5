"""The downstream rules through snakemake on a tiny synthetic dataset (no download, no evaluation).

The dataset is written directly where the data stage would put it and only the downstream rules may run
(``--allowed-rules``).  Checked: every declared output exists, a second invocation has nothing to do, the
held-out predictions are sensible, and re-running one job of each table and figure rule reproduces every
tracked output byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from snakemake_runner import hashes, nothing_to_do, one_job_per_rule, output, planned_jobs, snakemake
from world import HELDOUT, downstream_config, eq_bench_csv, repository_config, simulate_dataset, write_dataset

pytestmark = pytest.mark.slow(seconds=100)

RULES = [
    "downstream",
    "downstream_skills",
    "downstream_regressions",
    "downstream_tables",
    "downstream_figure",
    "loadings_figure",
    "link_curves",
    "link_curves_figure",
]


def run(root: Path, *args: str):
    return snakemake(root, "downstream", *args, allowed_rules=RULES)


def outputs(root: Path) -> dict[str, str]:
    return {**hashes(root, "results/figures"), **hashes(root, "results/tables")}


def test_downstream_rules_on_a_synthetic_dataset(tmp_path):
    truth = simulate_dataset()
    config = repository_config()
    config["downstream"] = downstream_config()
    link = config["downstream"]["link_functions"]  # one curve job is enough here
    link["suites"] = {"v2": link["suites"]["v2"]}
    link["cases"]["alpha"]["test_models"] = {"alpha-chat": HELDOUT[1]}
    write_dataset(tmp_path, truth.drop(columns=["theta0", "theta1"]), config)
    (tmp_path / "config" / "downstream" / "eq_bench.csv").write_text(eq_bench_csv(truth), encoding="utf-8")

    first = run(tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    figures = {p.name for p in (tmp_path / "results" / "figures").glob("*")}
    stems = [
        "fig06_humaneval", "fig30_eq_bench", "fig32_downstream_loadings", "fig37_humaneval_sloth_vs_pca",
        "fig38_eq_bench_sloth_vs_pca", "fig39_loadings_sloth_all", "fig40_loadings_pca",
        "figK_link_functions_v2_alpha-chat",
    ]  # fmt: skip
    assert figures == {f"{s}.{ext}" for s in stems for ext in ("pdf", "png")}

    assert nothing_to_do(run(tmp_path, "--dry-run"))

    tables = tmp_path / "results" / "tables"
    predictions = pd.read_csv(tables / "downstream_predictions.csv")
    held = predictions[predictions["role"] == "heldout"]
    assert sorted(set(held["model"])) == sorted(HELDOUT)
    assert set(held["setting"]) == {"main", "sloth_all", "pca_all"}
    main_he = held[(held["task"] == "humaneval") & (held["setting"] == "main")]
    assert main_he["abs_error"].max() < 0.1
    weights = pd.read_csv(tables / "downstream_weights.csv")
    assert list(weights.columns) == ["task", "method", "skill", "weight"]
    errors = pd.read_csv(tables / "downstream_errors.csv")
    assert len(errors) == 6
    assert (errors.loc[errors["setting"] != "pca_all", "in_sample_mae"] < 0.02).all()

    before = outputs(tmp_path)
    # The writers are what could drift (fits are deterministic by construction and unit-tested).  One job of
    # each writer rule runs again; the rule's other jobs run the same code on other wildcards.
    writers = ["downstream_tables", "downstream_figure", "loadings_figure", "link_curves_figure"]
    rerun = run(tmp_path, "--forcerun", *one_job_per_rule(output(first), writers))
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert sorted(rule for rule, _ in planned_jobs(output(rerun)) if rule in RULES[1:]) == sorted(writers)
    after = outputs(tmp_path)
    assert [k for k in before if before[k] != after.get(k)] == []
