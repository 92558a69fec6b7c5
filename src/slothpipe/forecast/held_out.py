"""The grid's held-out predictions as one table: the calibration data of every forecast interval.

Every fold job of the leave-one-family-out grid predicts the held-out models of one group from the group's
smallest models (:mod:`slothpipe.evaluation.folds`).  :func:`held_out_predictions` joins those predictions
into one table with, per prediction, its signed residual and what an interval may scale with:

* ``residual`` = ``y_pred - y_true`` (0-1 scale), signed, so that a biased method gets asymmetric intervals;
* ``family``, the original family, which is the exchangeable unit of the calibration: a new family is a new
  draw of a family, not of a model (:mod:`slothpipe.forecast.conformal`);
* ``gap_decades``, how far the target's training compute lies beyond the largest known model of its variant
  family in that fold (log10 of the FLOPs ratio; 0 when the target is no larger).

The table is tracked (``results/evaluation/predictions.parquet``), so a forecast in a fresh clone calibrates
from it without refitting the grid.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slothpipe.errors import DataError
from slothpipe.evaluation.groups import suite_frame

import numpy as np
import pandas as pd

#: Columns of the table, in order.
PREDICTION_COLUMNS = [
    "suite",
    "n_train_models",
    "group",
    "method",
    "model",
    "family",
    "variant_family",
    "benchmark",
    "y_true",
    "y_pred",
    "residual",
    "gap_decades",
]

LN10 = float(np.log(10.0))


def compute_gap(log_compute_target, log_compute_known) -> np.ndarray:
    """Decades of training compute (6·N·D) by which targets exceed the largest known model, floored at 0.

    Both arguments are natural logs of compute in one unit; :func:`log_compute` gives them."""
    gap = (np.asarray(log_compute_target, dtype=float) - np.asarray(log_compute_known, dtype=float)) / LN10
    return np.maximum(gap, 0.0)


def log_compute(frame: pd.DataFrame) -> pd.Series:
    """Natural log of training compute up to a constant (``log_params + log_tokens`` of the dataset)."""
    return frame["log_params"] + frame["log_tokens"]


def known_compute(dataset: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    """Per setting, group and variant family of the plan: the largest :func:`log_compute` of its known
    models (column ``known``).

    The known models are the family's models in the setting's suite frame that the group does not test:
    the ``n_train_models`` smallest ones (:func:`slothpipe.evaluation.groups.split_group`)."""
    rows = []
    for setting in plan["settings"]:
        suite, n = setting["suite"], int(setting["n_train_models"])
        frame = suite_frame(dataset, list(setting["benchmarks"]), n)
        for entry in setting["groups"]:
            tested = set(entry["test_models"])
            for family in entry["families"]:
                known = frame[(frame["variant_family"] == family) & ~frame["model"].isin(tested)]
                if known.empty:
                    continue
                rows.append((suite, n, entry["id"], family, float(log_compute(known).max())))
    return pd.DataFrame(rows, columns=["suite", "n_train_models", "group", "variant_family", "known"])


def held_out_predictions(
    folds: Iterable[pd.DataFrame], dataset: pd.DataFrame, plan: dict[str, Any]
) -> pd.DataFrame:
    """One row per held-out prediction of the grid (columns :data:`PREDICTION_COLUMNS`), sorted by setting,
    method, group, model and benchmark."""
    errors = pd.concat(list(folds), ignore_index=True)
    facts = dataset.set_index("model")[["family"]].assign(compute=log_compute(dataset).to_numpy())
    missing = sorted(set(errors["model"]) - set(facts.index))
    if missing:
        raise DataError(f"fold predictions name model(s) absent from the dataset: {missing[:5]}")
    out = errors.join(facts, on="model")
    keys = ["suite", "n_train_models", "group", "variant_family"]
    out = out.merge(known_compute(dataset, plan), on=keys, how="left", validate="many_to_one")
    if out["known"].isna().any():
        row = out[out["known"].isna()].iloc[0]
        raise DataError(
            f"fold predictions: {row['suite']}/n{row['n_train_models']}/{row['group']} tests "
            f"{row['model']!r}, whose variant family {row['variant_family']!r} has no known model in the plan"
        )
    out["residual"] = out["y_pred"] - out["y_true"]
    out["gap_decades"] = compute_gap(out["compute"], out["known"])
    out = out.sort_values(
        ["suite", "n_train_models", "method", "group", "model", "benchmark"], kind="mergesort"
    )
    return out[PREDICTION_COLUMNS].reset_index(drop=True)
