"""Shared matplotlib setup: headless backend, fixed style, identical re-renders."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from slothpipe.io import save_figure

import matplotlib.pyplot as plt

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "svg.hashsalt": "slothpipe",
    "pdf.fonttype": 42,
    "image.cmap": "viridis",
}


def apply_style() -> None:
    """Install the pipeline's rcParams (idempotent)."""
    plt.rcParams.update(STYLE)


def new_figure(width: float, height: float):
    apply_style()
    return plt.figure(figsize=(width, height))


def close(fig) -> None:
    plt.close(fig)


def save_and_close(fig, *paths) -> None:
    """Write ``fig`` to every path, then close it: what every figure job does with its pdf and png outputs.

    Each file is written by :func:`slothpipe.io.save_figure` (format from the suffix, byte-stable re-runs).
    """
    for path in paths:
        save_figure(fig, path)
    close(fig)
