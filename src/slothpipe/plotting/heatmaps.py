"""Annotated heat-maps of prediction errors (paper Figures 1, 3, 10-20)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slothpipe.leaderboards import SHORT_LABELS
from slothpipe.plotting.style import apply_style

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize

#: Short benchmark names for narrow columns, as in the paper's heat-maps (the benchmark table's labels).
SHORT_NAMES = dict(SHORT_LABELS)


@dataclass(frozen=True)
class Panel:
    """One heat-map: ``table`` rows are row labels, columns are column labels; ``title`` above it."""

    table: pd.DataFrame
    title: str
    separate_last_column: bool = True


def draw_heatmap(
    ax,
    table: pd.DataFrame,
    *,
    norm: Normalize,
    cmap: str,
    digits: int = 1,
    separate_last_column: bool = True,
    bold_best: bool = True,
    show_row_labels: bool = True,
):
    """Draw one annotated heat-map on ``ax``; the best (lowest) value of each column is bold."""
    values = table.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest"
    )
    colormap = image.get_cmap()
    finite = np.where(np.isfinite(values), values, np.inf)
    best = finite.min(axis=0) if n_rows else np.array([])
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if not np.isfinite(v):
                continue
            r, g, b, _ = colormap(norm(min(v, norm.vmax)))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            is_best = bold_best and round(v, digits) == round(best[j], digits)
            ax.text(
                j,
                i,
                f"{v:.{digits}f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
                fontweight="bold" if is_best else "normal",
            )
    columns = [SHORT_NAMES.get(str(c), str(c)) for c in table.columns]
    rotate = max(map(len, columns), default=0) > 6
    ax.set_xticks(range(n_cols), columns, rotation=40 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(n_rows), [str(r) for r in table.index] if show_row_labels else [])
    ax.tick_params(length=0)
    if separate_last_column and n_cols > 1:
        ax.axvline(n_cols - 1.5, color="white", linewidth=3)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return image


def heatmap_figure(
    panels: Sequence[Panel],
    *,
    value_label: str = "MAE (pp)",
    suptitle: str | None = None,
    digits: int = 1,
    cmap: str = "RdYlGn_r",
    vmax: float | None = None,
):
    """Side-by-side heat-maps sharing one colour scale (0 to the 95th percentile, or ``vmax``).

    All panels must have the same rows (they share the row labels of the first panel).
    """
    import matplotlib.pyplot as plt

    apply_style()
    n_rows = max(len(p.table) for p in panels)
    widths = [max(1, p.table.shape[1]) for p in panels]
    label_width = 0.065 * max((len(str(r)) for p in panels for r in p.table.index), default=10)
    width = label_width + 0.5 * sum(widths) + 0.9
    height = 0.75 + 0.24 * n_rows + (0.3 if suptitle else 0)
    fig, axes = plt.subplots(
        1, len(panels), figsize=(width, height), gridspec_kw={"width_ratios": widths}, squeeze=False
    )
    finite = np.concatenate([p.table.to_numpy(dtype=float).ravel() for p in panels])
    finite = finite[np.isfinite(finite)]
    top = vmax if vmax is not None else (float(np.quantile(finite, 0.95)) if finite.size else 1.0)
    norm = Normalize(vmin=0.0, vmax=max(top, 1e-9))
    image = None
    for k, (ax, panel) in enumerate(zip(axes[0], panels, strict=True)):
        image = draw_heatmap(
            ax,
            panel.table,
            norm=norm,
            cmap=cmap,
            digits=digits,
            separate_last_column=panel.separate_last_column,
            show_row_labels=k == 0,
        )
        ax.set_title(panel.title)
    cbar = fig.colorbar(image, ax=list(axes[0]), fraction=0.025 if len(panels) > 1 else 0.04, pad=0.01)
    cbar.set_label(value_label)
    cbar.outline.set_visible(False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig
