"""A small synthetic world served from an offline mirror, for tests that run the workflow through snakemake.

The sources are written in the real Hub and GitHub schemas under ``<root>/mirror`` (laid out as
``--config offline_mirror=DIR`` expects); the registry, config and downstream files under ``<root>/config``.
The evaluation uses three families, the suites v1 and v2, automatic groups, one training model and one cheap
method (PCA + FLOPs, d=1): six fold jobs of about a second each.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from downstream_world import V1, V2, downstream_config, eq_bench_csv, simulate_dataset
from synthetic_sources import (
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

REPO = Path(__file__).resolve().parents[1]
COMMIT = "43dad3252c7fab354de3ee2e197a0a467cb5d327"
V1_MIRROR = "hub/open-llm-leaderboard-old/contents/data/train-00000-of-00001.parquet"
V2_MIRROR = "hub/open-llm-leaderboard/contents/data/train-00000-of-00001.parquet"
# The targets of the baseline run: the data stage (the README's `snakemake data`), a table and the plan.
TARGETS = ("data", "results/tables/mae_summary.csv", "results/evaluation/plan.json")
# Three original families without instruct lines: three held-out groups, six fold jobs.
FAMILIES = ("alpha", "beta", "gamma")


def simulate() -> pd.DataFrame:
    truth = simulate_dataset()
    return truth[truth["variant_family"].isin(FAMILIES)].reset_index(drop=True)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def v2_rows(truth, bump: dict[str, float] | None = None) -> list[dict]:
    """Leaderboard-v2 rows of every model; ``bump`` adds to the MUSR score of the named models."""
    bump = bump or {}
    return [
        v2_entry(
            f"synth/{r['model']}",
            {b: r[b] + (bump.get(r["model"], 0.0) if b == "MUSR" else 0.0) for b in V2},
        )
        for r in truth.to_dict("records")
    ]


def write_world(root: Path) -> None:
    truth = simulate()
    config_dir = root / "config"
    (config_dir / "downstream").mkdir(parents=True)
    registry, v1 = [], []
    for r in truth.to_dict("records"):
        full = f"synth/{r['model']}"
        registry.append(
            registry_row(
                r["model"],
                hf_id=full,
                family=r["family"],
                variant_family=r["variant_family"],
                instruct=str(r["instruct"]).lower(),
                v1_fullname=full,
                v2_fullname=full,
                params_b_paper=f"{r['params_b']:g}",
                tokens_t_paper=f"{r['tokens_t']:g}",
            )
        )
        v1.append(v1_entry(full, {b: round(r[b] * 100, 2) for b in V1}))
    write_registry(config_dir / "models.csv", registry)
    (config_dir / "downstream" / "humaneval_evalplus.csv").write_text(
        "model,score,source\n", encoding="utf-8"
    )
    (config_dir / "downstream" / "eq_bench.csv").write_text(eq_bench_csv(truth), encoding="utf-8")

    mirror = root / "mirror"
    for rel, schema, rows in ((V1_MIRROR, V1_SCHEMA, v1), (V2_MIRROR, V2_SCHEMA, v2_rows(truth))):
        (mirror / rel).parent.mkdir(parents=True)
        write_leaderboard(mirror / rel, schema, rows)
    github = {}
    for key, (header, path) in {
        "obsscaling_base": (RUAN_BASE_HEADER, "eval_results/base_llm_benchmark_eval.csv"),
        "obsscaling_instruct": (RUAN_INSTRUCT_HEADER, "eval_results/instruct_llm_benchmark_eval.csv"),
        "obsscaling_agent": (("Model", "ABench-OA"), "eval_results/instruct_llm_agent_eval.csv"),
    }.items():
        local = mirror / "github" / "ryoungj" / "ObsScaling" / COMMIT / path
        local.parent.mkdir(parents=True, exist_ok=True)
        write_ruan(local, header, [{"Model": "someone/unrelated-7b"}])
        github[key] = {"repo": "ryoungj/ObsScaling", "commit": COMMIT, "path": path, "sha256": sha(local)}

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["sources"]["github"] = github
    config["evaluation"].update(
        groups="auto", n_train_models=[1], methods=["pca_flops_d1"], suites={"v1": list(V1), "v2": list(V2)}
    )
    config["downstream"] = downstream_config(tasks=("eq_bench",))
    config.pop("obsscaling", None)  # its tables are not in this world; tests/obsscaling runs that stage
    (config_dir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (config_dir / "paper_test_groups.yaml").write_text("{}\n", encoding="utf-8")
    paper_mae = {"v1": {1: {"n_test_groups": 4, "mae_pp": {"pca_d=1": 1.0}}}}
    (config_dir / "paper_mae.yaml").write_text(yaml.safe_dump(paper_mae), encoding="utf-8")


def command(root: Path, *args: str, mirror: Path | None = None, config: tuple[str, ...] = ()) -> list[str]:
    """The snakemake command line for the world at ``root`` (targets and options in ``args``)."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root)]
    cmd += ["--cores", "2", *args, "--config", f"offline_mirror={mirror or root / 'mirror'}", *config]
    return cmd


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env["HF_HUB_OFFLINE"] = "1"
    return env


def snakemake(
    root: Path, *args: str, mirror: Path | None = None, config: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    cmd = command(root, *args, mirror=mirror, config=config)
    return subprocess.run(cmd, env=environment(), capture_output=True, text=True, timeout=600)


def tracked(root: Path) -> dict[str, str]:
    """sha256 of every file under results/ that git tracks in the real repository (not the per-fold files)."""
    return {
        str(p.relative_to(root)): sha(p)
        for p in sorted((root / "results").rglob("*"))
        if p.is_file() and "evaluation/folds/" not in p.as_posix()
    }


def planned_jobs(output: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a snakemake run or dry run printed."""
    jobs, rule = [], None
    for line in output.splitlines():
        stripped = line.strip()
        for prefix in ("rule ", "localrule ", "checkpoint ", "localcheckpoint "):
            if stripped.startswith(prefix) and stripped.endswith(":"):
                if rule is not None:
                    jobs.append((rule, ""))
                rule = stripped[len(prefix) : -1]
        if rule is not None and stripped.startswith("wildcards:"):
            jobs.append((rule, stripped[len("wildcards:") :].strip()))
            rule = None
    if rule is not None:
        jobs.append((rule, ""))
    return jobs
