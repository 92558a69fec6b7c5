"""Cluster execution through the cluster-generic executor plugin, with a local stand-in for ``sbatch``.

The data stage and the fold job of one setting of the real data (``offline_mirror`` = ../shared: LB v2, one
training model, two cheap methods, every held-out group) run through ``profiles/local-cluster``: every job is
a separate submission that starts its own Snakemake process, as on a batch scheduler.  The results must be
byte-identical to the tracked data files (made by a local run) and to the same fold job run locally.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from snakemake_runner import REPO, environment, sha, snakemake
from world import repository_config, write_config

pytestmark = [pytest.mark.shared, pytest.mark.slow(seconds=60)]

PROFILE = REPO / "profiles" / "local-cluster"
FOLDS = ["resources/folds/paper/v2/n1/baselines.parquet"]  # one setting job: every v2 group
DATA = ["results/data/dataset.parquet", "results/data/unmatched.csv"]


def workdir(root: Path, shared: Path) -> Path:
    """A working directory with the repository's config, two cheap methods and the mirror."""
    shutil.copytree(REPO / "config", root / "config")
    config = repository_config()
    config["offline_mirror"] = str(shared)
    config["evaluation"]["methods"] = ["flops_shared", "pca_flops_d2"]
    write_config(root, config)
    return root


def test_cluster_generic_run_matches_a_local_run(tmp_path, shared_dir):
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    cluster = workdir(tmp_path / "cluster", shared_dir)
    submissions = tmp_path / "submissions.txt"
    env = environment(SLOTHPIPE_SUBMIT_LOG=str(submissions))
    run = snakemake(
        cluster,
        *DATA,
        *FOLDS,
        "--profile",
        str(PROFILE),
        "--cluster-generic-submit-cmd",
        str(PROFILE / "submit.sh"),
        cores=None,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    # one submission each for clean, plan_groups and the setting's fold job; the downloads are local rules
    # (compute nodes are often offline) and run in the submitting process
    jobs = sorted(Path(job).name.split(".")[1] for job in submissions.read_text(encoding="utf-8").split())
    assert jobs == ["clean", "evaluate_setting", "plan_groups"]

    for name in DATA:  # the tracked data files were made by a local run of the same code and mirror
        assert sha(cluster / name) == sha(REPO / name), name

    # the same fold job run locally, on a copy of the cluster run (its data stage is checked above)
    local = tmp_path / "local"
    shutil.copytree(cluster, local, symlinks=True)
    run = snakemake(local, *FOLDS, "--forcerun", "evaluate_setting")
    assert run.returncode == 0, run.stderr[-4000:]
    for name in FOLDS:
        assert sha(cluster / name) == sha(local / name), name
