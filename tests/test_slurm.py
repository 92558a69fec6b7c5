"""Slurm for real: the data stage and the fold job of one setting through ``profiles/slurm`` (issue 28).

Runs where ``sbatch`` is on the PATH and a controller answers (``bash .ci/slurm.sh start`` stands up a
one-node cluster as root on Debian; so does ``SLOTHPIPE_CI_SLURM=1 bash .ci/run``), and skips with the
reason elsewhere.  Each Snakemake run has a time limit (300 s for the data stage, 900 s for the folds), so a
run that waits forever (a job-status query that never answers) fails; whatever the test submitted is
cancelled when it stops.  The outputs must be byte-identical to the tracked data files and to the same fold
job run locally, and the fold job (every held-out group of LB v2 with one training model, two cheap methods)
must ask Slurm for what its rule says: one core, the default memory, the rule's runtime.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

from slothpipe.cluster import check_slurm_settings
from slothpipe.errors import ConfigError

import pytest
from snakemake_runner import REPO, command, environment, sha, snakemake
from test_cluster import DATA, workdir

FOLDS = ["resources/folds/paper/v2/n1/baselines.parquet"]  # one setting job: every v2 group


@pytest.fixture
def slurm():
    """A job-name prefix unique to this test; cancels every Slurm job carrying it when the test ends."""
    if shutil.which("sbatch") is None:
        pytest.skip("sbatch is not on the PATH: no Slurm here (`bash .ci/slurm.sh start` stands one up)")
    if subprocess.run(["scontrol", "ping"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("sbatch is on the PATH but no slurmctld answers `scontrol ping`")
    prefix = f"slothpipe_test_{uuid.uuid4().hex[:8]}"
    yield prefix
    jobs = subprocess.run(
        ["squeue", "--noheader", "--format=%i %j"], capture_output=True, text=True, timeout=30
    ).stdout
    mine = [
        line.split()[0]
        for line in jobs.splitlines()
        if line.split()[1:2] and line.split()[1].startswith(prefix)
    ]
    if mine:
        subprocess.run(["scancel", *mine], timeout=30, check=False)


def through_slurm(root: Path, prefix: str, limit: float, *args: str) -> str:
    """Run snakemake with profiles/slurm; kill it (and its children) after ``limit`` seconds."""
    cmd = command(
        root,
        *args,
        "--profile",
        str(REPO / "profiles" / "slurm"),
        "--slurm-jobname-prefix",
        prefix,
        cores=None,
    )
    proc = subprocess.Popen(
        cmd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # SIGTERM is not enough: Snakemake waits for its running jobs
        out, _ = proc.communicate()
        pytest.fail(f"no result within {limit:.0f} s through Slurm:\n{out[-4000:]}")
    assert proc.returncode == 0, out[-4000:]
    return out


def submitted(log: str) -> dict[str, str]:
    """Slurm job id of each submission, by the rule or group it carried."""
    found = re.findall(r"submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/(\w+)/", log)
    return {what: jobid for jobid, what in found}


@pytest.mark.shared
@pytest.mark.slow(seconds=60)
def test_data_stage_and_a_setting_job_through_slurm(tmp_path, shared_dir, slurm):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    root = workdir(tmp_path / "slurm", shared_dir)
    # the downloads are local rules: clean and plan_groups are the data stage's two submissions
    log = through_slurm(root, slurm, 300, *DATA, "results/evaluation/plan.json")
    assert sorted(submitted(log)) == ["rule_clean", "rule_plan_groups"], log[-4000:]
    for name in DATA:  # the tracked data files were made by a local run of the same code and mirror
        assert sha(root / name) == sha(REPO / name), name

    log = through_slurm(root, slurm, 900, *FOLDS)
    jobs = submitted(log)
    assert list(jobs) == ["rule_evaluate_setting"], log[-4000:]
    job = subprocess.run(
        ["scontrol", "show", "job", jobs["rule_evaluate_setting"]], capture_output=True, text=True
    ).stdout
    # evaluate_setting: 1 thread, the profile's mem_mb=1000, runtime=30 (minutes)
    assert "NumCPUs=1 " in job and "mem=1000M" in job, job
    assert "TimeLimit=00:30:00" in job, job

    local = tmp_path / "local"  # the same fold job run locally, on a copy of the Slurm run
    shutil.copytree(root, local, symlinks=True, ignore=shutil.ignore_patterns(".snakemake"))
    run = snakemake(local, *FOLDS, "--forcerun", "evaluate_setting")
    assert run.returncode == 0, run.stderr[-4000:]
    for name in FOLDS:
        assert sha(root / name) == sha(local / name), name


def fake(stdout: str = "", returncode: int = 0, stderr: str = ""):
    return lambda cmd: subprocess.CompletedProcess(cmd, returncode, stdout, stderr)


@pytest.mark.parametrize(
    ("settings", "run", "message"),
    [
        ({"slurm_partition": "REPLACE_ME"}, fake("main\n"), "slurm_partition=REPLACE_ME is a placeholder"),
        ({"slurm_account": "<your account>"}, fake("a\n"), "slurm_account=<your account> is a placeholder"),
        ({"slurm_partition": "gpu"}, fake("main\ndebug\n"), "no such partition (sinfo lists debug, main)"),
        ({"slurm_account": "lab"}, fake(returncode=1, stderr="accounting disabled"), "delete slurm_account"),
        ({"slurm_account": "lab"}, fake("other\n"), "not an account of user"),
    ],
)
def test_slurm_settings_that_cannot_be_submitted_stop_the_run_with_what_to_set(settings, run, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        check_slurm_settings(settings, run=run, which=lambda name: name)
    assert "profiles/slurm/config.yaml" in str(error.value)


def test_no_account_and_no_partition_or_known_ones_pass():
    check_slurm_settings({}, run=fake(), which=lambda name: None)
    check_slurm_settings(
        {"slurm_partition": "main", "slurm_account": "Lab"}, run=fake("main\nlab\n"), which=str
    )
