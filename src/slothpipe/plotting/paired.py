"""The headline test's figure: per setting, paired differences per held-out group with their interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slothpipe.plotting.style import new_figure

import numpy as np
import pandas as pd


def paired_differences_figure(
    panels: Sequence[Mapping[str, object]],
    *,
    methods: Sequence[str],
    labels: Mapping[str, str],
    baseline: str,
):
    """One panel per setting; one row per method: a point per held-out group (method minus ``baseline``, pp),
    the mean (black bar) and its bootstrap interval (black line).

    Each panel is ``{"title": str, "points": {method: Series}, "rows": DataFrame}`` with ``rows`` the
    setting's rows of the headline table against ``baseline`` (``method``, ``mean_diff_pp``, ``ci_low_pp``,
    ``ci_high_pp``).  Points are spread vertically by their rank within a row (no random jitter).
    """
    n = len(panels)
    if n == 0:  # no method or baseline of the test was fitted in this run
        fig = new_figure(4.0, 1.0)
        fig.text(0.5, 0.5, "no comparison in this run", ha="center", va="center")
        return fig
    ncols = 2 if n > 1 else 1
    nrows = int(np.ceil(n / ncols))
    fig = new_figure(3.6 * ncols, 0.45 * len(methods) * nrows + 0.9 * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        rows: pd.DataFrame = panel["rows"]  # type: ignore[assignment]
        points: Mapping[str, pd.Series] = panel["points"]  # type: ignore[assignment]
        for y, method in enumerate(methods):
            diff = points.get(method)
            if diff is None or len(diff) == 0:
                continue
            values = np.sort(diff.to_numpy(dtype=float))
            offsets = np.linspace(-0.22, 0.22, len(values)) if len(values) > 1 else np.zeros(1)
            colors = np.where(values < 0, "tab:green", "tab:red")
            ax.scatter(values, y + offsets, s=9, c=colors, alpha=0.7, linewidths=0, zorder=2)
            row = rows[rows["method"] == method]
            if len(row):
                r = row.iloc[0]
                ax.plot([r["ci_low_pp"], r["ci_high_pp"]], [y, y], color="black", lw=1.6, zorder=3)
                ax.plot([r["mean_diff_pp"]] * 2, [y - 0.3, y + 0.3], color="black", lw=1.6, zorder=3)
        ax.axvline(0.0, color="0.5", lw=0.8, zorder=1)
        ax.set_title(str(panel["title"]))
        ax.set_yticks(range(len(methods)))
        ax.set_yticklabels([labels.get(m, m) for m in methods])
        ax.set_ylim(len(methods) - 0.5, -0.5)
        ax.set_xlabel(f"MAE minus {labels.get(baseline, baseline)} (pp)")
        ax.grid(axis="x", color="0.9", lw=0.6)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(
        f"Paired over held-out groups: each method minus {labels.get(baseline, baseline)} "
        "(points: groups, green = method better; bar: mean; line: bootstrap interval)",
        fontsize=8,
    )
    fig.tight_layout()
    return fig
