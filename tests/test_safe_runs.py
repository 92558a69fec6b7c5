"""Runs that fail safely, and reruns that redo only what changed (issue 11), through snakemake on a mirror.

The synthetic world (``world.py``: three families on an offline mirror, two fold jobs of PCA + FLOPs, one per
suite, each fitting three held-out groups) is built and run once per module; each test works on a copy of it
(results, work files and Snakemake's metadata included, at another path: the copy has nothing to do).

- A failing job, a Ctrl-C during a fold job and a SIGTERM during the ``plan_groups`` checkpoint leave every
  tracked file under results/ in place and unchanged, and the next run, without special flags, recovers.
- A mirror file repaired in place is downloaded again; moving the mirror re-runs nothing; a v2-only update
  re-downloads only v2 and, once the data are cleaned and the plan remade, plans no v1 fold.
- ``--profile profiles/redraw`` redraws a figure in a fresh clone (tracked results only) without downloading
  or refitting; the other commands of the README's "Running parts of the pipeline" table plan what it says.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from snakemake_runner import command, environment, hashes, output, planned_jobs, planned_rules
from snakemake_runner import snakemake as run_snakemake
from synthetic_sources import V2_SCHEMA, write_leaderboard
from world import REPO, V1, V1_MIRROR, V2, V2_MIRROR, simulate_families, v2_rows, write_world

pytestmark = pytest.mark.slow(seconds=110)

# The targets of the baseline run: the data stage (the README's `snakemake data`), a table and the plan.
TARGETS = ("data", "results/tables/mae_summary.csv", "results/evaluation/plan.json")


def snakemake(root: Path, *args: str, mirror: Path | None = None, config: tuple[str, ...] = ()):
    """A run on the world's mirror (or on ``mirror``)."""
    return run_snakemake(root, *args, mirror=mirror or root / "mirror", config=config)


def tracked(root: Path) -> dict[str, str]:
    """sha256 of every file under results/ (all tracked in the real repository; the per-fold files are under
    resources/)."""
    return hashes(root)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("world") / "world"
    # three families without instruct lines: three held-out groups, one fold job per suite (two)
    write_world(root, simulate_families(), evaluation={"suites": {"v1": list(V1), "v2": list(V2)}})
    first = snakemake(root, *TARGETS)
    assert first.returncode == 0, first.stderr[-4000:]
    return root


@pytest.fixture
def world(baseline, tmp_path) -> Path:
    root = tmp_path / "world"
    shutil.copytree(baseline, root, symlinks=True)
    return root


def running_outputs(root: Path) -> list[str]:
    """Outputs of the jobs Snakemake has started and not finished (its `incomplete` markers)."""
    markers = root / ".snakemake" / "incomplete"
    if not markers.is_dir():
        return []
    names = []
    for path in markers.rglob("*"):
        if path.is_file():
            parts = path.relative_to(markers).parts
            encoded = "".join(p.lstrip("@") for p in parts)
            try:
                names.append(base64.urlsafe_b64decode(encoded).decode())
            except ValueError:
                continue
    return names


