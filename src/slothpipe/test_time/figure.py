"""Figure 7: coverage (pass@k) against the number of trials k, ground truth against Sloth + IRT."""

from __future__ import annotations

from collections.abc import Mapping

from slothpipe.plotting.style import new_figure

import pandas as pd


def test_time_figure(curves: pd.DataFrame, labels: Mapping[str, str]):
    """One colour per model of ``labels`` (model -> legend label, in that order): the unbiased pass@k estimate
    (solid) and the predicted coverage (dashed), k on a log scale."""
    fig = new_figure(4.6, 3.2)
    ax = fig.add_subplot(1, 1, 1)
    for i, (model, label) in enumerate(labels.items()):
        rows = curves[curves["model"] == model].sort_values("k")
        colour = f"C{i % 10}"
        ax.plot(rows["k"], rows["pass_at_k"], color=colour, linewidth=1.4, label=f"{label}: ground truth")
        ax.plot(
            rows["k"], rows["predicted"], color=colour, linewidth=1.4, linestyle="--",
            label=f"{label}: Sloth + IRT prediction",
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel("number of trials k")
    ax.set_ylabel("coverage (pass@k)")
    ax.grid(True, which="major", linewidth=0.4, alpha=0.5)
    ax.legend(loc="lower right", frameon=False)
    return fig
