"""Prediction curves versus model size for the link-function comparison of App. K (Figures 33–36).

For one leaderboard suite (6 benchmarks) and one test family: every model with the suite's scores, a size
and a token count is a training row except ``exclude`` (the big models of the case); the methods of
:data:`slothpipe.models.methods.METHODS` named in ``methods`` are fitted by
:func:`slothpipe.models.fitting.fit_predict` (natural-log covariates, as the registry expects) and predict
the test family at sizes ``sizes_b`` with the family's token count.  The result is one long table with the
curves and the family's observed scores (training models and the held-out test model).
"""

from __future__ import annotations

from collections.abc import Sequence

from slothpipe.errors import DataError
from slothpipe.interpretation.skills_model import skills_frame
from slothpipe.models.fitting import FitOptions, fit_predict
from slothpipe.models.methods import METHODS

import numpy as np
import pandas as pd

CURVE_COLUMNS = ["kind", "method", "label", "model", "role", "benchmark", "params_b", "score"]


def size_grid(min_b: float, max_b: float, n_points: int) -> np.ndarray:
    """``n_points`` sizes (B) equally spaced in log between ``min_b`` and ``max_b``."""
    if not 0 < min_b < max_b or int(n_points) < 2:
        raise ValueError(f"need 0 < min_b < max_b and n_points >= 2, got {min_b}, {max_b}, {n_points}")
    return np.logspace(np.log10(min_b), np.log10(max_b), int(n_points))


def link_curves(
    dataset: pd.DataFrame,
    benchmarks: Sequence[str],
    *,
    family: str,
    exclude: Sequence[str],
    test_model: str,
    methods: Sequence[str],
    sizes_b: np.ndarray,
    n_train_models: int = 1,
    options: FitOptions | None = None,
) -> pd.DataFrame:
    """Curves of each method for ``family`` (columns :data:`CURVE_COLUMNS`, scores on the 0–1 scale).

    ``test_model`` must be one of ``exclude`` and belong to ``family``; tokens of the curves = its tokens.
    """
    benchmarks = list(benchmarks)
    if test_model not in exclude:
        raise ValueError(f"test model {test_model!r} must be among the excluded models {list(exclude)}")
    full = skills_frame(dataset, benchmarks, log_base=np.e)
    train = skills_frame(dataset, benchmarks, exclude=exclude, log_base=np.e)
    test = full[full["model"] == test_model]
    if test.empty:
        raise DataError(f"dataset: test model {test_model!r} lacks a size, tokens or a score of {benchmarks}")
    if test["variant_family"].iloc[0] != family:
        raise DataError(
            f"test model {test_model!r} is in family {test['variant_family'].iloc[0]!r}, not {family!r}"
        )
    fam_train = train[train["variant_family"] == family]
    if fam_train.empty:
        raise DataError(f"family {family!r} has no training model with every score of {benchmarks}")
    tokens = float(test["tokens_t"].iloc[0])
    X_curve = np.column_stack([np.log(sizes_b), np.full(len(sizes_b), np.log(tokens))])
    preds = fit_predict(
        list(methods),
        train[["u", "v"]].to_numpy(float),
        train["variant_family"].to_numpy(str),
        train[benchmarks].to_numpy(float),
        X_curve,
        np.full(len(sizes_b), family),
        benchmarks=benchmarks,
        n_train_models=n_train_models,
        options=FitOptions() if options is None else options,
    )
    parts = []
    for name in methods:
        for j, bench in enumerate(benchmarks):
            parts.append(
                pd.DataFrame(
                    {
                        "kind": "curve",
                        "method": name,
                        "label": METHODS[name].label,
                        "model": "",
                        "role": "",
                        "benchmark": bench,
                        "params_b": sizes_b,
                        "score": preds[name][:, j],
                    }
                )
            )
    for rows, role in ((fam_train, "train"), (test, "test")):
        for bench in benchmarks:
            parts.append(
                pd.DataFrame(
                    {
                        "kind": "point",
                        "method": "",
                        "label": "",
                        "model": rows["model"].to_numpy(),
                        "role": role,
                        "benchmark": bench,
                        "params_b": rows["params_b"].to_numpy(float),
                        "score": rows[bench].to_numpy(float),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)[CURVE_COLUMNS]
