"""The downstream rules through snakemake on a tiny synthetic dataset (no download, no evaluation).

The dataset is written directly where the data stage would put it and only the downstream rules may run
(``--allowed-rules``).  Checked: every declared output exists, a second invocation has nothing to do, the
held-out predictions are sensible, and re-running the table and figure rules reproduces every tracked output
byte for byte.
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
from downstream_world import HELDOUT, downstream_config, eq_bench_csv, simulate_dataset

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
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


def snakemake(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root), "--cores", "2"]
    cmd += ["--allowed-rules", *RULES, "--", "downstream"]
    return subprocess.run([*cmd[:-2], *args, *cmd[-2:]], capture_output=True, text=True, timeout=300)


def outputs(root: Path) -> dict[str, str]:
    files = [*(root / "results" / "figures").glob("*"), *(root / "results" / "tables").glob("*")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def test_downstream_rules_on_a_synthetic_dataset(tmp_path):
    truth = simulate_dataset()
    data = tmp_path / "results" / "data"
    data.mkdir(parents=True)
    truth.drop(columns=["theta0", "theta1"]).to_parquet(data / "dataset.parquet", index=False)
    shutil.copytree(REPO / "config", tmp_path / "config")  # the files the config names must exist
    (tmp_path / "config" / "downstream" / "eq_bench.csv").write_text(eq_bench_csv(truth), encoding="utf-8")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["downstream"] = downstream_config()
    link = config["downstream"]["link_functions"]  # one curve job is enough here
    link["suites"] = {"v2": link["suites"]["v2"]}
    link["cases"]["alpha"]["test_models"] = {"alpha-chat": HELDOUT[1]}
    (tmp_path / "config" / "config.yaml").write_text(
        yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )

    first = snakemake(tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    figures = {p.name for p in (tmp_path / "results" / "figures").glob("*")}
    stems = [
        "fig06_humaneval", "fig30_eq_bench", "fig32_downstream_loadings", "fig37_humaneval_sloth_vs_pca",
        "fig38_eq_bench_sloth_vs_pca", "fig39_loadings_sloth_all", "fig40_loadings_pca",
        "figK_link_functions_v2_alpha-chat",
    ]  # fmt: skip
    assert figures == {f"{s}.{ext}" for s in stems for ext in ("pdf", "png")}

    again = snakemake(tmp_path, "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr

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
    # the writers are what could drift (fits are deterministic by construction and unit-tested)
    rerun = snakemake(
        tmp_path,
        "--forcerun",
        "downstream_tables",
        "downstream_figure",
        "loadings_figure",
        "link_curves_figure",
    )
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    after = outputs(tmp_path)
    assert [k for k in before if before[k] != after.get(k)] == []
