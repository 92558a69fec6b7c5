"""Prediction intervals calibrated on held-out families (split conformal, the family as the unit).

A forecast's error is the error of a fit on a family it has never seen.  The grid's held-out predictions
(:mod:`slothpipe.forecast.held_out`) are exactly such errors, for every method, so they calibrate the
intervals: no refit is needed, and the coverage of the intervals can be measured by holding families out of
the calibration in turn (:mod:`slothpipe.forecast.validation`).

Calibrations (:data:`CALIBRATIONS`):

``scaled`` (ours)
    Signed residuals divided by a scale ``s_b · (1 + c · gap) · v(ŷ)``: ``v(ŷ) = sqrt(ŷ(1 - ŷ)) + 0.05``
    the spread of a score at its predicted level (a score near 0 or 1 has little room to miss), ``s_b``
    the benchmark's mean absolute residual after dividing by ``v``, ``gap`` the decades of training compute
    by which the target exceeds its family's largest known model, ``c`` a non-negative slope fitted to the
    calibration residuals.  The interval is
    ``[ŷ - q_hi·σ, ŷ - q_lo·σ]`` with ``q_lo``, ``q_hi`` the ``α/2`` and ``1 - α/2`` quantiles of the scaled
    residuals, so a method that over-predicts a benchmark gets an interval that leans below its point.
    Every family carries the same total weight in the quantiles (a family with 20 held-out models is one
    draw of a family, as is a family with one): the family, not the model, is exchangeable.
``pooled_quantile``, ``benchmark_quantile``, ``benchmark_rmse`` (baselines)
    ``ŷ ± q`` with ``q`` the ``level`` quantile of all absolute residuals, or of the benchmark's; or
    ``ŷ ± z · RMSE_b`` with ``z`` the normal quantile.  Every row weighs the same.

Bounds are clipped to [0, 1] (scores are accuracies; not to the chance level: many models score below
chance) and always contain the point prediction (itself clipped to [0, 1]).

The baselines use the finite-sample level ``min(1, level·(1 + 1/n))`` of split conformal prediction with
``n`` exchangeable rows.  Ours uses the nominal levels of the family-weighted distribution: with ``F`` = 24
families as the units, the same correction (``0.95·(1 + 1/24)``) would ask for the largest family's error
and give 97-98 % coverage at 90 % in the nested validation (measured on the grid: ``docs/forecasts.md``).
Neither crepes nor MAPIE weights the calibration scores by a grouping unit (MAPIE's ``sample_weight`` reaches
the estimator's fit, not the quantile; both treat rows as exchangeable), and both need scikit-learn at run
time, which this package does not; the weighted quantile is ten lines here.
"""

from __future__ import annotations

from dataclasses import KW_ONLY
from typing import ClassVar

from slothpipe.models._params import Estimator, StrOptions, hyperparameters

import numpy as np
import pandas as pd
from scipy.stats import norm

#: The calibration methods: ours first, then the three baselines of the validation.
CALIBRATIONS = ("scaled", "pooled_quantile", "benchmark_quantile", "benchmark_rmse")
#: The nominal levels of the validation table.
LEVELS = (0.5, 0.8, 0.9, 0.95)
#: Columns a calibration table needs.
RESIDUAL_COLUMNS = ("family", "benchmark", "y_pred", "residual", "gap_decades")
#: The floor of the level factor v(ŷ) = sqrt(ŷ(1 - ŷ)) + LEVEL_FLOOR (0.02 to 0.1 measured alike).
LEVEL_FLOOR = 0.05


def level_factor(predicted) -> np.ndarray:
    """v(ŷ) = sqrt(ŷ(1 - ŷ)) + :data:`LEVEL_FLOOR`, ŷ clipped to [0, 1]."""
    p = np.clip(np.asarray(predicted, dtype=float), 0.0, 1.0)
    return np.sqrt(p * (1.0 - p)) + LEVEL_FLOOR


def family_weights(families) -> np.ndarray:
    """Weights that give every family the same total weight (1 / its number of rows)."""
    labels = np.asarray(families, dtype=object).astype(str)
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight share reaches ``q`` (the empirical quantile for equal
    weights: ``q = 1`` gives the maximum, ``q = 0`` the minimum)."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="mergesort")
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    i = int(np.searchsorted(cum, min(max(q, 0.0), 1.0) - 1e-12, side="left"))
    return float(values[order][min(i, len(values) - 1)])


def conformal_level(p: float, n_units: int) -> float:
    """The finite-sample quantile level for ``n_units`` exchangeable calibration units, capped at 1."""
    return min(1.0, p * (1.0 + 1.0 / max(int(n_units), 1)))


