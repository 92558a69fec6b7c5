"""One forecasting engine: fit a method on the dataset plus a new family's known models, predict its targets,
and put a calibrated interval around every prediction.

The fit is the fold jobs' fit (:func:`slothpipe.models.fitting.fit_predict`) on the rows a fold job would
train on: the dataset's models usable in the leaderboard's suite (:func:`slothpipe.evaluation.groups.
suite_frame`: every benchmark, a size and tokens, variant families with more models than the request has
known models per family) plus the request's known models, in the suite's order.  So a forecast's points are a
fold job's predictions whenever the training rows are the same (``tests/forecast/``).  The intervals come from
the grid's held-out predictions of the same method (:mod:`slothpipe.forecast.conformal`), without the
families the request excludes.

Used by the command line (``python -m slothpipe.forecast``), the Snakemake rule ``forecast`` and
:meth:`slothpipe.api.Sloth.predict_interval` (which shares the calibration step, :func:`calibrated`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from slothpipe.errors import DataError
from slothpipe.evaluation.groups import suite_frame
from slothpipe.forecast.conformal import ResidualCalibrator
from slothpipe.forecast.held_out import compute_gap
from slothpipe.forecast.new_models import Request
from slothpipe.models.fitting import FitOptions, fit_predict
from slothpipe.models.method_settings import FIT_SPECS

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: Digits of a written forecast (scores on 0-1: 1e-6 is far below any interval's width).
FLOAT_FORMAT = "%.6f"
#: Columns of a forecast, in order.
FORECAST_COLUMNS = ["model", "benchmark", "predicted", "lower", "upper", "level", "method"]


@dataclass
class Forecast:
    """A forecast (:data:`FORECAST_COLUMNS`) and what it rests on, for the user's log."""

    table: pd.DataFrame
    method: str
    n_train_models: int
    training: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def calibrated(
    predictions: pd.DataFrame,
    method: str,
    *,
    exclude_families: Sequence[str] = (),
    calibration: str = "scaled",
) -> ResidualCalibrator:
    """The calibrator of ``method`` from the grid's held-out predictions, without ``exclude_families``
    (original families), so that a family is never calibrated on its own errors."""
    rows = predictions[
        (predictions["method"] == method) & ~predictions["family"].isin(list(exclude_families))
    ]
    if rows.empty:
        raise DataError(
            f"no held-out predictions of method {method!r} to calibrate its intervals from; methods with "
            f"them: {', '.join(sorted(predictions['method'].unique()))}"
        )
    return ResidualCalibrator(calibration=calibration).fit(rows)


def interval_table(
    calibrator: ResidualCalibrator,
    predicted: np.ndarray,
    *,
    models,
    benchmarks: Sequence[str],
    log_compute,
    known_log_compute,
    level: float,
    method: str,
) -> pd.DataFrame:
    """The forecast table (:data:`FORECAST_COLUMNS`) of an (n_models, n_benchmarks) prediction array.

    ``log_compute`` and ``known_log_compute``: natural logs of each model's training compute and of its
    family's largest known model's (any common unit), from which the compute gap follows."""
    predicted = np.asarray(predicted, dtype=float)
    n_t, n_b = predicted.shape
    gap = compute_gap(log_compute, known_log_compute)
    lower, upper = calibrator.interval(
        predicted.ravel(), np.tile(benchmarks, n_t), np.repeat(gap, n_b), level
    )
    table = pd.DataFrame(
        {
            "model": np.repeat(np.asarray(models), n_b),
            "benchmark": np.tile(np.asarray(benchmarks, dtype=object), n_t),
            "predicted": np.clip(predicted.ravel(), 0.0, 1.0),
            "lower": lower,
            "upper": upper,
            "level": float(level),
            "method": method,
        }
    )
    return table[FORECAST_COLUMNS]


def _known_rows(request: Request) -> pd.DataFrame:
    known = request.known.copy()
    known["variant_family"] = known["family"]
    known["log_params"] = np.log(known["params_b"])
    known["log_tokens"] = np.log(known["tokens_t"])
    return known


