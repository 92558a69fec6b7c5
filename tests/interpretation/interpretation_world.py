"""A dataset-shaped frame simulated from a known Sloth model, for the interpretation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from synthetic_sources import FAMILIES as SHARED_FAMILIES

from slothpipe.analysis.skills import PLOT_ORDER
from slothpipe.models.laws import translog_design
from slothpipe.models.registry import CHANCE_LEVELS

# the shared synthetic families plus one with many tokens; "alpha-chat" pairs with "alpha".
FAMILIES = {**SHARED_FAMILIES, "eps": ("eps", False, 8.0, [0.5, 4.0, 20.0])}


def synthetic_dataset(seed: int = 0, d: int = 3, noise: float = 0.004) -> pd.DataFrame:
    """One row per model with the dataset's columns (model, family, variant_family, instruct, params_b,
    tokens_t, the 12 benchmarks on 0-1), scores from a d-skill Sloth basic in log10 units."""
    rng = np.random.default_rng(seed)
    bench = list(PLOT_ORDER)
    slopes = rng.normal(0.0, 0.5, (3, d)) + np.array([[0.8], [0.5], [0.0]])
    loadings = np.abs(rng.normal(0.8, 0.4, size=(len(bench), d)))
    bias = rng.normal(-1.0, 0.3, size=len(bench))
    gamma = np.array([CHANCE_LEVELS[b] for b in bench])
    rows = []
    for variant, (family, instruct, tokens, sizes) in FAMILIES.items():
        alpha = rng.normal(0, 0.4, size=d)
        for size in sizes:
            X = np.array([[np.log10(size), np.log10(tokens)]])
            eta = (translog_design(X) @ slopes + alpha) @ loadings.T + bias
            y = gamma + (1 - gamma) / (1 + np.exp(-eta[0])) + rng.normal(0, noise, size=len(bench))
            name = f"{family}-{size:g}b" + ("-chat" if instruct else "")
            rows.append(
                {"model": name, "hf_id": f"synth/{name}", "family": family, "variant_family": variant,
                 "instruct": instruct, "params_b": float(size), "tokens_t": float(tokens),
                 **dict(zip(bench, np.clip(y, 0.0, 1.0), strict=True))}
            )  # fmt: skip
    return pd.DataFrame(rows)
