"""Figures of the skills interpretation (paper Figures 2, 4, 5, 8, 9, 21-29)."""

from __future__ import annotations

from slothpipe.plotting.heatmaps import draw_heatmap
from slothpipe.plotting.style import apply_style

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize

#: Colour scale of the paper's loadings heat-maps (Figure 2).
LOADINGS_RANGE = (-1.0, 2.0)


def _heatmap(table: pd.DataFrame, *, vmin: float, vmax: float, label: str, title: str | None):
    import matplotlib.pyplot as plt

    apply_style()
    n_rows, n_cols = table.shape
    label_width = 0.07 * max((len(str(r)) for r in table.index), default=10)
    fig, ax = plt.subplots(figsize=(label_width + 0.55 * n_cols + 1.0, 0.9 + 0.38 * n_rows))
    image = draw_heatmap(
        ax,
        table,
        norm=Normalize(vmin=vmin, vmax=vmax),
        cmap="coolwarm",
        digits=2,
        separate_last_column=False,
        bold_best=False,
    )
    cbar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(label)
    cbar.outline.set_visible(False)
    if title:
        ax.set_title(title)
    return fig


def loadings_figure(loadings: pd.DataFrame, *, title: str | None = None):
    """Heat-map of d×J loadings (rows = skill names, columns = benchmarks in plot order): coolwarm on
    [−1, 2], values with 2 decimals (paper Figure 2)."""
    return _heatmap(loadings, vmin=LOADINGS_RANGE[0], vmax=LOADINGS_RANGE[1], label="Loading", title=title)


def correlation_figure(correlation: pd.DataFrame, *, title: str | None = None):
    """Heat-map of the skill correlation matrix (paper Figure 25), coolwarm on [−1, 1]."""
    return _heatmap(correlation, vmin=-1.0, vmax=1.0, label="Correlation", title=title)


def level_curves_figure(
    slopes: pd.DataFrame, models: pd.DataFrame, *, levels: int = 15, grid: int = 200, log_base: float = 10.0
):
    """Level curves of each skill's translog without intercept, f(u, v) = β₁u + β₂v + β₃uv, over the
    size/token range of ``models`` (columns u, v), with the models as dots (paper Figure 4).

    ``slopes``: rows log params, log tokens, interaction; one column per skill (in panel order).
    """
    import matplotlib.pyplot as plt

    apply_style()
    u = np.linspace(models["u"].min(), models["u"].max(), grid)
    v = np.linspace(models["v"].min(), models["v"].max(), grid)
    U, V = np.meshgrid(u, v)
    skills = list(slopes.columns)
    fig, axes = plt.subplots(1, len(skills), figsize=(3.6 * len(skills), 3.3), squeeze=False)
    unit = "log10" if log_base == 10.0 else f"log{log_base:g}"
    for ax, skill in zip(axes[0], skills, strict=True):
        b1, b2, b3 = slopes[skill].to_numpy(dtype=float)[:3]
        Z = b1 * U + b2 * V + b3 * U * V
        contours = ax.contour(U, V, Z, levels=levels, cmap="coolwarm", linewidths=1.0)
        ax.clabel(contours, inline=True, fontsize=6, fmt="%.1f")
        ax.scatter(models["u"], models["v"], s=8, color="black", zorder=3)
        ax.set_title(skill)
        ax.set_xlabel(f"{unit}(params (B))")
        ax.set_ylabel(f"{unit}(tokens (T))")
    fig.tight_layout()
    return fig


def instruct_figure(pairs: pd.DataFrame, skills: list[str]):
    """Base vs instruct skill (z-scores) per skill, one colour per family pair, 45° line (paper Figure 5).

    ``pairs`` as :func:`slothpipe.interpretation.products.instruct_pairs`.
    """
    import matplotlib.pyplot as plt

    apply_style()
    fig, axes = plt.subplots(1, len(skills), figsize=(3.4 * len(skills), 3.4), squeeze=False)
    families = list(dict.fromkeys(pairs["instruct_family"]))
    colours = plt.get_cmap("tab10")
    for ax, skill in zip(axes[0], skills, strict=True):
        rows = pairs[pairs["skill"] == skill]
        for k, fam in enumerate(families):
            sub = rows[rows["instruct_family"] == fam]
            ax.scatter(sub["base"], sub["instruct"], s=18, color=colours(k % 10), label=fam, zorder=3)
        values = np.concatenate([rows["base"].to_numpy(), rows["instruct"].to_numpy()])
        lo, hi = (float(values.min()), float(values.max())) if values.size else (-1.0, 1.0)
        pad = 0.05 * (hi - lo) + 1e-9
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="grey", linestyle="--", linewidth=1)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_title(skill)
        ax.set_xlabel("Base model skill (z-score)")
        ax.set_ylabel("Instruct model skill (z-score)")
    if families:
        axes[0][-1].legend(
            loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="Instruct family"
        )
    fig.tight_layout()
    return fig


def motivation_figure(rows: pd.DataFrame, benchmark: str):
    """Score vs log FLOPs, log size and log tokens for the base models of the top families, coloured by
    family with tab20 (paper Figures 8-9).

    ``rows`` as :func:`slothpipe.interpretation.products.motivation_frame`.
    """
    import matplotlib.pyplot as plt

    apply_style()
    fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.3), sharey=True)
    families = list(dict.fromkeys(rows["family"]))
    colours = plt.get_cmap("tab20")
    panels = [
        ("log_flops", "log FLOPs"),
        ("log_params", "log size (B params)"),
        ("log_tokens", "log tokens (T)"),
    ]
    for ax, (column, label) in zip(axes, panels, strict=True):
        for k, fam in enumerate(families):
            sub = rows[rows["family"] == fam]
            ax.scatter(sub[column], sub["score"], s=16, color=colours(k % 20), label=fam)
        ax.set_xlabel(label)
    axes[0].set_ylabel(benchmark)
    if families:
        axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="Family")
    fig.suptitle(benchmark)
    fig.tight_layout()
    return fig