@hyperparameters
class ResidualCalibrator(Estimator):
    """Intervals around point forecasts from held-out residuals of one method.

    Parameters
    ----------
    calibration : one of :data:`CALIBRATIONS`.

    ``fit(residuals)`` takes a frame with the columns of :data:`RESIDUAL_COLUMNS` (one row per held-out
    prediction; ``residual = predicted - true`` on the 0-1 scale).  ``interval(predicted, benchmark, gap,
    level)`` returns ``(lower, upper)`` arrays.

    Fitted attributes: ``scale_`` (benchmark -> s_b), ``gap_slope_`` (c), ``n_units_`` (families for
    ``scaled``, rows otherwise), ``benchmarks_``.
    """

    _: KW_ONLY
    calibration: str = "scaled"

    _parameter_constraints: ClassVar[dict[str, list]] = {"calibration": [StrOptions(CALIBRATIONS)]}
    _fitted_attribute = "scale_"

    def fit(self, residuals: pd.DataFrame):
        self._validate_params()
        missing = [c for c in RESIDUAL_COLUMNS if c not in residuals.columns]
        if missing:
            raise ValueError(f"residuals: missing column(s) {missing}")
        if residuals.empty:
            raise ValueError("residuals: no row to calibrate from")
        r = residuals["residual"].to_numpy(dtype=float)
        bench = residuals["benchmark"].astype(str).to_numpy()
        gap = residuals["gap_decades"].to_numpy(dtype=float)
        self.benchmarks_ = tuple(dict.fromkeys(bench))
        if self.calibration == "scaled":
            w = family_weights(residuals["family"])
            r_level = r / level_factor(residuals["y_pred"])
            scale = {}
            for b in self.benchmarks_:
                m = bench == b
                scale[b] = float(np.average(np.abs(r_level[m]), weights=w[m]))
            s = np.array([scale[b] for b in bench])
            self.gap_slope_ = _gap_slope(np.abs(r_level) / s, gap, w)
            self.scores_ = r_level / (s * (1.0 + self.gap_slope_ * gap))
            self.weights_ = w
            self.n_units_ = int(residuals["family"].nunique())
            self.scale_ = scale
        else:
            self.gap_slope_ = 0.0
            self.n_units_ = len(r)
            if self.calibration == "pooled_quantile":
                self.scores_ = {b: np.abs(r) for b in self.benchmarks_}
            elif self.calibration == "benchmark_quantile":
                self.scores_ = {b: np.abs(r[bench == b]) for b in self.benchmarks_}
            self.scale_ = {b: float(np.sqrt(np.mean(r[bench == b] ** 2))) for b in self.benchmarks_}
        return self

    def interval(self, predicted, benchmark, gap, level: float):
        """(lower, upper): clipped to [0, 1] and containing the clipped point prediction."""
        self._check_fitted()
        if not 0.0 < float(level) < 1.0:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        pred = np.asarray(predicted, dtype=float)
        bench = np.broadcast_to(np.asarray(benchmark, dtype=object), pred.shape)
        gap = np.broadcast_to(np.asarray(gap, dtype=float), pred.shape)
        unknown = sorted(set(bench.ravel().tolist()) - set(self.benchmarks_))
        if unknown:
            raise ValueError(f"no calibration residuals for benchmark(s) {unknown}")
        alpha = 1.0 - float(level)
        if self.calibration == "scaled":
            hi_level = 1.0 - alpha / 2
            q_hi = weighted_quantile(self.scores_, self.weights_, hi_level)
            q_lo = weighted_quantile(self.scores_, self.weights_, 1.0 - hi_level)
            scale = np.vectorize(self.scale_.__getitem__, otypes=[float])(bench)
            sigma = scale * (1.0 + self.gap_slope_ * gap) * level_factor(pred)
            lower, upper = pred - q_hi * sigma, pred - q_lo * sigma
        else:
            if self.calibration == "benchmark_rmse":
                half = {b: norm.ppf(1.0 - alpha / 2) * self.scale_[b] for b in self.benchmarks_}
            else:
                half = {
                    b: weighted_quantile(s, np.ones_like(s), conformal_level(float(level), len(s)))
                    for b, s in self.scores_.items()
                }
            h = np.vectorize(half.__getitem__, otypes=[float])(bench)
            lower, upper = pred - h, pred + h
        point = np.clip(pred, 0.0, 1.0)
        lower = np.minimum(np.clip(lower, 0.0, 1.0), point)
        upper = np.maximum(np.clip(upper, 0.0, 1.0), point)
        return lower, upper


def _gap_slope(scaled_abs: np.ndarray, gap: np.ndarray, weights: np.ndarray) -> float:
    """c >= 0 of ``|r| / s_b ≈ a·(1 + c·gap)`` by weighted least squares of the scaled absolute residuals."""
    if np.ptp(gap) == 0:
        return 0.0
    A = np.column_stack([np.ones_like(gap), gap])
    sw = np.sqrt(weights)
    (a, b), *_ = np.linalg.lstsq(A * sw[:, None], scaled_abs * sw, rcond=None)
    if a <= 0:
        return 0.0
    return float(max(b / a, 0.0))


def interval_score(y, lower, upper, level: float) -> np.ndarray:
    """Winkler's interval score of each interval: its width plus 2/α times the distance by which y misses."""
    alpha = 1.0 - float(level)
    y, lower, upper = (np.asarray(a, dtype=float) for a in (y, lower, upper))
    return (upper - lower) + (2.0 / alpha) * (np.clip(lower - y, 0.0, None) + np.clip(y - upper, 0.0, None))
