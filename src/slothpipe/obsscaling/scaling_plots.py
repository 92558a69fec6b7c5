"""Figures in the style of Ruan et al. (their ``plot_multi_scaling_predictions``, ``plot_reg_metric_curves``
and weight heatmaps): fitted curves over (Llama-2-)equivalent log FLOPs with training and held-out models
marked, test MSE by predictor, the cutoff-sweep curves and the effective metric weights."""

from __future__ import annotations

from collections.abc import Sequence

from slothpipe.plotting.style import new_figure

import numpy as np
import pandas as pd

TRAIN_COLOR = "#4C72B0"  # seaborn "deep" 0 and 3, the authors' train / test colours
TEST_COLOR = "#C44E52"
PREDICTOR_LABELS = {
    "size": "ln Size",
    "flops": "ln FLOPs",
    "pc1": "PC # = 1",
    "pc1-2": "PC # = 2",
    "pc1-3": "PC # = 3",
    "pc1-4": "PC # = 4",
}
for _d in range(1, 8):
    PREDICTOR_LABELS[f"sloth_skills_d{_d}"] = f"Sloth skills from scores (d={_d})"
    PREDICTOR_LABELS[f"sloth_law_d{_d}"] = f"Sloth law forecast (d={_d})"


def _short(predictor: str) -> str:
    """Tick label: ``S-sk d3``, ``S-law d3``, or the predictor."""
    return predictor.replace("sloth_skills_d", "S-sk d").replace("sloth_law_d", "S-law d")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def curves_figure(
    predictions: pd.DataFrame,
    summary: pd.DataFrame,
    targets: Sequence[tuple[str, str]],
    predictors: Sequence[str],
    reference_family: str,
):
    """Grid of fitted curves: one row per target (column, label), one column per predictor."""
    nr, nc = len(targets), len(predictors)
    fig = new_figure(2.6 * nc, 2.3 * nr)
    axes = fig.subplots(nr, nc, squeeze=False)
    for i, (target, label) in enumerate(targets):
        for j, predictor in enumerate(predictors):
            ax = axes[i, j]
            pts = predictions[(predictions["target"] == target) & (predictions["predictor"] == predictor)]
            row = summary[(summary["target"] == target) & (summary["predictor"] == predictor)]
            if pts.empty or row.empty:
                ax.set_axis_off()
                continue
            row = row.iloc[0]
            for role, color, marker in (("train", TRAIN_COLOR, "o"), ("test", TEST_COLOR, "X")):
                sub = pts[pts["role"] == role]
                ax.scatter(
                    sub["x_equiv"], sub["y"], s=14, color=color, marker=marker, label=role.title(), lw=0
                )
            x, s = pts["x_equiv"].to_numpy(float), pts["score"].to_numpy(float)
            lo, hi = int(np.argmin(x)), int(np.argmax(x))
            if x[hi] > x[lo]:
                slope = (s[hi] - s[lo]) / (x[hi] - x[lo])
                grid = np.linspace(x[lo] - 0.05 * (x[hi] - x[lo]), x[hi] + 0.05 * (x[hi] - x[lo]), 100)
                curve = (1.0 - row["floor"]) * _sigmoid(s[lo] + slope * (grid - x[lo])) + row["floor"]
                ax.plot(grid, curve, color="black", lw=1.2)
            ax.text(
                0.04,
                0.96,
                f"MSE$_{{train}}$ = {row['mse_train']:.1e}\nMSE$_{{test}}$ = {row['mse_test']:.1e}",
                transform=ax.transAxes,
                va="top",
                fontsize=7,
            )
            if i == 0:
                ax.set_title(PREDICTOR_LABELS.get(predictor, predictor))
            if j == 0:
                ax.set_ylabel(label)
            if i == nr - 1:
                ax.set_xlabel(
                    "ln Size (B)"
                    if predictor == "size"
                    else "ln FLOPs (1E21)"
                    if predictor == "flops"
                    else f"ln {reference_family}-equiv. FLOPs (1E21)"
                )
    axes[0, 0].legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    return fig


