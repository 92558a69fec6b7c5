"""One leave-one-family-out fold: fit the methods on the training part, score the test part."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from slothpipe.evaluation.groups import Group, split_group, suite_frame

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from slothpipe.models.fitting import FitOptions

log = logging.getLogger(__name__)

#: Columns of a fold's error table, in order.
FOLD_COLUMNS = [
    "suite",
    "n_train_models",
    "group",
    "method",
    "model",
    "variant_family",
    "instruct",
    "benchmark",
    "y_true",
    "y_pred",
    "abs_error_pp",
]


def evaluate_fold(
    dataset: pd.DataFrame,
    *,
    suite: str,
    benchmarks: Sequence[str],
    n_train_models: int,
    group: Group,
    methods: Sequence[str],
    options: FitOptions | None = None,
    fit_predict: Callable[..., dict[str, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """Absolute errors (percentage points) of every method on every test model x benchmark of one fold.

    ``options`` (seed, restarts, solver; None = the defaults) go to ``fit_predict`` as they are;
    ``fit_predict`` defaults to :func:`slothpipe.models.fitting.fit_predict`; tests may inject another one.
    Rows are ordered by method (as given), test model (suite order: family, size) and benchmark (as given).
    """
    from slothpipe.models.fitting import DEFAULT_OPTIONS

    if fit_predict is None:
        from slothpipe.models.fitting import fit_predict
    benchmarks = list(benchmarks)
    frame = suite_frame(dataset, benchmarks, n_train_models)
    split = split_group(frame, group, n_train_models)
    if split.absent_families:
        log.warning(
            "group %s: families %s have fewer than %d usable models in suite %s and are ignored",
            group.label,
            list(split.absent_families),
            n_train_models + 1,
            suite,
        )
    train, test = frame.iloc[split.train], frame.iloc[split.test]
    if group.expected_n_test is not None and len(test) != group.expected_n_test:
        log.warning(
            "group %s (%s, %d training models): %d test models, the paper had %d",
            group.label,
            suite,
            n_train_models,
            len(test),
            group.expected_n_test,
        )
    log.info(
        "suite %s, n_train_models=%d, group %s: %d training / %d test models, %d methods",
        suite,
        n_train_models,
        group.label,
        len(train),
        len(test),
        len(methods),
    )
    if len(test) == 0:
        return _no_errors()

    covariates = ["log_params", "log_tokens"]
    predictions = fit_predict(
        list(methods),
        train[covariates].to_numpy(dtype=float),
        train["variant_family"].to_numpy(dtype=object),
        train[benchmarks].to_numpy(dtype=float),
        test[covariates].to_numpy(dtype=float),
        test["variant_family"].to_numpy(dtype=object),
        benchmarks=benchmarks,
        n_train_models=n_train_models,
        options=DEFAULT_OPTIONS if options is None else options,
    )
    y_true = test[benchmarks].to_numpy(dtype=float)
    n_test, n_bench = y_true.shape
    pieces = []
    for method in methods:
        y_pred = np.asarray(predictions[method], dtype=float)
        if y_pred.shape != y_true.shape:
            raise ValueError(f"method {method}: predictions of shape {y_pred.shape}, expected {y_true.shape}")
        pieces.append(
            pd.DataFrame(
                {
                    "method": method,
                    "model": np.repeat(test["model"].to_numpy(), n_bench),
                    "variant_family": np.repeat(test["variant_family"].to_numpy(), n_bench),
                    "instruct": np.repeat(test["instruct"].to_numpy(dtype=bool), n_bench),
                    "benchmark": np.tile(benchmarks, n_test),
                    "y_true": y_true.ravel(),
                    "y_pred": y_pred.ravel(),
                }
            )
        )
    out = pd.concat(pieces, ignore_index=True)
    out["abs_error_pp"] = (out["y_pred"] - out["y_true"]).abs() * 100.0
    out.insert(0, "group", group.id)
    out.insert(0, "n_train_models", n_train_models)
    out.insert(0, "suite", suite)
    return out[FOLD_COLUMNS]


def evaluate_setting(
    dataset: pd.DataFrame,
    *,
    suite: str,
    benchmarks: Sequence[str],
    n_train_models: int,
    groups: Sequence[Group],
    methods: Sequence[str],
    options: FitOptions | None = None,
) -> pd.DataFrame:
    """:func:`evaluate_fold` on each of ``groups`` (the held-out groups of one setting), in one process.

    The rows of each group are those of its own :func:`evaluate_fold`, and the groups follow ``groups``: one
    job per setting pays the start-up of a process once instead of once per group (docs/speed.md).
    """
    frames = [
        evaluate_fold(
            dataset,
            suite=suite,
            benchmarks=benchmarks,
            n_train_models=n_train_models,
            group=group,
            methods=methods,
            options=options,
        )
        for group in groups
    ]
    kept = [frame for frame in frames if len(frame)]
    return pd.concat(kept, ignore_index=True) if kept else _no_errors()


def _no_errors() -> pd.DataFrame:
    """The fold errors table without rows (a group with no test models), with its columns' dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in FOLD_COLUMNS})


def _dtype(column: str) -> str:
    if column in ("n_train_models",):
        return "int64"
    if column == "instruct":
        return "bool"
    if column in ("y_true", "y_pred", "abs_error_pp"):
        return "float64"
    return "object"
