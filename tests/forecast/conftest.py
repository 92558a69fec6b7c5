"""Fixtures of the forecast tests: the tracked dataset and a synthetic calibration table."""

from __future__ import annotations

from pathlib import Path

from slothpipe.leaderboards import BENCHMARKS

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "results" / "data" / "dataset.parquet"
METHODS = ("flops", "sloth_basic_d2", "size_tokens_basic")


@pytest.fixture(scope="session")
def dataset() -> pd.DataFrame:
    return pd.read_parquet(DATASET)


@pytest.fixture(scope="session")
def sim_dataset() -> str:
    return str(DATASET)


def calibration_table(seed: int = 0) -> pd.DataFrame:
    """Held-out predictions of 30 made-up families for a few methods, every benchmark, errors of a few pp."""
    rng = np.random.default_rng(seed)
    rows = []
    for method in METHODS:
        for f in range(30):
            effect = rng.normal()
            for m in range(3):
                gap = float(rng.uniform(0, 2))
                for b in BENCHMARKS:
                    r = 0.03 * (1 + 0.3 * gap) * (0.7 * effect + 0.7 * rng.normal())
                    rows.append((method, f"c{f}", f"c{f}-{m}", b, 0.5, 0.5 + r, r, gap))
    cols = ["method", "family", "model", "benchmark", "y_true", "y_pred", "residual", "gap_decades"]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture(scope="session")
def calibration(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("calibration") / "predictions.parquet"
    calibration_table().to_parquet(path, index=False)
    return str(path)
