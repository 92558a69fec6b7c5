"""The forecast figures: a forecast against compute, and the calibration of the intervals.

Both take plain frames (a forecast table, the validation table) and return a matplotlib figure; the rule
scripts save them with :func:`slothpipe.plotting.style.save_and_close`.
"""

from __future__ import annotations

import math

from slothpipe.forecast.conformal import CALIBRATIONS
from slothpipe.forecast.validation import ALL, SELECTION_LEVEL
from slothpipe.leaderboards import SHORT_LABELS
from slothpipe.plotting.style import new_figure

import numpy as np
import pandas as pd

#: Legend names of the calibrations.
CALIBRATION_LABELS = {
    "scaled": "ours: scaled by benchmark and compute gap, family-weighted",
    "pooled_quantile": "one residual quantile",
    "benchmark_quantile": "a residual quantile per benchmark",
    "benchmark_rmse": "± z · RMSE per benchmark",
}


def _flops_1e21(params_b, tokens_t) -> np.ndarray:
    """Training FLOPs 6·N·D in units of 1e21 (N in billions, D in trillions), as ``flops_1e21``."""
    return 6.0 * np.asarray(params_b, dtype=float) * np.asarray(tokens_t, dtype=float)


def forecast_figure(
    forecast: pd.DataFrame, request: pd.DataFrame, dataset: pd.DataFrame, benchmarks: list[str], title: str
):
    """Per benchmark: the dataset's models (faint), the request's known models and the forecasts with their
    intervals, against training compute."""
    n = len(benchmarks)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = new_figure(3.2 * cols, 2.6 * rows)
    sizes = request.set_index("model")[["params_b", "tokens_t"]]
    targets = forecast["model"].unique().tolist()
    known = request[request.reindex(columns=benchmarks).notna().all(axis=1)]
    level = float(forecast["level"].iloc[0]) if len(forecast) else SELECTION_LEVEL
    for k, bench in enumerate(benchmarks):
        ax = fig.add_subplot(rows, cols, k + 1)
        background = dataset.dropna(subset=[bench, "flops_1e21"])
        ax.scatter(background["flops_1e21"], background[bench], s=6, color="0.8", label="dataset models")
        ax.scatter(
            _flops_1e21(known["params_b"], known["tokens_t"]),
            known[bench],
            s=22,
            color="tab:blue",
            zorder=3,
            label="known models",
        )
        sub = forecast[forecast["benchmark"] == bench].set_index("model").reindex(targets)
        x = _flops_1e21(sizes.loc[targets, "params_b"], sizes.loc[targets, "tokens_t"])
        ax.errorbar(
            x,
            sub["predicted"],
            yerr=[sub["predicted"] - sub["lower"], sub["upper"] - sub["predicted"]],
            fmt="D",
            ms=4,
            color="tab:red",
            capsize=3,
            zorder=4,
            label=f"forecast, {level:.0%} interval",
        )
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(SHORT_LABELS.get(bench, bench))
        if k % cols == 0:
            ax.set_ylabel("score")
        if k >= n - cols:
            ax.set_xlabel("training FLOPs (1e21)")
        if k == 0:
            ax.legend(loc="upper left", frameon=False, fontsize=6)
    fig.suptitle(title)
    fig.subplots_adjust(hspace=0.45, wspace=0.25)
    return fig


def calibration_figure(table: pd.DataFrame, method: str):
    """Left: empirical against nominal coverage (pooled over the six settings, with the family-bootstrap
    95 % intervals) for each calibration of ``method``.  Right: coverage at 90 % per setting and per
    benchmark for our calibration."""
    fig = new_figure(9.5, 3.6)
    ax = fig.add_subplot(1, 2, 1)
    sub = table[(table["method"] == method) & (table["scope"] == ALL)]
    ax.plot([0.4, 1.0], [0.4, 1.0], color="0.6", lw=0.8, ls="--")
    offsets = np.linspace(-0.008, 0.008, len(CALIBRATIONS))
    for offset, calibration in zip(offsets, CALIBRATIONS, strict=True):
        rows = sub[sub["calibration"] == calibration].sort_values("level")
        ax.errorbar(
            rows["level"] + offset,
            rows["coverage"],
            yerr=[rows["coverage"] - rows["coverage_low"], rows["coverage_high"] - rows["coverage"]],
            fmt="o-",
            ms=3,
            capsize=2,
            lw=1.0,
            label=CALIBRATION_LABELS[calibration],
        )
    ax.set_xlabel("nominal coverage")
    ax.set_ylabel("coverage on held-out families")
    ax.set_xlim(0.45, 1.0)
    ax.set_ylim(0.4, 1.0)
    ax.legend(loc="upper left", frameon=False, fontsize=6)
    ax.set_title(f"{method}: pooled over six settings")
    ax = fig.add_subplot(1, 2, 2)
    ours = table[
        (table["method"] == method)
        & (table["calibration"] == CALIBRATIONS[0])
        & np.isclose(table["level"], SELECTION_LEVEL)
        & (table["scope"] != ALL)
    ]
    labels = [
        s if sc == "setting" else SHORT_LABELS.get(b, b)
        for sc, s, b in ours[["scope", "setting", "benchmark"]].itertuples(index=False)
    ]
    y = np.arange(len(ours))
    for scope, color in (("setting", "tab:purple"), ("benchmark", "tab:green")):
        mask = (ours["scope"] == scope).to_numpy()
        rows = ours[mask]
        ax.errorbar(
            rows["coverage"],
            y[mask],
            xerr=[rows["coverage"] - rows["coverage_low"], rows["coverage_high"] - rows["coverage"]],
            fmt="o",
            ms=3,
            color=color,
            capsize=2,
        )
    ax.axvline(SELECTION_LEVEL, color="0.5", lw=0.8, ls="--")
    ax.axvline(0.8, color="tab:red", lw=0.6, ls=":")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0.5, 1.02)
    ax.set_xlabel(f"coverage of the {SELECTION_LEVEL:.0%} intervals")
    ax.set_title("per setting and per benchmark (ours)")
    return fig
