"""Fixtures of the model tests: simulated Sloth data (``world.py``) and the paper's compiled dataset."""

from __future__ import annotations

import pytest
from world import SimData, simulate_sloth


@pytest.fixture(scope="session")
def sim() -> SimData:
    return simulate_sloth()


@pytest.fixture(scope="session")
def data_v2(shared_dir):
    import pandas as pd

    return pd.read_csv(shared_dir / "reference" / "sloth_data_v2.csv")


@pytest.fixture(scope="session")
def make_sim():
    """The simulator itself, for tests that need other sizes."""
    return simulate_sloth
