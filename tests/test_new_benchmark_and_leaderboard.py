"""A 13th benchmark on a third leaderboard, added through the benchmark and source tables only.

The workflow and the package are copied, and only the copy's ``src/slothpipe/leaderboards.py`` is edited: one
row in the source table (``leaderboard_v3``) and one in the benchmark table (``ZebraQA``, a synthetic
benchmark).  The synthetic world (``world.py``, on an offline mirror) gets what a user would add besides:
the new leaderboard's file in the mirror, its ``sources.hub`` entry and suites in the config, and its link
column in the registry (``docs/contributing.md``).  The run covers the stages that the tables feed: download
and clean, the evaluation of the new suite, the error heat-map of Figure 1 (one panel per leaderboard) and a
motivation scatter of the new benchmark, with one cheap method, one training model and three held-out
families.
"""

from __future__ import annotations

import csv
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from snakemake_runner import environment, snakemake
from world import simulate_families, write_world

pytestmark = pytest.mark.slow(seconds=45)

REPO = Path(__file__).resolve().parents[1]
TABLES = Path("src") / "slothpipe" / "leaderboards.py"
NEW_SOURCE = """    Source("leaderboard_v3", "leaderboard", "v3", link="v3_fullname"),
"""
NEW_BENCHMARK = """    Benchmark("ZebraQA", "leaderboard_v3", "ZebraQA Raw", 0.2, "ZQA", 12, "Reasoning"),
"""
V3_MIRROR = "hub/synthetic/leaderboard-v3/data/train-00000-of-00001.parquet"
TARGETS = (
    "results/data/dataset.parquet",
    "results/evaluation/group_errors.parquet",
    "results/figures/fig01_errors_n1.png",
    "results/figures/motivation/zebraqa.png",
)


def copy_workflow(dest: Path) -> Path:
    """The Snakefile, workflow, package and the files the workflow reads from its own directory."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    dest.mkdir()
    shutil.copy2(REPO / "Snakefile", dest / "Snakefile")
    for tree in ("workflow", "src", "docs"):
        shutil.copytree(REPO / tree, dest / tree, ignore=ignore)
    (dest / "results").mkdir()
    shutil.copy2(REPO / "results" / "README.md", dest / "results" / "README.md")
    return dest


def add_rows(path: Path) -> None:
    """Insert the new source before the fill sources and the new benchmark at the end of its table."""
    text = path.read_text(encoding="utf-8")
    anchor = '    Source("obsscaling_base"'
    assert text.count(anchor) == 1
    text = text.replace(anchor, NEW_SOURCE + anchor)
    end = ")\n# fmt: on"
    assert text.count(end) == 1
    text = text.replace(end, NEW_BENCHMARK + end)
    path.write_text(text, encoding="utf-8")


def extend_world(root: Path) -> pd.Series:
    """The third leaderboard in the mirror, its link column in the registry, its source and suites in the
    config.  Returns the simulated ZebraQA score of each registry model."""
    registry = root / "config" / "models.csv"
    with open(registry, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    columns = list(rows[0])
    columns.insert(columns.index("v2_fullname") + 1, "v3_fullname")
    rng = np.random.default_rng(3)
    scores = {}
    for row in rows:
        row["v3_fullname"] = row["v2_fullname"]
        # a score that grows with size, above the 0.2 floor
        scores[row["model"]] = float(np.clip(0.2 + 0.1 * np.log(float(row["params_b_paper"])), 0.21, 0.95))
        scores[row["model"]] = round(scores[row["model"]] + rng.normal(0, 0.005), 4)
    with open(registry, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    table = pa.table(
        {
            "fullname": [r["v3_fullname"] for r in rows],
            "ZebraQA Raw": [scores[r["model"]] for r in rows],
        }
    )
    path = root / "mirror" / V3_MIRROR
    path.parent.mkdir(parents=True)
    pq.write_table(table, path)

    config_path = root / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["sources"]["hub"]["leaderboard_v3"] = {
        "repo_id": "synthetic/leaderboard-v3",
        "revision": "main",
        "file_glob": "data/train-*.parquet",
    }
    # v2 beside the new suite: the heat-map shows both leaderboards side by side (fewer folds than all three)
    config["evaluation"]["suites"] = {"v2": config["evaluation"]["suites"]["v2"], "v3": ["ZebraQA"]}
    config["evaluation"]["methods"] = ["flops"]
    config["interpretation"]["motivation"]["benchmarks"] = ["ZebraQA"]
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return pd.Series(scores)


def test_a_benchmark_and_a_leaderboard_added_through_the_tables_only(tmp_path):
    code = copy_workflow(tmp_path / "code")
    add_rows(code / TABLES)
    changed = [
        str(p.relative_to(code))
        for p in sorted(code.rglob("*.py"))
        if (REPO / p.relative_to(code)).is_file()
        and not filecmp.cmp(p, REPO / p.relative_to(code), shallow=False)
    ]
    assert changed == [str(TABLES)]

    root = tmp_path / "world"
    root.mkdir()
    write_world(root, simulate_families())
    truth = extend_world(root)

    env = environment()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code / "src"), env.get("PYTHONPATH", "")) if p)
    run = snakemake(root, *TARGETS, snakefile=code / "Snakefile", mirror=root / "mirror", env=env)
    assert run.returncode == 0, run.stderr[-4000:]

    results = root / "results"
    missing = [t for t in TARGETS if not (root / t).is_file()]
    assert not missing, missing

    # The dataset has the new benchmark after the twelve, with its provenance.
    dataset = pd.read_parquet(results / "data" / "dataset.parquet").set_index("model")
    columns = list(dataset.columns)
    assert columns[columns.index("MMLU-PRO") + 1] == "ZebraQA"
    assert ["source_v3", "row_v3"] == columns[columns.index("row_v2") + 1 : columns.index("row_v2") + 3]
    assert dataset["ZebraQA"].to_numpy() == pytest.approx(truth[dataset.index].to_numpy())
    assert set(dataset["source_v3"]) == {"leaderboard_v3"}
    assert (results / "data" / "manifests" / "leaderboard_v3.json").is_file()

    # The new suite was evaluated: errors of the new benchmark for every held-out group, in its suite only.
    errors = pd.read_parquet(results / "evaluation" / "group_errors.parquet")
    assert set(errors["suite"]) == {"v2", "v3"}
    zebra = errors[errors["benchmark"] == "ZebraQA"]
    assert set(zebra["suite"]) == {"v3"} and zebra["group"].nunique() == 3
    assert np.isfinite(zebra["mae_pp"]).all()

    # The heat-map of Figure 1 has a panel per configured leaderboard suite, the new one included.
    probe = "from slothpipe.figure_plan import heatmap_figures; print(heatmap_figures(['v2', 'v3'], [1]))"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert "'fig01_errors_n1': {'panels': [('v2', 1), ('v3', 1)]" in out.stdout
