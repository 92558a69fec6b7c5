"""The data, evaluation and forecast stages through snakemake on synthetic data, from a fake Hub and GitHub
to figures, tables and forecasts.

The leaderboards of the synthetic world (``world.py``: a known d = 2 Sloth with sigmoid link and chance
floors, three original families, one with an instruct line, small noise) are written in the exact Hub
schemas, served by the fake Hub of ``fake_servers.py`` and downloaded by the real huggingface_hub code.  The
run uses automatic held-out groups and a reduced method list, and builds the targets ``data``,
``evaluation`` and ``forecasts`` only (the other stages have their own workflow tests).  Checked: every
declared output exists, a second invocation has nothing to do, the report holds every figure and table, the
Sloth errors are small, the forecast rule and the command line agree, and a forced re-run reproduces every
tracked output byte for byte.  The pipeline runs once per module; each
test checks one of these (the forced re-run last).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slothpipe.code_inputs import modules_reached

import numpy as np
import pandas as pd
import pytest
import yaml
from fake_servers import FakeHub
from snakemake_runner import (
    REPO,
    hashes,
    nothing_to_do,
    one_job_per_rule,
    output,
    planned_jobs,
    planned_reasons,
    planned_rules,
)
from snakemake_runner import snakemake as run_snakemake
from world import simulate_families, write_world

pytestmark = pytest.mark.slow(seconds=240)

METHODS = ["flops_shared", "flops", "pca_flops_d2", "sloth_basic_d2", "sloth_d2", "sloth_shared_d2"]
TARGETS = ("data", "evaluation", "forecasts")
PAPER = {"v1": {1: {"n_test_groups": 3, "mae_pp": {"factor_sigmoid_faminter_d=2": 1.0, "pca_d=9": 2.0}}}}


#: The workflow and package run here: a copy of the repository's, so that a test can edit a module (set by
#: the ``run`` fixture; jobs import the package from the copy, see common.smk).
CODE: Path


def snakemake(root, *args, **options):
    return run_snakemake(root, *args, snakefile=CODE / "Snakefile", **options)


def copy_code(to: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in ("workflow", "src", "profiles"):
        shutil.copytree(REPO / part, to / part, ignore=ignore)
    shutil.copy2(REPO / "Snakefile", to / "Snakefile")
    (to / "docs").mkdir()
    shutil.copy2(REPO / "docs" / "paper_comparison_notes.md", to / "docs")  # an input of paper_comparison
    (to / "results").mkdir()
    shutil.copy2(REPO / "results" / "README.md", to / "results" / "README.md")  # the catalog of publish.smk
    return to


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(working directory, fake Hub, simulated truth, the run's log) after one run of the targets."""
    global CODE
    CODE = copy_code(tmp_path_factory.mktemp("code"))
    root = tmp_path_factory.mktemp("e2e")
    truth = simulate_families(("alpha", "alpha-chat", "beta", "gamma"))
    hub = FakeHub().start()
    try:
        # one model without LB v1 scores: absent from the v1 suites
        evaluation = {"methods": METHODS, "n_restarts": 1}
        write_world(root, truth, hub=hub, v2_only=("gamma-30b",), evaluation=evaluation, paper_mae=PAPER)
        first = snakemake(root, *TARGETS, hub=hub)
        assert first.returncode == 0, first.stderr[-4000:]
        yield root, hub, truth, output(first)
    finally:
        hub.stop()