def training_rows(
    request: Request, dataset: pd.DataFrame, *, exclude_families: Sequence[str] = ()
) -> tuple[pd.DataFrame, int, list[str]]:
    """(training frame in suite order, the setting's number of known models per family, notes).

    The dataset loses every model of an excluded original family.  A target family that is still a variant
    family of the dataset takes the dataset's models of that family as known models too."""
    notes = []
    originals = set(dataset["family"].astype(str))
    unknown = [f for f in exclude_families if f not in originals]
    if unknown:
        raise DataError(
            f"--exclude-family {unknown[0]!r}: no original family of that name in the dataset; its "
            f"families: {', '.join(sorted(originals))}"
        )
    data = dataset[~dataset["family"].isin(list(exclude_families))]
    if exclude_families:
        notes.append(
            f"excluded {len(dataset) - len(data)} dataset model(s) of famil"
            f"{'y' if len(exclude_families) == 1 else 'ies'} {', '.join(exclude_families)}"
        )
    clash = sorted((set(request.known["model"]) | set(request.targets["model"])) & set(data["model"]))
    if clash:
        raise DataError(
            f"model {clash[0]!r} of the request is also a model of the dataset; rename it, or remove its "
            "family from the fit with --exclude-family"
        )
    target_families = list(dict.fromkeys(request.targets["family"]))
    usable = data.dropna(subset=["params_b", "tokens_t", *request.benchmarks])
    from_dataset = usable[usable["variant_family"].isin(target_families)]
    known = _known_rows(request)
    counts = {}
    for family in target_families:
        n_data = int((from_dataset["variant_family"] == family).sum())
        n_new = int((known["family"] == family).sum())
        if n_data + n_new == 0:
            raise DataError(
                f"family {family!r} has no known model: give at least one of its models with every "
                f"benchmark of leaderboard {request.suite}, or name one of the dataset's variant families"
            )
        if n_data:
            notes.append(f"family {family}: {n_data} dataset model(s) used as known models")
        counts[family] = n_data + n_new
    n_setting = 1 if not counts or min(counts.values()) == 1 else 2
    rest = suite_frame(data[~data["variant_family"].isin(target_families)], request.benchmarks, n_setting)
    frame = pd.concat([rest, from_dataset, known], ignore_index=True)
    frame = frame.sort_values(["variant_family", "params_b", "model"], kind="mergesort").reset_index(
        drop=True
    )
    return frame, n_setting, notes


def forecast(
    request: Request,
    dataset: pd.DataFrame,
    predictions: pd.DataFrame,
    *,
    method: str,
    level: float = 0.9,
    exclude_families: Sequence[str] = (),
    options: FitOptions | None = None,
) -> Forecast:
    """Predict the request's targets with ``method`` and calibrated intervals at ``level``; the fit's seed
    and restarts are ``options`` (None = the defaults, as the fold jobs')."""
    if method not in FIT_SPECS:
        raise DataError(f"unknown method {method!r}; the methods: {', '.join(FIT_SPECS)}")
    if not 0.0 < float(level) < 1.0:
        raise DataError(f"level must be between 0 and 1 (e.g. 0.9), got {level!r}")
    train, n_setting, notes = training_rows(request, dataset, exclude_families=exclude_families)
    calibrator = calibrated(predictions, method, exclude_families=exclude_families)
    targets = request.targets
    benchmarks = request.benchmarks
    if targets.empty:
        notes.append("the request has no target (every row has scores): nothing to forecast")
        return Forecast(pd.DataFrame(columns=FORECAST_COLUMNS), method, n_setting, train, notes)
    X = lambda df: df[["log_params", "log_tokens"]].to_numpy(dtype=float)  # noqa: E731
    X_test = np.column_stack([np.log(targets["params_b"]), np.log(targets["tokens_t"])])
    pred = fit_predict(
        [method],
        X(train),
        train["variant_family"].to_numpy(dtype=object),
        train[benchmarks].to_numpy(dtype=float),
        X_test,
        targets["family"].to_numpy(dtype=object),
        benchmarks=benchmarks,
        n_train_models=n_setting,
        options=FitOptions() if options is None else options,
    )[method]
    known_max = (train["log_params"] + train["log_tokens"]).groupby(train["variant_family"]).max()
    table = interval_table(
        calibrator,
        pred,
        models=targets["model"].to_numpy(),
        benchmarks=benchmarks,
        log_compute=X_test.sum(axis=1),
        known_log_compute=known_max[targets["family"]].to_numpy(),
        level=level,
        method=method,
    )
    return Forecast(table, method, n_setting, train, notes)
