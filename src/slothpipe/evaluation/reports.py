"""Tables of the prediction experiment: the MAE summary, the comparison with the paper, and Table 3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slothpipe.evaluation.aggregate import AVERAGE, setting_table
from slothpipe.leaderboards import BENCHMARKS, benchmarks_of, leaderboard

import numpy as np
import pandas as pd

#: Every benchmark in the dataset's order (LB v1, then LB v2), from the benchmark table.
ALL_BENCHMARKS = list(BENCHMARKS)

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
    dataset: pd.DataFrame,
    *,
    test_families: set[str],
    n_models_min: int = 2,
    benchmarks_v1: str | None = None,
    benchmarks_v2: str | None = None,
) -> pd.DataFrame:
    """The paper's Table 3: every model usable in an experiment with its families and data availability.

    Usable = size and tokens known and a variant family with at least ``n_models_min`` such models (the
    paper's 164 rows).  Columns: Model, Family (variant family), OriginalFamily, TestFamily (the variant
    family is held out in some experiment), Leaderboard1 / Leaderboard2 (has LB v1 / v2 scores: a score of
    ``benchmarks_v1`` / ``benchmarks_v2``, by default the first benchmark of each leaderboard), HumanEval.
    """
    benchmarks_v1 = benchmarks_v1 or benchmarks_of(leaderboard("v1").key)[0]
    benchmarks_v2 = benchmarks_v2 or benchmarks_of(leaderboard("v2").key)[0]
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
            "Leaderboard2": data[benchmarks_v2].notna().to_numpy(),
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


# ---------------------------------------------------------------------------------------- fidelity targets

#: Tolerances of the fidelity targets (pp): fixed-link methods (sigmoid link, PCA + FLOPs) within this of the
#: paper in every setting; trainable-link methods' mean signed delta over the settings at most this; Sloth's
#: best-d error per setting at most this above the paper's best-d error.
FIXED_LINK_TOL_PP = 0.5
TRAINABLE_MEAN_TOL_PP = 0.5
SLOTH_BEST_D_TOL_PP = 0.5
#: The paper codes of "Sloth (d=k)" (family intercepts, trainable link); their minimum over k is "best d".
SLOTH_CODE_PREFIX = "factor_trainlink_faminter_d="
TARGET_COLUMNS = ["target", "paper_method", "setting", "value_pp", "limit_pp", "passed", "detail"]


def is_trainable_link(paper_code: str) -> bool:
    """Whether a method of the paper's table has a trainable (monotone network) link."""
    return "trainlink" in paper_code


def target_check(comparison: pd.DataFrame) -> pd.DataFrame:
    """The fidelity targets, evaluated on a :func:`paper_comparison` table.  One row per check:

    * ``fixed_link``: every method without a trainable link (sigmoid laws, Sloth basic, PCA + FLOPs), every
      setting: ``value_pp = |delta_pp|`` must be at most :data:`FIXED_LINK_TOL_PP`;
    * ``trainable_link_mean``: every trainable-link method: ``value_pp`` = mean ``delta_pp`` over its
      settings, at most :data:`TRAINABLE_MEAN_TOL_PP`;
    * ``sloth_best_d``: every setting with "Sloth (d=k)" rows: ``value_pp`` = our best-d MAE − the paper's
      best-d MAE, at most :data:`SLOTH_BEST_D_TOL_PP`.

    A check whose value is missing (method not run) fails.  Rows follow the comparison's order.
    """
    rows = []
    table = comparison.copy()
    table["setting"] = [
        f"{s} n{int(n)}" for s, n in zip(table["suite"], table["n_train_models"], strict=True)
    ]
    for r in table.itertuples(index=False):
        if is_trainable_link(r.paper_method):
            continue
        value = abs(r.delta_pp)
        rows.append(
            (
                "fixed_link",
                r.paper_method,
                r.setting,
                value,
                FIXED_LINK_TOL_PP,
                bool(value <= FIXED_LINK_TOL_PP),
                f"ours {r.mae_pp:.2f} vs paper {r.paper_mae_pp:.2f}",
            )
        )
    for code, block in table.groupby("paper_method", sort=False):
        if not is_trainable_link(code):
            continue
        value = float(block["delta_pp"].mean()) if block["delta_pp"].notna().all() else np.nan
        worst = block.loc[block["delta_pp"].abs().idxmax()] if block["delta_pp"].notna().any() else None
        detail = f"{len(block)} settings" + (
            f"; largest {worst['delta_pp']:+.2f} in {worst['setting']}" if worst is not None else ""
        )
        rows.append(
            (
                "trainable_link_mean",
                code,
                "all",
                value,
                TRAINABLE_MEAN_TOL_PP,
                bool(value <= TRAINABLE_MEAN_TOL_PP),
                detail,
            )
        )
    sloth = table[table["paper_method"].str.startswith(SLOTH_CODE_PREFIX)]
    for setting, block in sloth.groupby("setting", sort=False):
        d = block["paper_method"].str.slice(len(SLOTH_CODE_PREFIX))
        paper_i = block["paper_mae_pp"].to_numpy().argmin()
        if block["mae_pp"].notna().all():
            ours_i = block["mae_pp"].to_numpy().argmin()
            value = float(block["mae_pp"].iloc[ours_i] - block["paper_mae_pp"].iloc[paper_i])
            detail = (
                f"ours {block['mae_pp'].iloc[ours_i]:.2f} (d={d.iloc[ours_i]}) vs paper "
                f"{block['paper_mae_pp'].iloc[paper_i]:.2f} (d={d.iloc[paper_i]})"
            )
        else:
            value, detail = np.nan, "not run"
        rows.append(
            (
                "sloth_best_d",
                f"{SLOTH_CODE_PREFIX}best",
                setting,
                value,
                SLOTH_BEST_D_TOL_PP,
                bool(value <= SLOTH_BEST_D_TOL_PP),
                detail,
            )
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def target_markdown(checks: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """The target verdicts as Markdown: a count per target, then every miss, then every check."""
    from slothpipe.tables import to_markdown

    titles = {
        "fixed_link": f"Fixed-link methods (sigmoid, PCA + FLOPs): |delta| <= {FIXED_LINK_TOL_PP} pp in "
        "every setting",
        "trainable_link_mean": "Trainable-link methods: mean delta over the settings <= "
        f"+{TRAINABLE_MEAN_TOL_PP} pp",
        "sloth_best_d": f"Sloth (best d) per setting: ours <= paper's best d + {SLOTH_BEST_D_TOL_PP} pp",
    }
    table = checks.copy()
    table.insert(2, "method", [labels.get(c, "Sloth (best d)") for c in table["paper_method"]])
    table["verdict"] = np.where(table["passed"], "pass", "MISS")
    parts = ["## Fidelity targets (computed from the table above)\n\n"]
    for target, title in titles.items():
        block = table[table["target"] == target]
        n_miss = int((~block["passed"]).sum())
        parts.append(f"- {title}: {len(block) - n_miss} of {len(block)} checks pass, {n_miss} miss.\n")
    shown = ["target", "paper_method", "method", "setting", "value_pp", "limit_pp", "verdict", "detail"]
    misses = table.loc[~table["passed"], shown]
    parts.append("\n### Misses\n\n")
    parts.append(to_markdown(misses.reset_index(drop=True), digits=2) if len(misses) else "None.\n")
    parts.append("\n### All checks\n\n")
    parts.append(to_markdown(table[shown].reset_index(drop=True), digits=2))
    return "".join(parts)


def comparison_report(
    comparison: pd.DataFrame, labels: Mapping[str, str], notes: str = "", headline_test: str = ""
) -> str:
    """The Markdown of ``results/tables/paper_comparison.md``: the table, the computed target verdicts, the
    headline test (``results/tables/headline_test.md``, when given), then the hand-written ``notes``
    (explanations of the misses), so that table, verdicts and test never disagree."""
    parts = [
        "# Our leave-one-family-out errors vs the paper's (MAE, pp; delta = ours - paper)\n\n",
        comparison_markdown(comparison, labels),
        "\n",
        target_markdown(target_check(comparison), labels),
    ]
    if headline_test.strip():
        parts += [
            "\n## Does Sloth beat its best baseline? The headline, tested (generated: "
            "`results/tables/headline_test.csv`)\n\n",
            headline_test.rstrip("\n") + "\n",
        ]
    if notes.strip():
        parts += ["\n", notes.rstrip("\n") + "\n"]
    return "".join(parts)