def test_every_declared_output_exists_and_is_up_to_date(run):
    root, hub, *_ = run
    results = root / "results"
    expected = [
        "data/dataset.parquet",
        "data/dataset_corrected.parquet",
        "data/unmatched.csv",
        *[f"data/manifests/{s}.json" for s in
          ("leaderboard_v1", "leaderboard_v2", "obsscaling_base", "obsscaling_instruct", "obsscaling_agent")],
        "evaluation/plan.json",
        "evaluation/group_errors.parquet",
        "tables/mae_summary.csv",
        "tables/mae_summary.md",
        "tables/mae_summary.tex",
        "tables/mape_summary.csv",
        "tables/paper_comparison.csv",
        "tables/paper_comparison.md",
        "tables/table3_models.csv",
        "tables/table3_models.tex",
        "evaluation/predictions.parquet",
        "tables/forecast_calibration.csv",
        "figures/forecast_calibration.pdf",
        "figures/forecast_calibration.png",
        "forecasts/beta.csv",
        "forecasts/beta.png",
        *[f"figures/{name}.{ext}" for ext in ("pdf", "png") for name in (
            "fig01_errors_n1", "fig10_mape_n1", "fig11_errors_n1_complete", "fig12_errors_v1v2_n1",
            "fig12_errors_v1v2_n1_complete", "fig13_family_errors_v1_n1", "fig14_family_errors_v2_n1",
            "fig15_family_errors_v1v2_n1", "fig03_shared_intercept")],
    ]  # fmt: skip
    missing = [p for p in expected if not (results / p).is_file()]
    assert not missing, missing
    assert not (results / "figures" / "fig16_errors_n2.pdf").exists()  # n_train_models=2 not configured
    assert nothing_to_do(snakemake(root, *TARGETS, "--dry-run", hub=hub))


def test_the_forecast_rule_and_the_command_line_give_the_same_numbers(run):
    """The Snakemake entry point and ``python -m slothpipe.forecast``: same request, same bytes."""
    root, *_ = run
    tracked = pd.read_csv(root / "results" / "forecasts" / "beta.csv")
    assert len(tracked) == 3 * 6 and set(tracked["model"]) == {"beta-1.5b", "beta-6b", "beta-12b"}
    assert ((tracked["lower"] <= tracked["predicted"]) & (tracked["predicted"] <= tracked["upper"])).all()
    validation = pd.read_csv(root / "results" / "tables" / "forecast_calibration.csv")
    assert set(tracked["method"]) == set(validation.loc[validation["default"], "method"])
    out = root / "cli.csv"
    cmd = [sys.executable, "-m", "slothpipe.forecast", "config/forecasts/beta.csv", "--leaderboard", "v2"]
    cmd += ["--exclude-family", "beta", "--n-restarts", "1", "--out", str(out)]  # the world's n_restarts
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (root / "results" / "forecasts" / "beta.csv").read_bytes()


def test_the_report_holds_every_figure_and_table(run):
    """Captioned from results/README.md, grouped by its sections."""
    root, hub, *_ = run
    report = snakemake(root, *TARGETS, "--report", str(root / "report.zip"), hub=hub)
    assert report.returncode == 0, report.stderr[-4000:]
    with zipfile.ZipFile(root / "report.zip") as archive:
        names = {Path(n).name for n in archive.namelist()}
        html = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("report.html"))
    results = root / "results"
    shown = [p for p in (results / "figures").rglob("*") if p.is_file()] + [
        p for p in (results / "tables").rglob("*") if p.is_file()
    ]
    assert shown and not [p.name for p in shown if p.name not in names]
    assert "Prediction experiment" in html and "Reproduces: Fig. 1." in html


def test_the_data_round_trip_and_the_groups_are_one_per_original_family(run):
    root, _, truth, _ = run
    results = root / "results"
    # dataset scores equal the simulated ones (v1 rounded to 0.01 pp)
    dataset = pd.read_parquet(results / "data" / "dataset.parquet").set_index("model")
    sim = truth.set_index("model")
    assert dataset.loc[sim.index, "IFEval"].to_numpy() == pytest.approx(sim["IFEval"].to_numpy())
    assert dataset.loc[sim.index.drop("gamma-30b"), "MMLU"].to_numpy() == pytest.approx(
        sim["MMLU"].drop("gamma-30b").to_numpy(), abs=6e-5
    )
    # automatic groups: one per original family; alpha holds its base and chat lines
    plan = yaml.safe_load((results / "evaluation" / "plan.json").read_text())
    v2 = next(s for s in plan["settings"] if s["suite"] == "v2")
    assert [(g["id"], g["families"]) for g in v2["groups"]] == [
        ("alpha", ["alpha", "alpha-chat"]),
        ("beta", ["beta"]),
        ("gamma", ["gamma"]),
    ]


