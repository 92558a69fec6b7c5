"""Tables of the prediction experiment: the MAE summary, the comparison with the paper, and Table 3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from slothpipe.evaluation.aggregate import AVERAGE, setting_table

#: The 12 benchmarks in the dataset's order (LB v1, then LB v2).
ALL_BENCHMARKS = [
    "MMLU",
    "ARC",
    "HellaSwag",
    "Winogrande",
    "TruthfulQA",
    "GSM8K",
    "IFEval",
    "BBH",
    "MATH Lvl 5",
    "GPQA",
    "MUSR",
    "MMLU-PRO",
]

COMPARISON_COLUMNS = ["suite", "n_train_models", "paper_method", "paper_mae_pp", "mae_pp", "delta_pp"]


def mae_summary(
    groups: pd.DataFrame,
    *,
    suites: Mapping[str, Sequence[str]],
    n_train_models: Sequence[int],
    methods: Sequence[Any],
    metric: str = "mae_pp",
) -> pd.DataFrame:
    """One row per suite x n_train_models x method: the "Average" error and one column per benchmark.

    ``methods`` are registry specs (``name``, ``label``, ``paper_code``) in figure order; ``metric`` is
    ``mae_pp`` or ``mape_pct``.
    """
    names = [m.name for m in methods]
    by_name = {m.name: m for m in methods}
    used = {b for benchmarks in suites.values() for b in benchmarks}
    bench_columns = [b for b in ALL_BENCHMARKS if b in used]
    bench_columns += [b for benchmarks in suites.values() for b in benchmarks if b not in bench_columns]
    rows = []
    for suite, benchmarks in suites.items():
        for n in n_train_models:
            table = setting_table(
                groups, suite=suite, n_train_models=n, methods=names, benchmarks=benchmarks, metric=metric
            )
            n_groups = groups.loc[
                (groups["suite"] == suite) & (groups["n_train_models"] == n), "group"
            ].nunique()
            for method, row in table.iterrows():
                spec = by_name[method]
                record = {
                    "suite": suite,
                    "n_train_models": n,
                    "method": method,
                    "label": spec.label,
                    "paper_method": spec.paper_code,
                    "n_test_groups": n_groups,
                    metric: row[AVERAGE],
                }
                record.update({b: row.get(b, np.nan) for b in bench_columns})
                rows.append(record)
    columns = [
        "suite",
        "n_train_models",
        "method",
        "label",
        "paper_method",
        "n_test_groups",
        metric,
        *bench_columns,
    ]
    out = pd.DataFrame(rows, columns=columns)
    for b in bench_columns:
        out[b] = out[b].astype(float)
    return out


def paper_comparison(summary: pd.DataFrame, paper: Mapping[Any, Any]) -> pd.DataFrame:
    """One row per setting x method of the paper's table (``config/paper_mae.yaml``), in the paper's order.

    ``mae_pp`` is ours (NaN if the method was not run), ``delta_pp = mae_pp - paper_mae_pp``.
    """
    ours = {
        (r.suite, int(r.n_train_models), r.paper_method): r.mae_pp for r in summary.itertuples(index=False)
    }
    rows = []
    for suite, by_n in paper.items():
        for n, entry in by_n.items():
            for code, paper_value in entry["mae_pp"].items():
                mine = ours.get((suite, int(n), code), np.nan)
                rows.append((suite, int(n), code, float(paper_value), mine, mine - float(paper_value)))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def model_table(
    dataset: pd.DataFrame, *, test_families: set[str], n_models_min: int = 2, benchmarks_v1: str = "MMLU"
) -> pd.DataFrame:
    """The paper's Table 3: every model usable in an experiment with its families and data availability.

    Usable = size and tokens known and a variant family with at least ``n_models_min`` such models (the
    paper's 164 rows).  Columns: Model, Family (variant family), OriginalFamily, TestFamily (the variant
    family is held out in some experiment), Leaderboard1 / Leaderboard2 (has LB v1 / v2 scores), HumanEval.
    """
    data = dataset.dropna(subset=["params_b", "tokens_t"])
    counts = data.groupby("variant_family")["model"].transform("size")
    data = data[counts >= n_models_min].sort_values(["model"], kind="mergesort")
    has_he = data["HumanEval"].notna() if "HumanEval" in data.columns else pd.Series(False, index=data.index)
    return pd.DataFrame(
        {
            "Model": data["model"].to_numpy(),
            "Family": data["variant_family"].to_numpy(),
            "OriginalFamily": data["family"].to_numpy(),
            "TestFamily": data["variant_family"].isin(test_families).to_numpy(),
            "Leaderboard1": data[benchmarks_v1].notna().to_numpy(),
            "Leaderboard2": data["IFEval"].notna().to_numpy(),
            "HumanEval": has_he.to_numpy(),
        }
    )


def _setting_blocks(summary: pd.DataFrame, suites: Mapping[str, Sequence[str]], metric: str):
    for (suite, n), block in summary.groupby(["suite", "n_train_models"], sort=False):
        columns = ["label", *suites[suite], metric]
        table = block[columns].rename(columns={"label": "method", metric: AVERAGE}).reset_index(drop=True)
        n_groups = int(block["n_test_groups"].iloc[0])
        yield suite, int(n), n_groups, table


def summary_markdown(
    summary: pd.DataFrame, suites: Mapping[str, Sequence[str]], *, metric: str = "mae_pp"
) -> str:
    """One Markdown table per setting (method x benchmarks + Average); the best value per column in bold."""
    from slothpipe.tables import to_markdown

    unit = "pp" if metric == "mae_pp" else "%"
    parts = [f"# Leave-one-family-out errors ({'MAE' if metric == 'mae_pp' else 'MAPE'}, {unit})\n"]
    for suite, n, n_groups, table in _setting_blocks(summary, suites, metric):
        bold = [(int(table[c].idxmin()), c) for c in table.columns[1:] if table[c].notna().any()]
        heading = f"LB {suite}, {n} smallest model(s) of the test family in training ({n_groups} groups)"
        parts.append(f"\n## {heading}\n\n")
        parts.append(to_markdown(table, digits=1, bold=bold))
    return "".join(parts)


def summary_latex(
    summary: pd.DataFrame, suites: Mapping[str, Sequence[str]], *, metric: str = "mae_pp"
) -> str:
    """One LaTeX table per setting."""
    from slothpipe.tables import to_latex

    parts = []
    for suite, n, n_groups, table in _setting_blocks(summary, suites, metric):
        caption = f"MAE (pp), LB {suite}, {n} training model(s) per test family ({n_groups} groups)."
        label = f"tab:mae-{suite.replace('+', '')}-n{n}"
        parts.append(to_latex(table, digits=1, caption=caption, label=label))
    return "\n".join(parts)


def comparison_markdown(comparison: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """The paper comparison as Markdown, one row per setting x method, with our method labels."""
    from slothpipe.tables import to_markdown

    table = comparison.copy()
    table.insert(3, "method", [labels.get(c, "") for c in table["paper_method"]])
    return to_markdown(table, digits={"paper_mae_pp": 2, "mae_pp": 2, "delta_pp": 2})
