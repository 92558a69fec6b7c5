"""The data stage reproduces the paper's compiled dataset (needs the real snapshots in ../shared).

Builds the dataset from the raw files in ../shared (the same files ``offline_mirror=../shared`` gives the
pipeline) with ``metadata="paper"`` and compares it with ``../shared/reference/sloth_data_v2.csv``:

- every benchmark (the 12 and HumanEval) within 1e-4, NaN where the paper has none, for every paper model;
- ``Family`` -> ``family``, ``Family2`` -> ``variant_family``, ``Instruct`` -> ``instruct`` exactly;
- ``#Params (B)`` -> ``params_b``, ``Pretraining Data Size (T)`` -> ``tokens_t``, ``FLOPs (1E21)`` ->
  ``flops_1e21`` to a relative 1e-9.

Explained exceptions live in ``reference_allowlist.csv`` (model, column, reason).  The test fails on any
difference not listed there, and on a listed entry that no longer differs, so that the list stays honest.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from slothpipe.data import BENCHMARKS, build_dataset

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
PARQUET = "train-00000-of-00001.parquet"
ALLOWLIST = HERE / "reference_allowlist.csv"
SCORE_TOL = 1e-4
SCALE_RTOL = 1e-9
# dataset column -> reference column
SCORE_COLUMNS = {b: b for b in (*BENCHMARKS, "HumanEval")}
EXACT_COLUMNS = {"family": "Family", "variant_family": "Family2", "instruct": "Instruct"}
SCALE_COLUMNS = {
    "params_b": "#Params (B)",
    "tokens_t": "Pretraining Data Size (T)",
    "flops_1e21": "FLOPs (1E21)",
}
ALL_COLUMNS = {**SCORE_COLUMNS, **EXACT_COLUMNS, **SCALE_COLUMNS}


def read_allowlist(path: Path = ALLOWLIST) -> dict[tuple[str, str], str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    entries: dict[tuple[str, str], str] = {}
    for i, rec in enumerate(csv.DictReader(lines)):
        key = (rec["model"], rec["column"])
        assert key not in entries, f"{path}: duplicate entry {key}"
        assert rec["column"] in ALL_COLUMNS, f"{path}: unknown column {rec['column']!r} (entry {i + 1})"
        assert rec["reason"].strip(), f"{path}: entry {key} needs a reason"
        entries[key] = rec["reason"]
    return entries


def differences(dataset: pd.DataFrame, reference: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(model, column) -> description, for every paper model and compared column."""
    ours = dataset.set_index("model")
    out: dict[tuple[str, str], str] = {}
    for model, ref in reference.iterrows():
        if model not in ours.index:
            out[(model, "model")] = "missing from the dataset"
            continue
        row = ours.loc[model]
        for col, ref_col in ALL_COLUMNS.items():
            a, b = row[col], ref[ref_col]
            if col in EXACT_COLUMNS:
                same = a == b
            else:
                a, b = float(a), float(b)
                tol = SCORE_TOL if col in SCORE_COLUMNS else SCALE_RTOL * max(1.0, abs(b))
                same = (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol
            if not same:
                out[(model, col)] = f"dataset {a!r} vs paper {b!r}"
    return out


def test_allowlist_is_well_formed():
    read_allowlist()


@pytest.mark.shared
def test_dataset_reproduces_the_paper(shared_dir):
    raw = (
        shared_dir
        / "github"
        / "ryoungj"
        / "ObsScaling"
        / "43dad3252c7fab354de3ee2e197a0a467cb5d327"
        / "eval_results"
    )
    hub = shared_dir / "hub"
    dataset, _ = build_dataset(
        REPO_ROOT / "config" / "models.csv",
        {
            "leaderboard_v1": hub / "open-llm-leaderboard-old" / "contents" / "data" / PARQUET,
            "leaderboard_v2": hub / "open-llm-leaderboard" / "contents" / "data" / PARQUET,
            "obsscaling_base": raw / "base_llm_benchmark_eval.csv",
            "obsscaling_instruct": raw / "instruct_llm_benchmark_eval.csv",
        },
        REPO_ROOT / "config" / "downstream" / "humaneval_evalplus.csv",
        metadata="paper",
    )
    reference = pd.read_csv(shared_dir / "reference" / "sloth_data_v2.csv", index_col="Model")
    assert len(reference) == 188
    found = differences(dataset, reference)
    allowed = read_allowlist()
    unexplained = {k: v for k, v in found.items() if k not in allowed}
    stale = sorted(k for k in allowed if k not in found)
    report = [f"{m} {c}: {d}" for (m, c), d in sorted(unexplained.items())]
    assert not unexplained, "differences from the paper not in reference_allowlist.csv:\n" + "\n".join(report)
    assert not stale, f"reference_allowlist.csv entries that no longer differ (remove them): {stale}"
    # The experiment rows (those with tokens) are all compared; say how many there are.
    assert reference["Pretraining Data Size (T)"].notna().sum() == 175