def test_sloth_basic_extrapolates_the_synthetic_law(run):
    """The data follow a d=2 Sloth: Sloth basic (d=2) extrapolates within ~1 pp and beats FLOPs (shared)."""
    results = run[0] / "results"
    summary = pd.read_csv(results / "tables" / "mae_summary.csv")
    basic = summary[summary["method"] == "sloth_basic_d2"].set_index("suite")["mae_pp"]
    owen = summary[summary["method"] == "flops_shared"].set_index("suite")["mae_pp"]
    assert (basic < 1.5).all(), basic
    assert (basic < owen).all(), (basic, owen)
    comparison = pd.read_csv(results / "tables" / "paper_comparison.csv")
    assert comparison["paper_method"].tolist() == ["factor_sigmoid_faminter_d=2", "pca_d=9"]
    assert np.isfinite(comparison["mae_pp"].iloc[0]) and np.isnan(comparison["mae_pp"].iloc[1])


def test_one_job_per_setting_and_a_held_out_family_reruns_alone_with_the_same_errors(run):
    """Issue 26: the fold jobs are one per suite, setting and method bundle (every held-out group in one
    process).  One group can still be refitted on its own (rule evaluate_fold, a file nothing downstream
    reads): its errors equal its rows in the setting's file, and the targets stay up to date."""
    root, hub, _, first = run
    jobs = sorted(w for rule, w in planned_jobs(first) if rule == "evaluate_setting")
    assert jobs == sorted(
        f"suite={suite}, n=1, bundle={bundle}"
        for suite in ("v1", "v1+v2", "v2")
        for bundle in ("baselines", "sloth")
    )
    assert "evaluate_fold" not in planned_rules(first)
    folds = root / "resources" / "folds" / "paper"
    assert sorted(p.relative_to(folds).as_posix() for p in folds.rglob("*.parquet")) == sorted(
        f"{suite}/n1/{bundle}.parquet" for suite in ("v1", "v1+v2", "v2") for bundle in ("baselines", "sloth")
    )
    for bundle in ("sloth", "baselines"):
        target = f"resources/fold_reruns/paper/v2/n1/beta/{bundle}.parquet"
        alone = snakemake(root, target, hub=hub)
        assert alone.returncode == 0, output(alone)[-3000:]
        assert [rule for rule, _ in planned_jobs(output(alone))] == ["evaluate_fold"]
        setting = pd.read_parquet(folds / "v2" / "n1" / f"{bundle}.parquet")
        assert set(setting["group"]) == {"alpha", "beta", "gamma"}
        rows = setting[setting["group"] == "beta"].reset_index(drop=True)
        assert len(rows) > 0
        pd.testing.assert_frame_equal(pd.read_parquet(root / target), rows, check_exact=True)
    assert nothing_to_do(snakemake(root, *TARGETS, "--dry-run", hub=hub))


def scripts_of_rules() -> dict[str, str]:
    """rule -> the workflow script it runs, from the rule files of the copy."""
    out = {}
    for smk in (CODE / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"(?m)^(?=rule |checkpoint )", smk.read_text(encoding="utf-8")):
            head = re.match(r"(?:rule|checkpoint) (\w+):", block)
            script = re.search(r'"\.\./scripts/(\w+\.py)"', block)
            if head and script:
                out[head.group(1)] = script.group(1)
    return out


