"""Aggregation of per-fold errors into the paper's numbers (paper §4.2).

* Per test model and benchmark: absolute error in percentage points (``abs_error_pp`` of the fold tables).
* Within a held-out group: mean over the group's test models (per benchmark).
* Reported cell: mean over groups, every group weighted equally whatever its number of test models.
* "Average" column: mean of the per-benchmark cells (equal to the mean over groups of the within-group MAE
  over all benchmarks, since every test model has every benchmark of its suite).

MAPE (the paper's Figure 10 gives no definition): absolute percentage error ``100·|ŷ − y| / y`` in percent,
computed only for entries whose true score is at least ``MAPE_MIN_SCORE`` (1 pp).  Scores below that, mostly
0 on the maths benchmarks for small models, make a relative error meaningless (division by zero or by a
rounding residue); they are left out and counted in ``n_mape_excluded``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

MAPE_MIN_SCORE = 0.01
AVERAGE = "Average"
SETTING = ["suite", "n_train_models"]


def group_errors(errors: pd.DataFrame) -> pd.DataFrame:
    """Per (suite, n_train_models, method, group, benchmark): mean over the group's test models.

    Columns: the keys, ``n_test_models``, ``mae_pp``, ``mape_pct`` (NaN when every test score of the group is
    below :data:`MAPE_MIN_SCORE`) and ``n_mape_excluded``.
    """
    data = errors.copy()
    valid = data["y_true"] >= MAPE_MIN_SCORE
    data["ape"] = np.where(valid, data["abs_error_pp"] / np.where(valid, data["y_true"], 1.0), np.nan)
    data["excluded"] = ~valid
    keys = [*SETTING, "method", "group", "benchmark"]
    grouped = data.groupby(keys, sort=True)
    out = grouped.agg(
        n_test_models=("model", "size"),
        mae_pp=("abs_error_pp", "mean"),
        mape_pct=("ape", "mean"),
        n_mape_excluded=("excluded", "sum"),
    ).reset_index()
    out["n_mape_excluded"] = out["n_mape_excluded"].astype("int64")
    return out


def setting_table(
    groups: pd.DataFrame,
    *,
    suite: str,
    n_train_models: int,
    methods: Sequence[str],
    benchmarks: Sequence[str],
    metric: str = "mae_pp",
) -> pd.DataFrame:
    """Method x benchmark table (mean over groups) plus the "Average" column, for one setting.

    Rows follow ``methods``; methods absent from the data are dropped.
    """
    sub = groups[(groups["suite"] == suite) & (groups["n_train_models"] == n_train_models)]
    table = sub.pivot_table(index="method", columns="benchmark", values=metric, aggfunc="mean")
    rows = [m for m in methods if m in table.index]
    table = table.reindex(index=rows, columns=list(benchmarks))
    table[AVERAGE] = table[list(benchmarks)].mean(axis=1)
    table.index.name = "method"
    table.columns.name = None
    return table


def family_table(
    groups: pd.DataFrame,
    *,
    suite: str,
    n_train_models: int,
    methods: Sequence[str],
    group_order: Sequence[str],
    metric: str = "mae_pp",
) -> pd.DataFrame:
    """Method x held-out group table: within-group error averaged over the suite's benchmarks."""
    sub = groups[(groups["suite"] == suite) & (groups["n_train_models"] == n_train_models)]
    table = sub.pivot_table(index="method", columns="group", values=metric, aggfunc="mean")
    rows = [m for m in methods if m in table.index]
    cols = [g for g in group_order if g in table.columns]
    table = table.reindex(index=rows, columns=cols)
    table.index.name = "method"
    table.columns.name = None
    return table


def group_sizes(groups: pd.DataFrame, *, suite: str, n_train_models: int) -> dict[str, int]:
    """Number of test models per group of one setting."""
    sub = groups[(groups["suite"] == suite) & (groups["n_train_models"] == n_train_models)]
    return {g: int(n) for g, n in sub.groupby("group", sort=False)["n_test_models"].max().items()}
