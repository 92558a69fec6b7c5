"""Fixtures of the interpretation tests: the synthetic dataset, a d = 3 fit of it, simulated Sloth data."""

from __future__ import annotations

from slothpipe.interpretation.skills_model import PLOT_ORDER, fit_skills, skills_frame

import pandas as pd
import pytest
from world import SimData, simulate_dataset, simulate_sloth


@pytest.fixture(scope="session")
def dataset() -> pd.DataFrame:
    return simulate_dataset(d=3)


@pytest.fixture(scope="session")
def fit3(dataset):
    frame = skills_frame(dataset, PLOT_ORDER)
    return fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=2, random_state=0, rotation_starts=4)


@pytest.fixture(scope="session")
def sim() -> SimData:
    """Simulated Sloth data as arrays (the model tests' fixture of the same name)."""
    return simulate_sloth()
