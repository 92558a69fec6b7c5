"""The interpretation rules through snakemake on a tiny synthetic dataset (no download, no evaluation).

The dataset is written where the data stage would put it and only this stage's rules may run
(``--allowed-rules``).  Checked: every declared output exists with the paper's figure numbers, a second
invocation has nothing to do, the tables have their documented columns, the figures and tables are built from
the interpretation files only, and a forced re-run of every rule (fits included) reproduces every output
byte for byte.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from interpretation_world import synthetic_dataset

from slothpipe.analysis.interpretation import read_interpretation
from slothpipe.analysis.skills import PLOT_ORDER

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
RULES = ["interpretation", "interpretation_fit", "skills_figure", "skills_tables", "compute_optimal",
         "motivation_figure"]  # fmt: skip


def snakemake(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root), "--cores", "2"]
    cmd += ["--allowed-rules", *RULES, *args, "--", "interpretation"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def outputs(root: Path) -> dict[str, str]:
    files = [p for p in sorted((root / "results").rglob("*")) if p.is_file() and "data" not in p.parts]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_interpretation_rules_on_a_synthetic_dataset(tmp_path):
    data = tmp_path / "results" / "data"
    data.mkdir(parents=True)
    synthetic_dataset().to_parquet(data / "dataset.parquet", index=False)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["interpretation"].update(
        n_skills=[3],
        n_restarts=2,
        rotation_starts=2,
        rotation_max_iter=500,
        instruct_pairs=[["alpha", "alpha-chat"]],
        compute_optimal={"n_skills": 3, "n_budgets": 4, "low_flops": 2.0e21},
        motivation={"benchmarks": ["BBH"], "n_families": 3},
    )
    shutil.copytree(REPO / "config", tmp_path / "config")  # the files the config names must exist
    (tmp_path / "config" / "config.yaml").write_text(
        yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )

    first = snakemake(tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    figures = {str(p.relative_to(tmp_path / "results" / "figures"))
               for p in (tmp_path / "results" / "figures").rglob("*") if p.is_file()}  # fmt: skip
    stems = ["fig02_loadings_d3", "fig25_skill_correlation_d3", "fig04_level_curves_d3"]
    stems += ["fig05_instruct_vs_base_d3", "fig09_motivation_bbh", "motivation/bbh"]
    assert figures == {f"{s}.{ext}" for s in stems for ext in ("pdf", "png")}

    again = snakemake(tmp_path, "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr

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
    truth = pd.read_parquet(data / "dataset.parquet").set_index("model").loc[result.models["model"]]
    assert np.abs(result.predict().to_numpy() - truth[result.benchmarks].to_numpy()).mean() < 0.02

    before = outputs(tmp_path)
    rerun = snakemake(tmp_path, "--forcerun", *RULES[1:])
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    after = outputs(tmp_path)
    assert sorted(before) == sorted(after)
    assert [k for k in before if before[k] != after[k]] == []