def interrupt(root: Path, args: tuple[str, ...], rule: str, output_part: str, sig: int, group: bool) -> str:
    """Run snakemake and send `sig` while a job of `rule` (one writing a path containing `output_part`) runs.

    "Runs" means Snakemake has marked its outputs incomplete and the job's script has opened its log.  If the
    job happens to finish before the signal lands, the run is repeated (at most three times).
    """
    for _ in range(3):
        shutil.rmtree(root / "logs", ignore_errors=True)
        proc = subprocess.Popen(
            command(root, *args, mirror=root / "mirror"),
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while not (
            any(output_part in name for name in running_outputs(root))
            and any(p.is_file() for p in (root / "logs").rglob("*.log"))
        ):
            assert proc.poll() is None, f"snakemake ended before a job of {rule} started"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        if group:  # Ctrl-C in a terminal: the whole foreground process group
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode != 0, out[-3000:]
        if sig != signal.SIGINT or f"(Rule: {rule})" not in out:
            return out
    raise AssertionError(f"every job of {rule} finished before the signal")


def test_a_failing_job_keeps_tracked_files_and_a_mirror_repaired_in_place_is_fetched_again(world):
    # Finding 1: a failing clean (here: a malformed registry row) used to delete dataset{,_corrected}.parquet
    # and unmatched{,_corrected}.csv.  Now nothing tracked changes, and the run after the fix re-runs clean.
    before = tracked(world)
    registry = world / "config" / "models.csv"
    good_registry = registry.read_text(encoding="utf-8")
    registry.write_text(good_registry.replace(",synth/beta-6b,", ",synth/beta-6b,,", 1), encoding="utf-8")
    failed = snakemake(world, *TARGETS)
    assert failed.returncode != 0 and "Error in rule clean" in output(failed)
    assert tracked(world) == before

    # Finding 3: a truncated v2 parquet in the mirror is copied (Hub files are not pinned) and clean fails on
    # it; repairing the mirror file in place used to leave the bad cached copy in use.
    registry.write_text(good_registry, encoding="utf-8")
    v2 = world / "mirror" / V2_MIRROR
    good = v2.read_bytes()
    v2.write_bytes(good[: len(good) // 2])
    failed = snakemake(world, *TARGETS)
    assert failed.returncode != 0 and "Error in rule clean" in output(failed)
    after = tracked(world)
    changed = sorted(p for p in before if after.get(p) != before[p])
    # only the v2 manifest moved: it records what was downloaded (the truncated file)
    assert changed == ["results/data/manifests/leaderboard_v2.json"]

    v2.write_bytes(good)  # repaired in place
    fixed = snakemake(world, *TARGETS)
    assert fixed.returncode == 0, output(fixed)[-3000:]
    ran = planned_jobs(output(fixed))
    assert [job for job in ran if job[0].startswith("download")] == [
        ("download_hub", "source=leaderboard_v2")
    ]
    assert {"clean", "clean_corrected"} <= planned_rules(output(fixed))
    assert tracked(world) == before


def test_ctrl_c_during_the_plan_checkpoint_keeps_the_plan_and_the_next_run_recovers(world):
    # Finding 1: Ctrl-C during plan_groups deleted results/evaluation/plan.json, and a later run of a fold
    # target or of group_errors.parquet said "Nothing to be done" with the plan still missing.
    before = tracked(world)
    targets = TARGETS
    out = interrupt(
        world,
        (*targets, "--forcerun", "plan_groups"),
        "plan_groups",
        "evaluation/plan.json",
        signal.SIGINT,
        True,
    )
    assert "Terminating processes on user request" in out
    assert tracked(world) == before  # plan.json (and everything else) present and unchanged

    again = snakemake(world, *targets)
    assert again.returncode == 0, output(again)[-3000:]
    # Snakemake removed the killed job's untracked work copies; the tracked plan and everything built from it
    # are intact and up to date, so the next run has nothing to redo (a job that needs the work copies, such
    # as a fold job, re-runs the checkpoint first).  No fold ran again.
    assert "evaluate_setting" not in planned_rules(output(again))
    assert tracked(world) == before
    assert "Nothing to be done" in output(snakemake(world, "-n", *targets))


def test_sigterm_and_ctrl_c_during_fold_jobs_keep_tracked_files_and_the_next_run_recovers(world):
    # SIGTERM (`kill`): Snakemake lets the running jobs finish and starts no other.  Ctrl-C kills them and
    # removes or marks incomplete their outputs (per-fold files, untracked); an output left marked incomplete
    # used to stop the next run until --rerun-incomplete was given (now set in profiles/default).
    before = tracked(world)
    args = (*TARGETS, "--forcerun", "evaluate_setting")
    for sig, group in ((signal.SIGTERM, False), (signal.SIGINT, True)):
        interrupt(world, args, "evaluate_setting", "resources/folds/", sig, group)
        assert tracked(world) == before

    again = snakemake(world, *TARGETS)
    assert again.returncode == 0, output(again)[-3000:]
    assert tracked(world) == before
    assert "Nothing to be done" in output(snakemake(world, "-n", *TARGETS))


def test_a_v2_update_of_the_mirror_reruns_the_v2_download_and_no_v1_fold(world, tmp_path):
    # Finding 4.  A copy of the mirror at another path: nothing to do.
    moved = tmp_path / "moved_mirror"
    shutil.copytree(world / "mirror", moved)
    assert "Nothing to be done" in output(snakemake(world, "-n", *TARGETS, mirror=moved))

    write_leaderboard(moved / V2_MIRROR, V2_SCHEMA, v2_rows(simulate_families(), bump={"beta-6b": 0.01}))
    plan = snakemake(world, "-n", *TARGETS, mirror=moved)
    downloads = [job for job in planned_jobs(plan.stdout) if job[0].startswith("download")]
    assert downloads == [("download_hub", "source=leaderboard_v2")], output(plan)

    # clean and re-plan (the checkpoint), then the folds to re-run are those whose slice changed
    made = snakemake(world, "results/evaluation/plan.json", mirror=moved)
    assert made.returncode == 0, output(made)[-3000:]
    folds = [w for rule, w in planned_jobs(snakemake(world, "-n", *TARGETS, mirror=moved).stdout)
             if rule.startswith("evaluate_")]  # fmt: skip
    assert folds == ["suite=v2, n=1, bundle=baselines"], folds  # one setting job: 3 groups, one bundle
    assert (world / "mirror" / V1_MIRROR).read_bytes() == (moved / V1_MIRROR).read_bytes()


def test_redraw_profile_rebuilds_a_table_in_a_fresh_clone_without_downloads_or_fits(world):
    # Finding 8: a fresh clone has the tracked results but no downloads, work files, folds or metadata.
    before = tracked(world)
    for untracked in ("resources", ".snakemake", "logs", "mirror"):
        shutil.rmtree(world / untracked)
    # (a table: the same mechanism as a figure, and this world's figures are not built)
    (world / "results" / "tables" / "mae_summary.csv").unlink()
    profile = str(REPO / "profiles" / "redraw")
    cmd = command(world, "--profile", profile, "results/tables/mae_summary.csv", mirror=world / "mirror")
    redraw = subprocess.run(cmd, env=environment(), capture_output=True, text=True, timeout=300)
    assert redraw.returncode == 0, output(redraw)[-3000:]
    assert planned_rules(output(redraw)) == {"mae_summary", "publish_result"}
    assert tracked(world) == before
    assert not (world / "resources" / "raw").exists()


def test_redraw_profile_allows_exactly_the_rules_of_figures_and_tables():
    profile = yaml.safe_load((REPO / "profiles" / "redraw" / "config.yaml").read_text(encoding="utf-8"))
    producers = set()
    for path in (REPO / "workflow" / "rules").glob("*.smk"):
        text = path.read_text(encoding="utf-8")
        for block in text.split("\nrule ")[1:]:
            name = block.split(":", 1)[0].strip()
            out = block.split("output:", 1)[1].split("\n    log:", 1)[0] if "output:" in block else ""
            # a figure or table by its directory, or any tracked file declared a result (tracked(..., kind=))
            if re.search(r'tracked\(f?"(\{OUT\}|results)/(figures|tables)/', out) or 'kind="result"' in out:
                producers.add(name)
    assert set(profile["allowed-rules"]) == producers | {"publish_result"}
    assert profile.get("force") is True


def test_readme_commands_plan_what_the_readme_says(world):
    # The README's "Running parts of the pipeline" table, as dry runs (`snakemake -n`, its last row, prints
    # every planned job with its reason); its first row is the fresh-clone test above and the mirror update
    # the v2 test.  "redraw a figure after changing its style code":
    restyle = snakemake(world, "-n", "results/figures/fig01_errors_n1.pdf", "--forcerun", "heatmap_figure")
    assert restyle.returncode == 0, output(restyle)[-2000:]
    assert planned_rules(restyle.stdout) == {"heatmap_figure", "publish_result"}
    assert "reason: Forced execution" in restyle.stdout
    # "one stage and what it needs" (`data` is a target of every run above): the baseline made the folds and
    # one table, so the evaluation stage plans its other tables and figures and no download or fit
    stage = snakemake(world, "-n", "evaluation")
    assert stage.returncode == 0, output(stage)[-2000:]
    planned = planned_rules(stage.stdout)
    assert {"heatmap_figure", "paper_comparison", "table_models"} <= planned
    assert not planned & {"download_hub", "download_github", "clean", "evaluate_setting", "evaluate_fold"}
    # "pick up a leaderboard update" online: every Hub download, and what follows from it
    update = snakemake(world, "-n", "--forcerun", "download_hub")
    assert update.returncode == 0, output(update)[-2000:]
    hub = sorted(w for rule, w in planned_jobs(update.stdout) if rule == "download_hub")
    assert hub == ["source=leaderboard_v1", "source=leaderboard_v2"]
    # "the better-science variant": its own tree under results/corrected/
    corrected = snakemake(world, "-n", config=("metadata=corrected",))
    assert corrected.returncode == 0, output(corrected)[-2000:]
    assert "results/corrected/tables/mae_summary.csv" in corrected.stdout
    assert "plan_groups" in planned_rules(corrected.stdout)