def test_editing_a_module_plans_the_jobs_of_every_rule_that_runs_it_and_no_other(run):
    """Issue 25: change modules, and a dry run plans exactly the jobs whose code reaches them (and what they
    feed); undo the change, and there is nothing to do.  The code inputs are derived from imports.

    Snakemake gives one reason per job: a job downstream of a re-planned one says "Input files updated by
    another job" and not which of its own code inputs changed, so each rule that reaches an edit is also
    dry-run alone (``--allowed-rules``), where its reason must name every edited module it runs."""
    root, hub, _, first = run
    edits = ["evaluation/aggregate.py", "forecast/charts.py", "models/laws.py"]
    src = CODE / "src"
    paths = {e: src / "slothpipe" / e for e in edits}
    originals = {e: p.read_bytes() for e, p in paths.items()}
    scripts = scripts_of_rules()
    scripts_dir = CODE / "workflow" / "scripts"
    reaches = {
        rule: {e for e, p in paths.items() if p in modules_reached(src, script=scripts_dir / script)}
        for rule, script in scripts.items()
        if rule in planned_rules(first)
    }
    editing = sorted(rule for rule, edited in reaches.items() if edited)
    try:
        for e, p in paths.items():
            p.write_bytes(originals[e] + b"\n# edited by test_pipeline_e2e\n")
        plan = snakemake(root, *TARGETS, "--dry-run", hub=hub)
        assert plan.returncode == 0, output(plan)[-3000:]
        with ThreadPoolExecutor(4) as pool:
            runs = pool.map(lambda r: snakemake(root, *TARGETS, "-n", allowed_rules=[r], hub=hub), editing)
            alone = dict(zip(editing, runs, strict=True))
    finally:
        for e, p in paths.items():
            p.write_bytes(originals[e])
    planned: dict[str, list[str]] = {}
    for rule, reason in planned_reasons(output(plan)):
        planned.setdefault(rule, []).append(reason)
    assert not sorted(set(editing) - set(planned)), "rules that run an edited module but were not planned"
    for rule, reasons in planned.items():
        if rule in reaches and not reaches[rule]:  # planned only because an input is re-made
            assert all(r.startswith("Input files updated by another job:") for r in reasons), (rule, reasons)
    for rule, result in alone.items():
        assert result.returncode == 0, output(result)[-3000:]
        reasons = [reason for r, reason in planned_reasons(output(result)) if r == rule]
        assert reasons, f"{rule}: no job planned on its own"
        for reason in reasons:
            assert all(f"slothpipe/{e}" in reason for e in reaches[rule]), (rule, reaches[rule], reason)
    # the figure of the forecasts reaches charts.py, the fits do not: editing a chart refits nothing
    assert "forecast/charts.py" in reaches["forecast_figure"]
    assert "forecast/charts.py" not in reaches["evaluate_setting"] | reaches["forecast"]
    assert reaches["evaluate_setting"] == {"models/laws.py"}
    assert nothing_to_do(snakemake(root, *TARGETS, "--dry-run", hub=hub))


def test_a_forced_rerun_reproduces_every_output(run):
    """Same inputs, same bytes: the jobs that write tracked files run again (last in the module).

    Forced: the data stage and the plan, then one job of each table and figure rule (with modification
    times not a rerun trigger, so that the folds are not re-run for their newer inputs).  Not re-run: the
    fold jobs and their aggregation; that a fit gives the same bytes twice is checked where it is cheaper,
    by ``tests/models`` (same seed, equal arrays; the tracked Llama-3 fold to 1e-9) and by
    ``test_cluster.py`` (fold jobs run twice, equal files), and re-running the aggregation would re-run every
    figure and table job after it.  A rule's other jobs run the same code on other wildcards.
    """
    root, hub, _, first = run
    rules = planned_rules(first)
    assert {"evaluate_setting", "aggregate_errors", "heatmap_figure", "publish_result"} <= rules
    before = hashes(root)
    upstream = snakemake(root, "data", "results/evaluation/plan.json", "--forceall", hub=hub)
    assert upstream.returncode == 0, upstream.stderr[-4000:]
    upstream_rules = planned_rules(output(upstream))
    writers = sorted(rules - upstream_rules - {"evaluate_setting", "aggregate_errors", *TARGETS})
    writers.remove("publish_result")  # runs after every forced job
    triggers = ("--rerun-triggers", "code", "input", "params", "software-env")
    forced = one_job_per_rule(first, writers)
    downstream = snakemake(root, *TARGETS, *triggers, "--forcerun", *forced, hub=hub)
    assert downstream.returncode == 0, downstream.stderr[-4000:]
    ran = upstream_rules | planned_rules(output(downstream))
    assert ran == rules - {"evaluate_setting", "aggregate_errors"}, ran
    after = hashes(root)
    changed = [p for p in before if before[p] != after.get(p)]
    assert not changed, changed
