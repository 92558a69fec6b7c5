"""The obsscaling stage through snakemake on a tiny synthetic world (offline mirror; no leaderboard, no fold).

Checked: the stage builds from the five downloaded tables alone, every declared output exists, the tables have
the issue's exact columns and a Sloth row per target (the law forecast empty where the test models are API
models), a second invocation has nothing to do, and re-running the table and figure rules reproduces their
outputs byte for byte.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from obsscaling_world import COMMIT, synthetic_world, write_world

from slothpipe.io import sha256_file

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
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


def snakemake(root: Path, mirror: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "snakemake", "obsscaling", "-s", str(REPO / "Snakefile"), "-d", str(root)]
    cmd += ["--cores", "2", "--allowed-rules", *RULES, *args, "--config", f"offline_mirror={mirror}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=400)


def tiny_config(paths: dict[str, Path]) -> dict:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
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


def hashes(root: Path) -> dict[str, str]:
    files = [*(root / "results" / "figures").glob("obsscaling_*"), *(root / "results" / "tables").glob("*")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def test_obsscaling_stage_on_a_tiny_world(tmp_path):
    mirror = tmp_path / "mirror"
    paths = write_world(
        synthetic_world(), mirror / "github" / "ryoungj" / "ObsScaling" / COMMIT / "eval_results"
    )
    root = tmp_path / "run"
    shutil.copytree(REPO / "config", root / "config")  # the files the config names must exist
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(tiny_config(paths), sort_keys=False), "utf-8")

    first = snakemake(root, mirror)
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

    again = snakemake(root, mirror, "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr

    before = hashes(root)
    rerun = snakemake(root, mirror, "--forcerun", "obsscaling_sloth", "obsscaling_tables")
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert hashes(root) == before