def mse_figure(table: pd.DataFrame, labels: dict[str, str], predictors: Sequence[str]):
    """Test MSE by predictor (log scale), one panel per target, grouped by application."""
    targets = list(dict.fromkeys(table["target"]))
    nc = 4
    nr = -(-len(targets) // nc)
    fig = new_figure(3.6 * nc, 2.6 * nr)
    axes = fig.subplots(nr, nc, squeeze=False).ravel()
    for ax, target in zip(axes, targets, strict=False):
        sub = table[table["target"] == target].set_index("predictor")
        names = [p for p in predictors if p in sub.index]
        vals = sub.loc[names, "mse_test"].to_numpy(float)
        colors = ["#8C8C8C" if p in ("size", "flops") else "#55A868" if p.startswith("sloth") else TRAIN_COLOR
                  for p in names]  # fmt: skip
        pos = np.arange(len(names))
        ax.bar(pos[np.isfinite(vals)], vals[np.isfinite(vals)], color=np.array(colors)[np.isfinite(vals)])
        for k in pos[~np.isfinite(vals)]:
            ax.text(k, 0.5, "n/a", transform=ax.get_xaxis_transform(), ha="center", fontsize=7, rotation=90)
        ax.set_yscale("log")
        ax.set_xticks(pos, [_short(p) for p in names], rotation=60, fontsize=7)
        ax.set_title(labels.get(target, target), fontsize=8)
        ax.set_ylabel("Test MSE")
    for ax in axes[len(targets) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def sweep_figure(curves: pd.DataFrame, aue: pd.DataFrame, labels: dict[str, str], predictors: Sequence[str]):
    """Test MSE against the test-set ratio (axis reversed, log y), one panel per target, AUE in the legend."""
    targets = list(dict.fromkeys(curves["target"]))
    nc = min(4, len(targets))
    nr = -(-len(targets) // nc)
    fig = new_figure(3.4 * nc, 2.9 * nr)
    axes = fig.subplots(nr, nc, squeeze=False).ravel()
    for ax, target in zip(axes, targets, strict=False):
        for predictor in predictors:
            sub = curves[(curves["target"] == target) & (curves["predictor"] == predictor)]
            if sub.empty:
                continue
            a = aue[(aue["target"] == target) & (aue["predictor"] == predictor)]["aue"]
            name = PREDICTOR_LABELS.get(predictor, predictor)
            ax.plot(sub["ratio"], sub["mse_test"], lw=1.2, label=f"{name}: AUE = {float(a.iloc[0]):.2E}")
        ax.set_yscale("log")
        ax.set_xlim(ax.get_xlim()[::-1])
        ax.set_xlabel("Test Set Ratio")
        ax.set_ylabel("Test MSE")
        ax.set_title(labels.get(target, target), fontsize=8)
        ax.legend(fontsize=6, loc="upper right")
    for ax in axes[len(targets) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def weights_figure(weights: pd.DataFrame, labels: dict[str, str], predictor: str = "pc1-3"):
    """Heatmap of the effective weights w·components on the raw metrics, one row per target."""
    sub = weights[weights["predictor"] == predictor]
    targets = list(dict.fromkeys(sub["target"]))
    rows, metric_lists = [], []
    for target in targets:
        t = sub[sub["target"] == target]
        rows.append(t["weight"].to_numpy(float))
        metric_lists.append(list(t["metric"]))
    metrics = list(dict.fromkeys(m for ms in metric_lists for m in ms))
    grid = np.full((len(targets), len(metrics)), np.nan)
    for i, (vals, ms) in enumerate(zip(rows, metric_lists, strict=True)):
        for v, m in zip(vals, ms, strict=True):
            grid[i, metrics.index(m)] = v
    fig = new_figure(0.75 * len(metrics) + 2.8, 0.45 * len(targets) + 1.3)
    ax = fig.subplots()
    vmax = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
    im = ax.imshow(grid, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(metrics)), metrics, rotation=45, ha="right")
    ax.set_yticks(range(len(targets)), [labels.get(t, t) for t in targets])
    ax.set_title(f"Effective metric weights ({PREDICTOR_LABELS.get(predictor, predictor)})")
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig
