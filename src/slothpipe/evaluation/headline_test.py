"""The paper's headline, tested: is Sloth better than each baseline, and how sure is that? (issue 27)

The paper reports one number per method and setting, the mean over held-out groups of the within-group MAE,
and picks Sloth's best d after seeing every test error.  Here every comparison is *paired over held-out
groups*:

* per group and method, the error is the mean over the suite's benchmarks of the group's MAE (the rows of
  ``results/evaluation/group_errors.parquet``), so the mean over groups of a method is the number of the
  paper's heat-maps ("Average" column);
* the paired difference of a group is method minus baseline (pp; negative = the method is better);
* ``mean_diff_pp`` is the mean over groups, ``ci_low_pp``/``ci_high_pp`` its percentile bootstrap interval
  over groups (``n_boot`` replicates, ``numpy.random.default_rng(seed)``; every comparison of a setting
  resamples the same groups, so the table does not depend on its row order);
* ``p_value`` is the two-sided Wilcoxon signed-rank test of the differences (``scipy.stats.wilcoxon``, its
  defaults: exact distribution for small samples without ties or zeros), ``p_holm`` Holm's step-down
  correction across every comparison of the table.

A method named ``<prefix>_selected_d`` is ``<prefix>_d<k>`` with ``k`` chosen *without the test family*: for
each held-out group, the ``k`` with the lowest mean error over the other held-out groups of the setting
(leave-one-group-out; ties go to the smaller ``k``).  Its error on the group is then the chosen ``k``'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from slothpipe.errors import DataError

import numpy as np
import pandas as pd
from scipy import stats

#: Columns of ``results/tables/headline_test.csv`` (issue 27), in order.
COLUMNS = [
    "suite",
    "n_train_models",
    "method",
    "baseline",
    "n_groups",
    "mean_diff_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "p_holm",
    "protocol",
]
#: The suffix of a method whose number of skills is chosen leave-one-group-out.
SELECTED = "_selected_d"
_GROUP_COLUMNS = ("suite", "n_train_models", "method", "group", "benchmark", "mae_pp")


def group_table(groups: pd.DataFrame, *, suite: str, n_train_models: int) -> pd.DataFrame:
    """Held-out group x method: the group's MAE averaged over the suite's benchmarks (pp), groups sorted."""
    missing = [c for c in _GROUP_COLUMNS if c not in groups.columns]
    if missing:
        raise DataError(f"group errors: missing column(s) {missing}")
    sub = groups[(groups["suite"] == suite) & (groups["n_train_models"] == int(n_train_models))]
    table = sub.groupby(["group", "method"], sort=True)["mae_pp"].mean().unstack("method")
    table.columns.name = None
    return table


def candidates(name: str, columns: Sequence[str]) -> list[tuple[int, str]]:
    """``(k, column)`` of every ``<prefix>_d<k>`` among ``columns`` for ``name = <prefix>_selected_d``."""
    prefix = name[: -len(SELECTED)]
    pattern = re.compile(rf"^{re.escape(prefix)}_d(\d+)$")
    found = [(int(m.group(1)), c) for c in columns if (m := pattern.match(c))]
    return sorted(found)


def select_leave_one_group_out(table: pd.DataFrame, name: str) -> tuple[pd.Series, pd.Series]:
    """Errors of ``<prefix>_selected_d`` per group and the ``k`` chosen for each group.

    For group g the chosen ``k`` minimises the mean error over the other groups (ties: the smaller ``k``); a
    setting with a single group has nothing to choose on (NaN).
    """
    found = candidates(name, list(table.columns))
    if not found:
        raise DataError(f"{name}: no method {name[: -len(SELECTED)]}_d<k> in the group errors")
    ks = np.array([k for k, _ in found])
    values = table[[c for _, c in found]].to_numpy(dtype=float)  # groups x k
    n = len(table)
    errors = np.full(n, np.nan)
    chosen = np.full(n, np.nan)
    if n > 1:
        totals = values.sum(axis=0)
        for i in range(n):
            others = (totals - values[i]) / (n - 1)
            j = int(np.argmin(others))  # first minimum = smallest k
            errors[i], chosen[i] = values[i, j], ks[j]
    return pd.Series(errors, index=table.index, name=name), pd.Series(chosen, index=table.index, name=name)


def method_errors(table: pd.DataFrame, name: str) -> pd.Series | None:
    """Per-group errors of a method or of ``<prefix>_selected_d``; None when it is not in ``table`` (a
    selection needs at least two candidates ``<prefix>_d<k>``: with one there is nothing to choose)."""
    if name in table.columns:
        return table[name].astype(float)
    if name.endswith(SELECTED) and len(candidates(name, list(table.columns))) > 1:
        return select_leave_one_group_out(table, name)[0]
    return None


def bootstrap_interval(diff: np.ndarray, *, n_boot: int, seed: int, level: float) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``diff`` (resampling its entries with replacement)."""
    diff = np.asarray(diff, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(int(n_boot), len(diff)))
    means = diff[idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


def wilcoxon_p(diff: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value of ``diff`` (1.0 when every difference is zero)."""
    diff = np.asarray(diff, dtype=float)
    if not np.any(diff != 0):
        return 1.0
    return float(stats.wilcoxon(diff).pvalue)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (monotone, capped at 1; NaN stays NaN and is not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    order = valid[np.argsort(p[valid], kind="mergesort")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def headline_test(
    groups: pd.DataFrame,
    *,
    settings: Sequence[tuple[str, int]],
    methods: Sequence[str],
    baselines: Sequence[str],
    n_boot: int,
    seed: int,
    level: float,
    protocol: str = "ours",
) -> pd.DataFrame:
    """The table of :data:`COLUMNS`: every method against every baseline in every setting (in that order).

    Settings without group errors, and methods or baselines absent from them, are left out.  Groups where
    either side has no error (NaN) are dropped from that comparison.  ``p_holm`` corrects across all rows.
    """
    if int(n_boot) < 1:
        raise DataError(f"n_boot must be positive, got {n_boot}")
    rows = []
    for suite, n in settings:
        table = group_table(groups, suite=suite, n_train_models=n)
        if table.empty:
            continue
        for method in methods:
            mine = method_errors(table, method)
            if mine is None:
                continue
            for baseline in baselines:
                theirs = method_errors(table, baseline)
                if theirs is None or baseline == method:
                    continue
                diff = (mine - theirs).dropna().to_numpy()
                if len(diff) == 0:
                    continue
                low, high = bootstrap_interval(diff, n_boot=n_boot, seed=seed, level=level)
                rows.append(
                    {
                        "suite": suite,
                        "n_train_models": int(n),
                        "method": method,
                        "baseline": baseline,
                        "n_groups": len(diff),
                        "mean_diff_pp": float(diff.mean()),
                        "ci_low_pp": low,
                        "ci_high_pp": high,
                        "p_value": wilcoxon_p(diff),
                        "protocol": protocol,
                    }
                )
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "p_holm"])
    out.insert(COLUMNS.index("p_holm"), "p_holm", holm(out["p_value"].to_numpy(dtype=float)))
    out["n_train_models"] = out["n_train_models"].astype("int64")
    out["n_groups"] = out["n_groups"].astype("int64")
    return out[COLUMNS]


def paired_differences(
    groups: pd.DataFrame, *, suite: str, n_train_models: int, method: str, baseline: str
) -> pd.Series:
    """Per held-out group: ``method`` minus ``baseline`` (pp), the points of the figure (empty if absent)."""
    table = group_table(groups, suite=suite, n_train_models=n_train_models)
    mine, theirs = method_errors(table, method), method_errors(table, baseline)
    if table.empty or mine is None or theirs is None:
        return pd.Series(dtype=float)
    return (mine - theirs).dropna()


def chosen_d(groups: pd.DataFrame, *, suite: str, n_train_models: int, name: str) -> pd.Series:
    """The ``k`` that ``<prefix>_selected_d`` chose for each held-out group (empty if absent)."""
    table = group_table(groups, suite=suite, n_train_models=n_train_models)
    if table.empty or not candidates(name, list(table.columns)):
        return pd.Series(dtype=float)
    return select_leave_one_group_out(table, name)[1]


# ------------------------------------------------------------------------------------------------ report


def _setting(suite: str, n: int) -> str:
    return f"LB {suite}, {n} model{'s' if n > 1 else ''}"


def _p(value: float) -> str:
    return "1" if value >= 0.9995 else f"{value:.3f}"


def _d_counts(chosen: pd.Series) -> str:
    counts = chosen.dropna().astype(int).value_counts().sort_index()
    return ", ".join(f"d={k} in {v}" for k, v in counts.items())


def summary_markdown(
    table: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    method: str,
    baseline: str,
    labels: Mapping[str, str],
    level: float,
    n_boot: int,
) -> str:
    """The README's headline paragraph and its table: ``method`` against ``baseline`` in every setting.

    Every number comes from ``table`` (:func:`headline_test`) and ``groups``; an empty comparison gives one
    sentence saying so.
    """
    rows = table[(table["method"] == method) & (table["baseline"] == baseline)]
    name, base = labels.get(method, method), labels.get(baseline, baseline)
    if rows.empty:
        return f"No comparison of {name} with {base} in this run (one of them was not fitted).\n"
    pct = f"{100 * level:g} %"
    worse = int((rows["mean_diff_pp"] > 0).sum())
    excl_zero = int(((rows["ci_low_pp"] > 0) | (rows["ci_high_pp"] < 0)).sum())
    n_sig = int((rows["p_holm"] < 0.05).sum())
    n_set = len(rows)
    lead = base if worse > n_set / 2 else name
    lines = [
        f"**On our fits, {lead} has the lower error in {max(worse, n_set - worse)} of {n_set} settings.** "
        f"{name} minus {base}, mean over held-out groups of the per-group MAE: "
        f"{rows['mean_diff_pp'].min():+.2f} to {rows['mean_diff_pp'].max():+.2f} pp (positive: {base} is "
        f"better). The {pct} bootstrap interval over groups excludes zero in {excl_zero} of {n_set} "
        f"settings, and {n_sig} of {n_set} differences are significant after Holm's correction across the "
        f"{len(table)} comparisons of `results/tables/headline_test.csv` (Wilcoxon signed-rank, smallest "
        f"corrected p {rows['p_holm'].min():.2f})."
        + (
            f" {name} picks d without the test family: for each held-out group, the d with the lowest mean "
            "error on the other groups."
            if method.endswith(SELECTED)
            else ""
        ),
        "",
        f"| setting | {name} − {base} (pp) | {pct} interval | groups where {name} is better | Wilcoxon p "
        "| Holm p | d chosen |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows.itertuples(index=False):
        diff = paired_differences(
            groups, suite=r.suite, n_train_models=r.n_train_models, method=method, baseline=baseline
        )
        chosen = (
            chosen_d(groups, suite=r.suite, n_train_models=r.n_train_models, name=method)
            if method.endswith(SELECTED)
            else pd.Series(dtype=float)
        )
        lines.append(
            f"| {_setting(r.suite, r.n_train_models)} | {r.mean_diff_pp:+.2f} | "
            f"[{r.ci_low_pp:+.2f}, {r.ci_high_pp:+.2f}] | {int((diff < 0).sum())} of {r.n_groups} | "
            f"{_p(r.p_value)} | {_p(r.p_holm)} | {_d_counts(chosen) or '-'} |"
        )
    n_min = int(table["n_groups"].min())
    lines += [
        "",
        f"Intervals: percentile bootstrap over held-out groups, {n_boot:,} replicates, fixed seed; p: "
        f"Wilcoxon signed-rank, Holm-corrected across the {len(table)} comparisons (every d and the "
        "selected d against every baseline, in every setting). With n groups the exact test cannot give p "
        f"below 2/2^n ({2 / 2**n_min:.3f} for the {n_min} groups of the smallest setting), so across "
        f"{len(table)} comparisons only settings with many groups can reach significance.",
    ]
    return "\n".join(lines) + "\n"


def baselines_markdown(table: pd.DataFrame, *, method: str, labels: Mapping[str, str], level: float) -> str:
    """``method`` against every baseline of ``table``: one row per setting, one cell per baseline with the
    mean difference, its interval and the Holm-corrected p (a section of ``paper_comparison.md``)."""
    mine = table[table["method"] == method]
    if mine.empty:
        return ""
    name = labels.get(method, method)
    bases = list(dict.fromkeys(mine["baseline"]))
    lines = [
        f"{name} against every baseline: mean over held-out groups of {name} minus the baseline (pp), "
        f"{100 * level:g} % bootstrap interval, Holm-corrected p (negative: {name} is better).",
        "",
        "| setting | " + " | ".join(labels.get(b, b) for b in bases) + " |",
        "|---|" + "---|" * len(bases),
    ]
    for (suite, n), block in mine.groupby(["suite", "n_train_models"], sort=False):
        cells = []
        for b in bases:
            r = block[block["baseline"] == b]
            cells.append(
                ""
                if r.empty
                else f"{r['mean_diff_pp'].iloc[0]:+.2f} [{r['ci_low_pp'].iloc[0]:+.2f}, "
                f"{r['ci_high_pp'].iloc[0]:+.2f}], p {_p(r['p_holm'].iloc[0])}"
            )
        lines.append(f"| {_setting(suite, int(n))} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def method_labels(names: Sequence[str], registry: Mapping[str, object]) -> dict[str, str]:
    """Display labels: the registry's, and "Sloth (selected d)" style for ``<prefix>_selected_d``."""
    out = {}
    for name in names:
        if name in registry:
            out[name] = registry[name].label
        elif name.endswith(SELECTED):
            found = candidates(name, list(registry))
            label = registry[found[0][1]].label if found else name
            out[name] = re.sub(r"\(d=\d+\)", "(selected d)", label)
        else:
            out[name] = name
    return out


def figure_panels(
    groups: pd.DataFrame, table: pd.DataFrame, *, methods: Sequence[str], baseline: str
) -> list[dict[str, object]]:
    """The panels of :func:`slothpipe.plotting.paired.paired_differences_figure`, one per setting of
    ``table`` (in its order): its rows against ``baseline`` and each method's per-group differences."""
    panels = []
    rows = table[(table["baseline"] == baseline) & (table["protocol"] == "ours")]
    for (suite, n), block in rows.groupby(["suite", "n_train_models"], sort=False):
        points = {
            m: paired_differences(groups, suite=suite, n_train_models=int(n), method=m, baseline=baseline)
            for m in methods
        }
        panels.append({"title": _setting(suite, int(n)), "points": points, "rows": block})
    return panels


def holm_across(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Several :func:`headline_test` tables as one, with ``p_holm`` recomputed across all their rows."""
    out = pd.concat([t for t in tables if len(t)], ignore_index=True) if any(len(t) for t in tables) else None
    if out is None:
        return pd.DataFrame(columns=COLUMNS)
    out["p_holm"] = holm(out["p_value"].to_numpy(dtype=float))
    return out[COLUMNS]
