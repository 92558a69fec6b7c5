"""Cluster execution through the cluster-generic executor plugin, with a local stand-in for ``sbatch``.

The data stage and two fold jobs of the real data (``offline_mirror`` = ../shared) run through
``profiles/local-cluster``: every job is a separate submission that starts its own Snakemake process, as on a
batch scheduler, and the two fold jobs travel as one group.  The results must be byte-identical to the tracked
data files (made by a local run) and to the same fold jobs run locally.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.shared, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "profiles" / "local-cluster"
FOLDS = [f"results/evaluation/folds/v2/n1/{group}/baselines.parquet" for group in ("qwen2", "yi-1.5")]
DATA = ["results/data/dataset.parquet", "results/data/unmatched.csv"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def workdir(root: Path, shared: Path) -> Path:
    """A working directory with the repository's config, two cheap methods and the mirror."""
    shutil.copytree(REPO / "config", root / "config")
    config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["offline_mirror"] = str(shared)
    config["evaluation"]["methods"] = ["flops_shared", "pca_flops_d2"]
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def snakemake(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)


def test_cluster_generic_run_matches_a_local_run(tmp_path, shared_dir):
    import os

    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    cluster = workdir(tmp_path / "cluster", shared_dir)
    submissions = tmp_path / "submissions.txt"
    env = {**os.environ, "SLOTHPIPE_SUBMIT_LOG": str(submissions)}
    run = snakemake(
        cluster,
        *DATA,
        *FOLDS,
        "--profile",
        str(PROFILE),
        "--cluster-generic-submit-cmd",
        str(PROFILE / "submit.sh"),
        "--group-components",
        "folds=2",
        env=env,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    # one submission each for clean and plan_groups, one for the group of both fold jobs; the downloads
    # are local rules (compute nodes are often offline) and run in the submitting process
    jobs = sorted(Path(job).name.split(".")[1] for job in submissions.read_text(encoding="utf-8").split())
    assert jobs == ["clean", "folds_evaluate_fold", "plan_groups"]

    for name in DATA:  # the tracked data files were made by a local run of the same code and mirror
        assert sha(cluster / name) == sha(REPO / name), name

    local = workdir(tmp_path / "local", shared_dir)
    run = snakemake(local, *FOLDS, "--cores", "2")
    assert run.returncode == 0, run.stderr[-4000:]
    for name in FOLDS:
        assert sha(cluster / name) == sha(local / name), name
