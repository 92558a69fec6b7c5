"""The README's headline table: average MAE of the main methods in every setting, ours next to the paper's.

Built from ``results/tables/paper_comparison.csv`` (one row per suite x n_train_models x paper method).
Rows are the methods of the paper's main heat-maps in figure order (FLOPs (shared intercept), FLOPs, Size and
Tokens, PCA + FLOPs, Sloth basic, Sloth); columns the settings in the order of the comparison; each cell reads
``ours (paper)`` in percentage points with one decimal, as the paper's figures print them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slothpipe.errors import DataError
from slothpipe.tables import to_markdown

import pandas as pd


def setting_label(suite: str, n_train_models: int) -> str:
    return f"LB {suite}, {n_train_models} model{'s' if n_train_models > 1 else ''}"


def headline_table(comparison: pd.DataFrame, methods: Sequence[Any]) -> pd.DataFrame:
    """One row per method of ``methods`` (registry specs, in order): ``method`` then one column per setting.

    Methods missing from ``comparison`` (not selected in the run) are left out; a setting without a value for
    a method gets an empty cell.
    """
    missing = [
        c
        for c in ("suite", "n_train_models", "paper_method", "paper_mae_pp", "mae_pp")
        if c not in comparison
    ]
    if missing:
        raise DataError(f"paper comparison: missing column(s) {missing}")
    settings = list(dict.fromkeys(zip(comparison["suite"], comparison["n_train_models"], strict=True)))
    cells = {
        (row.suite, row.n_train_models, row.paper_method): f"{row.mae_pp:.1f} ({row.paper_mae_pp:.1f})"
        for row in comparison.itertuples(index=False)
    }
    present = set(comparison["paper_method"])
    rows = []
    for spec in methods:
        if spec.paper_code not in present:
            continue
        row = {"method": spec.label}
        for suite, n in settings:
            row[setting_label(suite, n)] = cells.get((suite, n, spec.paper_code), "")
        rows.append(row)
    return pd.DataFrame(rows, columns=["method", *(setting_label(s, n) for s, n in settings)])


def headline_markdown(comparison: pd.DataFrame, methods: Sequence[Any]) -> str:
    """The headline table as Markdown, with a one-line legend."""
    table = headline_table(comparison, methods)
    legend = "Average MAE over held-out groups, percentage points: ours (paper).\n\n"
    return legend + to_markdown(table)
