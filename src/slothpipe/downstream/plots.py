"""Figures of the downstream tasks (Figs 6, 30, 32, 37–40) and the link-function curves (Figs 33–36)."""

from __future__ import annotations

from collections.abc import Sequence

from slothpipe.plotting.heatmaps import draw_heatmap
from slothpipe.plotting.style import new_figure

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, TwoSlopeNorm
from scipy.special import expit as sigmoid

#: Colours and markers of the methods in the link-function figures (registry slugs).
METHOD_STYLE = {
    "sloth_basic_d3": dict(color="tab:blue", linestyle="-"),
    "sloth_d3": dict(color="tab:orange", linestyle="-"),
    "flops_shared": dict(color="tab:green", linestyle="--"),
    "pca_flops_d3": dict(color="tab:red", linestyle="-."),
}


def _weights_heatmap(ax, weights: pd.DataFrame, symbol: str) -> None:
    """A one-column heat-map of the regression weights (intercept left out)."""
    w = weights[weights["skill"] != "(intercept)"]
    table = pd.DataFrame({symbol: w["weight"].to_numpy(float)}, index=w["skill"].tolist())
    bound = max(1.0, float(np.abs(table.to_numpy()).max()))
    draw_heatmap(
        ax,
        table,
        norm=TwoSlopeNorm(0.0, -bound, bound),
        cmap="coolwarm",
        digits=2,
        separate_last_column=False,
        bold_best=False,
    )
    ax.yaxis.tick_right()


def draw_task_panel(ax, points: pd.DataFrame, weights: pd.DataFrame, *, task: str, title: str) -> None:
    """Logistic curve over βᵀz + c, training models, held-out models predicted (diamond) and true (x)."""
    train = points[points["role"] == "train"]
    held = points[points["role"] == "heldout"]
    x_all = points["linear_predictor"].to_numpy(float)
    lo, hi = float(x_all.min()) - 0.5, float(x_all.max()) + 0.5
    grid = np.linspace(lo, hi, 200)
    ax.plot(grid, sigmoid(grid), color="black", linewidth=1.2, label="logistic fit", zorder=1)
    ax.scatter(
        train["linear_predictor"], train["true"], s=14, color="tab:blue", alpha=0.7, label="training models"
    )
    markers = ["D", "s", "^", "v"]
    for k, (_, row) in enumerate(held.iterrows()):
        colour = f"C{(k + 3) % 10}"
        ax.scatter(
            row["linear_predictor"],
            row["predicted"],
            marker=markers[k % len(markers)],
            s=40,
            facecolor="none",
            edgecolor=colour,
            linewidth=1.5,
            label=f"{row['model']} predicted ({row['predicted']:.3f})",
            zorder=3,
        )
        ax.scatter(
            row["linear_predictor"],
            row["true"],
            marker="x",
            s=45,
            color=colour,
            linewidth=1.8,
            label=f"{row['model']} true ({row['true']:.3f})",
            zorder=3,
        )
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(r"$\beta^\top\theta + c$")
    ax.set_ylabel(task)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=6.5, frameon=False)
    ax.grid(alpha=0.3, linewidth=0.5)


def task_figure(panels: Sequence[tuple[pd.DataFrame, pd.DataFrame, str]], *, task: str, symbol: str):
    """One or more (points, weights, title) panels side by side, each with a heat-map of its weights."""
    n = len(panels)
    fig = new_figure(6.4 * n, 3.8)
    # per panel: plot, weights heat-map, then a spacer for the heat-map's row labels and the next y label
    width = [4.0, 0.5, 1.3] * n
    gs = fig.add_gridspec(1, 3 * n, width_ratios=[*width[:-1], 0.9], wspace=0.05)
    for k, (points, weights, title) in enumerate(panels):
        ax = fig.add_subplot(gs[0, 3 * k])
        draw_task_panel(ax, points, weights, task=task, title=title)
        hax = fig.add_subplot(gs[0, 3 * k + 1])
        _weights_heatmap(hax, weights, symbol)
    return fig


def loadings_figure(loadings: pd.DataFrame, *, title: str, vmin: float = -1.0, vmax: float = 2.0):
    """Annotated loadings heat-map (skills × benchmarks), coolwarm, as the paper's Figures 2, 32, 39, 40."""
    fig = new_figure(0.62 * loadings.shape[1] + 1.8, 0.45 * loadings.shape[0] + 1.2)
    ax = fig.add_subplot(1, 1, 1)
    image = draw_heatmap(
        ax,
        loadings,
        norm=Normalize(vmin, vmax),
        cmap="coolwarm",
        digits=2,
        separate_last_column=False,
        bold_best=False,
    )
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    ax.set_title(title)
    return fig


def link_curves_figure(curves: pd.DataFrame, benchmarks: Sequence[str], *, title: str):
    """Predicted score (×100) vs size for each benchmark and method, with the family's observed models."""
    benchmarks = list(benchmarks)
    ncols = 3
    nrows = int(np.ceil(len(benchmarks) / ncols))
    fig = new_figure(3.2 * ncols, 2.5 * nrows + 0.5)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    lines = curves[curves["kind"] == "curve"]
    points = curves[curves["kind"] == "point"]
    methods = list(dict.fromkeys(lines["method"]))
    for idx, bench in enumerate(benchmarks):
        ax = axes[idx // ncols][idx % ncols]
        for method in methods:
            sel = lines[(lines["method"] == method) & (lines["benchmark"] == bench)]
            ax.plot(
                sel["params_b"],
                100 * sel["score"],
                linewidth=1.3,
                label=sel["label"].iloc[0],
                **METHOD_STYLE.get(method, {}),
            )
        for role, style in (
            ("train", dict(marker="x", color="grey", s=30, label="training models of the family")),
            ("test", dict(marker="D", color="purple", s=30, label="held-out model")),
        ):
            sel = points[(points["role"] == role) & (points["benchmark"] == bench)]
            ax.scatter(sel["params_b"], 100 * sel["score"], zorder=3, **style)
        ax.set_xscale("log")
        ax.set_title(bench)
        ax.set_xlabel("parameters (B)")
        if idx % ncols == 0:
            ax.set_ylabel("score (%)")
        ax.grid(alpha=0.3, linewidth=0.5)
    for idx in range(len(benchmarks), nrows * ncols):
        axes[idx // ncols][idx % ncols].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, -0.06))
    fig.suptitle(title)
    fig.tight_layout()
    return fig
