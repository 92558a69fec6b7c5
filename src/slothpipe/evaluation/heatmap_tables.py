"""Tables behind the paper's error heat-maps, with rows chosen and labelled as in the paper.

Row order (paper Figures 1, 11): FLOPs (shared intercept) [1 training model only], FLOPs, Size and
Tokens, PCA + FLOPs (d=1..4), [complete version only: Sloth basic (d=1..4) (shared intercept), Sloth (d=1..4)
(shared intercept)], Sloth basic (d=1..4), Sloth (d=1..4).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slothpipe.evaluation.aggregate import AVERAGE, family_table, group_sizes, setting_table
from slothpipe.leaderboards import FIGURE3_BENCHMARKS as _TABLE_FIGURE3
from slothpipe.plotting.heatmaps import Panel

import pandas as pd

#: Benchmarks of the paper's Figure 3 (shared-intercept comparison), from the benchmark table.
FIGURE3_BENCHMARKS = list(_TABLE_FIGURE3)


def heatmap_methods(specs: Sequence[Any], *, n_train_models: int, complete: bool) -> list[Any]:
    """The methods a heat-map shows, in figure order: the paper's "main" rows, or the "complete" rows."""
    rows = []
    for spec in specs:
        if not spec.in_main_figures or n_train_models not in spec.shown_n_train_models:
            continue
        if spec.complete_plot_only and not complete:
            continue
        rows.append(spec)
    return rows


def _labelled(table: pd.DataFrame, specs: Sequence[Any]) -> pd.DataFrame:
    labels = {s.name: s.label for s in specs}
    out = table.copy()
    out.index = [labels[m] for m in table.index]
    return out


def setting_panel(
    groups: pd.DataFrame,
    specs: Sequence[Any],
    *,
    suite: str,
    n_train_models: int,
    benchmarks: Sequence[str],
    complete: bool,
    metric: str = "mae_pp",
    title: str | None = None,
) -> Panel:
    """Method x benchmark (+ Average) panel of one setting."""
    rows = heatmap_methods(specs, n_train_models=n_train_models, complete=complete)
    table = setting_table(
        groups,
        suite=suite,
        n_train_models=n_train_models,
        methods=[s.name for s in rows],
        benchmarks=benchmarks,
        metric=metric,
    )
    n_groups = groups.loc[(groups["suite"] == suite) & (groups["n_train_models"] == n_train_models), "group"]
    return Panel(
        _labelled(table, rows),
        title or f"LB {suite}, {n_train_models} model(s) in training, {n_groups.nunique()} test groups",
    )


def family_panel(
    groups: pd.DataFrame,
    specs: Sequence[Any],
    *,
    suite: str,
    n_train_models: int,
    group_order: Sequence[str],
    metric: str = "mae_pp",
) -> Panel:
    """Method x held-out group panel (error averaged over the suite's benchmarks); columns "group (n)"."""
    rows = heatmap_methods(specs, n_train_models=n_train_models, complete=True)
    table = family_table(
        groups,
        suite=suite,
        n_train_models=n_train_models,
        methods=[s.name for s in rows],
        group_order=group_order,
        metric=metric,
    )
    sizes = group_sizes(groups, suite=suite, n_train_models=n_train_models)
    table.columns = [f"{g} ({sizes[g]})" for g in table.columns]
    title = (
        f"Open LLM Leaderboard {suite}, {n_train_models} smallest model(s) of the test family in training "
        "(average error across benchmarks)"
    )
    return Panel(_labelled(table, rows), title, separate_last_column=False)


def shared_intercept_panel(
    groups: pd.DataFrame,
    specs: Sequence[Any],
    *,
    suite: str,
    n_train_models: int,
    benchmarks: Sequence[str],
    columns: Sequence[str] = FIGURE3_BENCHMARKS,
) -> Panel:
    """Figure 3: FLOPs (shared intercept) vs the best-d Sloth with family intercepts and with a shared one.

    "Best d" is the d with the lowest Average error over the setting's benchmarks (the paper's choice:
    Sloth (d=3) and Sloth (d=4) (shared intercept) on LB v1+v2 with one training model).
    """
    by_name = {s.name: s for s in specs}
    table = setting_table(
        groups, suite=suite, n_train_models=n_train_models, methods=list(by_name), benchmarks=benchmarks
    )

    def best(prefix: str) -> str:
        candidates = [f"{prefix}{d}" for d in range(1, 5) if f"{prefix}{d}" in table.index]
        if not candidates:
            raise ValueError(f"figure 3 needs at least one of the methods {prefix}1..4")
        return min(candidates, key=lambda m: (table.loc[m, AVERAGE], m))

    chosen = [m for m in ("flops_shared",) if m in table.index] + [best("sloth_d"), best("sloth_shared_d")]
    sub = table.loc[chosen, list(columns)]
    return Panel(
        _labelled(sub, [by_name[m] for m in chosen]),
        f"LB {suite}, {n_train_models} model(s) in training: shared vs family intercepts",
        separate_last_column=False,
    )
