"""The whole pipeline through snakemake on synthetic data, from a fake Hub and GitHub to figures and tables.

The leaderboards are simulated from a known Sloth model (d = 2 skills, sigmoid link, chance floors, four
original families, one with an instruct line, small noise), written in the exact Hub schemas, served by the
fake Hub of ``fake_servers.py`` and downloaded by the real huggingface_hub code.  The run uses automatic
held-out groups and a reduced method list.  Checked: every declared output exists, a second invocation has
nothing to do, the Sloth errors are small, and a forced re-run reproduces every tracked output byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from downstream_world import downstream_config, eq_bench_csv, simulate_dataset
from synthetic_sources import (
    FAMILIES,
    RUAN_BASE_HEADER,
    RUAN_INSTRUCT_HEADER,
    V1_SCHEMA,
    V2_SCHEMA,
    registry_row,
    v1_entry,
    v2_entry,
    write_leaderboard,
    write_registry,
    write_ruan,
)

from slothpipe.models.registry import CHANCE_LEVELS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
V1 = ["MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"]
V2 = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]
COMMIT = "43dad3252c7fab354de3ee2e197a0a467cb5d327"
METHODS = ["flops_shared", "flops", "pca_flops_d2", "sloth_basic_d2", "sloth_d2", "sloth_shared_d2"]


def simulate(seed: int = 0) -> pd.DataFrame:
    """Scores of every model from a d=2 Sloth with sigmoid link and chance floors, plus N(0, 0.004) noise."""
    rng = np.random.default_rng(seed)
    bench = V1 + V2
    beta = np.array([[0.9, 0.5], [0.3, 0.8], [0.05, -0.05]])  # rows: log S, log T, log S log T
    loadings = np.abs(rng.normal(0.8, 0.3, size=(len(bench), 2)))
    bias = rng.normal(-1.5, 0.3, size=len(bench))
    gamma = np.array([CHANCE_LEVELS[b] for b in bench])
    rows = []
    for variant, (family, instruct, tokens, sizes) in FAMILIES.items():
        alpha = rng.normal(0, 0.4, size=2) + (np.array([-0.2, 0.6]) if instruct else 0.0)
        for size in sizes:
            u, v = np.log(size), np.log(tokens)
            theta = np.array([u, v, u * v]) @ beta + alpha
            eta = loadings @ theta + bias
            y = gamma + (1 - gamma) / (1 + np.exp(-eta)) + rng.normal(0, 0.004, size=len(bench))
            name = f"{family}-{size:g}b" + ("-chat" if instruct else "")
            rows.append(
                {"model": name, "family": family, "variant": variant, "instruct": instruct, "params": size,
                 "tokens": tokens, **dict(zip(bench, np.clip(y, 0.0, 1.0), strict=True))}
            )  # fmt: skip
    return pd.DataFrame(rows)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_world(root: Path, hub, truth: pd.DataFrame) -> None:
    """Registry, config and downstream files under root/config; sources on the fake Hub and GitHub."""
    config_dir = root / "config"
    (config_dir / "downstream").mkdir(parents=True)
    registry, v1_rows, v2_rows = [], [], []
    for r in truth.itertuples(index=False):
        full = f"synth/{r.model}"
        has_v1 = r.model != "delta-9b"  # one model without LB v1 scores: absent from the v1 suites
        registry.append(
            registry_row(
                r.model,
                hf_id=full,
                family=r.family,
                variant_family=r.variant,
                instruct=str(r.instruct).lower(),
                v1_fullname=full if has_v1 else "",
                v2_fullname=full,
                params_b_paper=f"{r.params:g}",
                tokens_t_paper=f"{r.tokens:g}",
            )
        )
        if has_v1:
            v1_rows.append(v1_entry(full, {b: round(getattr(r, b) * 100, 2) for b in V1}))
    for r in truth.to_dict("records"):
        v2_rows.append(v2_entry(f"synth/{r['model']}", {b: r[b] for b in V2}))
    write_registry(config_dir / "models.csv", registry)
    (config_dir / "downstream" / "humaneval_evalplus.csv").write_text(
        "model,score,source\n", encoding="utf-8"
    )
    # EQ-Bench-like scores for the downstream stage (same model names; no HumanEval in this world)
    eq_bench = eq_bench_csv(simulate_dataset())
    (config_dir / "downstream" / "eq_bench.csv").write_text(eq_bench, encoding="utf-8")

    tmp = root / "_sources"
    tmp.mkdir()
    v1_path = write_leaderboard(tmp / "v1.parquet", V1_SCHEMA, v1_rows)
    v2_path = write_leaderboard(tmp / "v2.parquet", V2_SCHEMA, v2_rows)
    hub.add_commit(
        "open-llm-leaderboard-old/contents", {"data/train-00000-of-00001-abc.parquet": v1_path.read_bytes()}
    )
    hub.add_commit(
        "open-llm-leaderboard/contents", {"data/train-00000-of-00001.parquet": v2_path.read_bytes()}
    )
    github = {}
    for key, (header, path) in {
        "obsscaling_base": (RUAN_BASE_HEADER, "eval_results/base_llm_benchmark_eval.csv"),
        "obsscaling_instruct": (RUAN_INSTRUCT_HEADER, "eval_results/instruct_llm_benchmark_eval.csv"),
        "obsscaling_agent": (("Model", "ABench-OA"), "eval_results/instruct_llm_agent_eval.csv"),
    }.items():
        local = write_ruan(tmp / f"{key}.csv", header, [{"Model": "someone/unrelated-7b"}])
        hub.add_github_file("ryoungj/ObsScaling", COMMIT, path, local.read_bytes())
        github[key] = {"repo": "ryoungj/ObsScaling", "commit": COMMIT, "path": path, "sha256": sha(local)}

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["sources"]["github"] = github
    config.pop("obsscaling", None)  # its tables are not in this world; tests/obsscaling runs that stage
    config["evaluation"].update(
        groups="auto",
        n_train_models=[1],
        methods=METHODS,
        paper_groups="config/paper_test_groups.yaml",
        paper_mae="config/paper_mae.yaml",
    )
    config["downstream"] = downstream_config(tasks=("eq_bench",))
    # The interpretation stage runs (it is part of `all`) but nothing here checks it: the smallest settings
    # that exercise every rule (its own tests in tests/interpretation/ check its numbers).
    config["interpretation"].update(n_skills=[2, 3], n_restarts=2, rotation_starts=2)
    (config_dir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (config_dir / "paper_test_groups.yaml").write_text("{}\n", encoding="utf-8")
    paper_mae = {
        "v1": {1: {"n_test_groups": 4, "mae_pp": {"factor_sigmoid_faminter_d=2": 1.0, "pca_d=9": 2.0}}}
    }
    (config_dir / "paper_mae.yaml").write_text(yaml.safe_dump(paper_mae), encoding="utf-8")


def snakemake(root: Path, hub, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(
        HF_ENDPOINT=hub.url,
        HF_HOME=str(root / "_hf_home"),
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        SLOTHPIPE_GITHUB_RAW_URL=f"{hub.url}/github",
    )
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root), "--cores", "2"]
    return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=900)


def tracked(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): sha(p) for p in sorted((root / "results").rglob("*")) if p.is_file()}


def test_synthetic_pipeline_end_to_end(fake_hub, tmp_path):
    truth = simulate()
    write_world(tmp_path, fake_hub, truth)

    first = snakemake(tmp_path, fake_hub)
    assert first.returncode == 0, first.stderr[-4000:]

    results = tmp_path / "results"
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
        *[f"figures/{name}.{ext}" for ext in ("pdf", "png") for name in (
            "fig01_errors_n1", "fig10_mape_n1", "fig11_errors_n1_complete", "fig12_errors_v1v2_n1",
            "fig12_errors_v1v2_n1_complete", "fig13_family_errors_v1_n1", "fig14_family_errors_v2_n1",
            "fig15_family_errors_v1v2_n1", "fig03_shared_intercept")],
    ]  # fmt: skip
    missing = [p for p in expected if not (results / p).is_file()]
    assert not missing, missing
    assert not (results / "figures" / "fig16_errors_n2.pdf").exists()  # n_train_models=2 not configured

    # Every declared output exists and is up to date.
    again = snakemake(tmp_path, fake_hub, "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr

    # The report holds every figure and table, captioned from results/README.md, grouped by its sections.
    report = snakemake(tmp_path, fake_hub, "--report", str(tmp_path / "report.zip"))
    assert report.returncode == 0, report.stderr[-4000:]
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        names = {Path(n).name for n in archive.namelist()}
        html = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("report.html"))
    shown = [p for p in (results / "figures").rglob("*") if p.is_file()] + [
        p for p in (results / "tables").rglob("*") if p.is_file()
    ]
    assert shown and not [p.name for p in shown if p.name not in names]
    assert "Prediction experiment" in html and "Reproduces: Fig. 1." in html

    # The data round-tripped: dataset scores equal the simulated ones (v1 rounded to 0.01 pp).
    dataset = pd.read_parquet(results / "data" / "dataset.parquet").set_index("model")
    sim = truth.set_index("model")
    assert dataset.loc[sim.index, "IFEval"].to_numpy() == pytest.approx(sim["IFEval"].to_numpy())
    assert dataset.loc[sim.index.drop("delta-9b"), "MMLU"].to_numpy() == pytest.approx(
        sim["MMLU"].drop("delta-9b").to_numpy(), abs=6e-5
    )

    # Automatic groups: one per original family; alpha holds its base and chat lines.
    plan = yaml.safe_load((results / "evaluation" / "plan.json").read_text())
    v2 = next(s for s in plan["settings"] if s["suite"] == "v2")
    assert [(g["id"], g["families"]) for g in v2["groups"]] == [
        ("alpha", ["alpha", "alpha-chat"]),
        ("beta", ["beta"]),
        ("delta", ["delta"]),
        ("gamma", ["gamma"]),
    ]

    # The data follow a d=2 Sloth: Sloth basic (d=2) extrapolates within ~1 pp and beats FLOPs (shared).
    summary = pd.read_csv(results / "tables" / "mae_summary.csv")
    basic = summary[summary["method"] == "sloth_basic_d2"].set_index("suite")["mae_pp"]
    owen = summary[summary["method"] == "flops_shared"].set_index("suite")["mae_pp"]
    assert (basic < 1.5).all(), basic
    assert (basic < owen).all(), (basic, owen)
    comparison = pd.read_csv(results / "tables" / "paper_comparison.csv")
    assert comparison["paper_method"].tolist() == ["factor_sigmoid_faminter_d=2", "pca_d=9"]
    assert np.isfinite(comparison["mae_pp"].iloc[0]) and np.isnan(comparison["mae_pp"].iloc[1])

    # Same inputs, same bytes: a forced re-run of every job reproduces every output.
    before = tracked(tmp_path)
    rerun = snakemake(tmp_path, fake_hub, "--forceall")
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    after = tracked(tmp_path)
    changed = [p for p in before if before[p] != after.get(p)]
    assert not changed, changed
