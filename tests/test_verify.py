"""python -m slothpipe.verify: rebuilt tables against tracked ones, one line per table, within tolerances."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from slothpipe import verify

REPO = Path(__file__).resolve().parents[1]


def _summary(mae: float, gsm8k: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"suite": ["v1", "v1"], "method": ["flops", "sloth_d2"], "mae_pp": [4.0, mae], "GSM8K": [5.0, gsm8k]}
    )


def test_every_tracked_table_has_a_tolerance():
    listed = subprocess.run(
        ["git", "ls-files", "results"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    tables = [p for p in listed if p.endswith(".csv") and "/data/" not in p]
    assert tables, "no tracked tables found"
    assert [p for p in tables if verify.tolerance_for(p) is None] == []


def test_column_tolerances_apply_to_their_column_only():
    tol = verify.tolerance_for("results/tables/mae_summary.csv")
    ref = _summary(3.0, 6.0)
    # a benchmark cell may move more than the method average
    ok, detail = verify.compare_frames(_summary(3.0, 6.0 + 0.9 * tol.atol), ref, tol)
    assert ok and "'GSM8K'" in detail
    ok, detail = verify.compare_frames(_summary(3.0 + 2 * tol.for_column("mae_pp"), 6.0), ref, tol)
    assert not ok and "'mae_pp', row 2 (v1, sloth_d2)" in detail


def test_text_columns_rows_and_missing_values_must_match_exactly():
    ref = _summary(3.0, 6.0)
    other = ref.assign(method=["flops", "sloth_d3"])
    expected = (False, "column 'method', row 2: 'sloth_d3' vs 'sloth_d2'")
    assert verify.compare_frames(other, ref, 1.0) == expected
    assert not verify.compare_frames(ref.iloc[:1], ref, 1.0)[0]
    assert not verify.compare_frames(_summary(3.0, float("nan")), ref, 1.0)[0]


@pytest.mark.parametrize("delta, status, code", [(0.0, "agree ", 0), (0.5, "differ", 1)])
def test_command_prints_one_line_per_table_and_fails_on_a_difference(tmp_path, delta, status, code):
    name = "results/tables/mae_summary.csv"
    for root, shift in ((tmp_path / "ref", 0.0), (tmp_path / "new", delta)):
        (root / "results" / "tables").mkdir(parents=True)
        _summary(3.0 + shift, 6.0).to_csv(root / name, index=False)
    args = ["--root", str(tmp_path / "new"), "--reference", str(tmp_path / "ref"), name]
    res = subprocess.run(
        [sys.executable, "-m", "slothpipe.verify", *args],
        capture_output=True,
        text=True,
    )
    lines = res.stdout.splitlines()
    assert res.returncode == code
    assert lines[0].startswith(f"{status}  {name}  worst |Δ| {delta:.4g}")
    assert lines[-1] == f"{1 - code} of 1 tables agree within their tolerances"
