"""Shared fixtures for the model tests: simulated Sloth data and the paper's compiled dataset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from slothpipe.models.laws import translog_design

SHARED = Path(__file__).resolve().parents[3] / "shared"
DATA_V2 = SHARED / "reference" / "sloth_data_v2.csv"


@dataclass
class SimData:
    X: np.ndarray
    families: np.ndarray
    Y: np.ndarray
    mu: np.ndarray  # noiseless truth
    loadings: np.ndarray
    slopes: np.ndarray
    chance: np.ndarray


def simulate_sloth(n_families=6, per_family=6, J=6, d=2, noise=0.01, seed=0) -> SimData:
    """Scores from known Sloth-basic parameters (sigmoid link, fixed floors), clipped to [0, 1]."""
    rng = np.random.default_rng(seed)
    fams, u, v = [], [], []
    for f in range(n_families):
        sizes = np.sort(rng.uniform(np.log(0.1), np.log(70.0), per_family))
        tokens = rng.uniform(np.log(0.3), np.log(15.0)) + rng.normal(0.0, 0.4, per_family)
        fams += [f"fam{f}"] * per_family
        u.append(sizes)
        v.append(tokens)
    X = np.column_stack([np.concatenate(u), np.concatenate(v)])
    families = np.array(fams)
    slopes = np.array([[0.6, 0.2], [0.2, 0.7], [0.05, -0.05]])
    intercepts = rng.normal(0.0, 0.5, (n_families, d))
    loadings = np.abs(rng.normal(0.0, 1.0, (J, d))) + 0.2
    bias = rng.normal(-1.0, 0.5, J)
    chance = np.linspace(0.0, 0.3, J)
    fam_idx = np.searchsorted(np.unique(families), families)
    theta = translog_design(X) @ slopes + intercepts[fam_idx]
    eta = theta @ loadings.T + bias
    mu = chance + (1 - chance) / (1 + np.exp(-eta))
    Y = np.clip(mu + rng.normal(0.0, noise, mu.shape), 0.0, 1.0)
    return SimData(X, families, Y, mu, loadings, slopes, chance)


@pytest.fixture(scope="session")
def sim() -> SimData:
    return simulate_sloth()


@pytest.fixture(scope="session")
def data_v2():
    if not DATA_V2.exists():
        pytest.skip(f"needs the paper's dataset at {DATA_V2} (../shared absent)")
    import pandas as pd

    return pd.read_csv(DATA_V2)


@pytest.fixture(scope="session")
def make_sim():
    """The simulator itself, for tests that need other sizes."""
    return simulate_sloth
