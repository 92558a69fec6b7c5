"""The obsscaling stage through snakemake on a tiny synthetic world (offline mirror; no leaderboard, no fold).

Checked: the stage builds from the five downloaded tables alone, every declared output exists, the tables have
the issue's exact columns and a Sloth row per target (the law forecast empty where the test models are API
models), a second invocation has nothing to do, and re-running one job of the Sloth and table rules (and the
figures after them) reproduces their outputs byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from slothpipe.io import sha256_file

import pandas as pd
import pytest
from obsscaling_world import COMMIT, synthetic_world, write_world
from snakemake_runner import REPO, hashes, nothing_to_do, one_job_per_rule, output, planned_jobs, snakemake
from world import repository_config, write_config

pytestmark = pytest.mark.slow(seconds=55)

RULES = [
    "download_github",
    "obsscaling",
    "obsscaling_clean",
    "obsscaling_fit",
    "obsscaling_sloth",
    "obsscaling_sweep",
    "obsscaling_tables",
    "obsscaling_curves_figure",
    "obsscaling_test_mse_figure",
    "obsscaling_sweep_figure",
    "obsscaling_weights_figure",
]
SOURCES = {
    "base": "obsscaling_base",
    "instruct": "obsscaling_instruct",
    "emergent": "obsscaling_emergent",
    "post_training": "obsscaling_post_training",
    "agent": "obsscaling_agent",
}


def run(root: Path, mirror: Path, *args: str):
    return snakemake(root, "obsscaling", *args, allowed_rules=RULES, mirror=mirror)


def tiny_config(paths: dict[str, Path]) -> dict:
    config = repository_config()
    for table, source in SOURCES.items():
        config["sources"]["github"][source]["sha256"] = sha256_file(paths[table])
    obs = config["obsscaling"]
    obs["n_pcs"] = [1, 2]
    obs["imputation"]["max_iter"] = 50
    obs["sloth"] = {"n_skills": [2], "n_restarts": 1, "random_state": 0}
    apps = obs["applications"]
    apps["emergent"]["targets"] = {
        "word_unscrambling_2_exact_match": {"label": "Word Unscramble", "range": [0, 1]}
    }
    apps["emergent"]["sweep"] = {"start": 0.5, "stop": 0.2, "num": 3}
    apps["agentic"]["targets"] = {"ABench-OA": {"label": "AgentBench", "range": [0, 10]}}
    del apps["post_training"]  # same rules as the other two; kept out to keep the test short
    return config


def outputs(root: Path) -> dict[str, str]:
    return {**hashes(root, "results/figures"), **hashes(root, "results/tables")}


def test_obsscaling_stage_on_a_tiny_world(tmp_path):
    mirror = tmp_path / "mirror"
    paths = write_world(
        synthetic_world(), mirror / "github" / "ryoungj" / "ObsScaling" / COMMIT / "eval_results"
    )
    root = tmp_path / "run"
    shutil.copytree(REPO / "config", root / "config")  # the files the config names must exist
    write_config(root, tiny_config(paths))

    first = run(root, mirror)
    assert first.returncode == 0, first.stderr[-4000:]

    mse = pd.read_csv(root / "results" / "tables" / "obsscaling_mse.csv")
    assert list(mse.columns) == [
        "application",
        "target",
        "predictor",
        "n_train",
        "n_test",
        "mse_train",
        "mse_test",
    ]
    assert mse["application"].unique().tolist() == ["emergent", "agentic"]
    expected = {
        "emergent": ["size", "flops", "pc1", "pc1-2", "sloth_skills_d2", "sloth_law_d2"],
        "agentic": ["pc1", "pc1-2", "sloth_skills_d2", "sloth_law_d2"],
    }
    for app, predictors in expected.items():
        assert mse[mse["application"] == app]["predictor"].tolist() == predictors
    emergent = mse[mse["application"] == "emergent"].set_index("predictor")
    assert emergent.loc["pc1-2", "n_train"] == 14  # FLOPs <= 84: 3 per family, 5 Pythia (0.3T tokens)
    # the synthetic target is a sigmoid of the planted skill: the PCs and the Sloth skills find it
    assert emergent.loc["pc1-2", "mse_test"] < 0.05
    agent = mse[mse["application"] == "agentic"].set_index("predictor")
    law, skills = agent.loc["sloth_law_d2"], agent.loc["sloth_skills_d2"]
    assert law["n_test"] == 0 and pd.isna(law["mse_test"])  # the test model is an API model
    assert skills["n_test"] == 1

    sweep = pd.read_csv(root / "results" / "tables" / "obsscaling_cutoff_sweep.csv")
    assert list(sweep.columns) == ["application", "target", "predictor", "aue"]
    assert sweep["predictor"].tolist() == ["size", "flops", "pc1", "pc1-2"]
    assert (sweep["aue"] > 0).all()
    figures = {p.name for p in (root / "results" / "figures").glob("*")}
    stems = ["obsscaling_curves_emergent", "obsscaling_curves_agentic", "obsscaling_test_mse",
             "obsscaling_weights", "obsscaling_cutoff_sweep"]  # fmt: skip
    assert figures == {f"{s}.{ext}" for s in stems for ext in ("pdf", "png")}

    assert nothing_to_do(run(root, mirror, "--dry-run"))

    before = outputs(root)
    # one job of each rule re-run (the rule's other jobs run the same code on other wildcards)
    forced = ["obsscaling_sloth", "obsscaling_tables"]
    rerun = run(root, mirror, "--forcerun", *one_job_per_rule(output(first), forced))
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert [rule for rule, _ in planned_jobs(output(rerun)) if rule in forced] == forced
    assert outputs(root) == before
