"""Ruan et al.'s observational scaling law (arXiv 2405.10938) as scikit-learn-style components.

Per target, on the training rows only (ObsScaling code ``plot_scaling_predictions``, docs/sources.md):

1. :class:`PCAImputer` — standardise the benchmark matrix (NaN-aware mean and ddof-0 std), fill the gaps
   with the column means, then up to ``max_iter`` times fit a rank-1 PCA and overwrite *only the missing
   cells* with the reconstruction (stopping early only if the whole matrix is within ``tol`` of its
   reconstruction, as ``np.allclose``, or at a bitwise fixed point); unscale and clip.  Rows outside
   training are imputed with the training PCA held fixed.
2. PCA (:func:`slothpipe.downstream.regression.pca_skills`, the pipeline's PCA) of the imputed training
   matrix, not standardised; the first k scores are the predictors.
3. :class:`SigmoidLinkRegressor` — y = σ(c + w·x) (``link="sigmoid"``) or (1 − b)·σ(c + w·x) + b with
   b ∈ [0, ``floor_max``] (``"sigmoid-parametric"``), fitted by least squares (``curve_fit``:
   Levenberg-Marquardt without bounds, trust-region reflective with them) or by the *summed* Huber loss
   (BFGS, or L-BFGS-B with the floor bound), from c = 0, w = ``init_weight``, b = 0 and with numerical
   gradients, as the authors' code.

:class:`ObservationalScalingLaw` chains the three.  The splits (:func:`split_by_cutoff`,
:func:`split_by_rank`), the Llama-2-equivalent FLOPs re-parametrisation (:func:`equivalent_scale`) and the
mean squared error are plain functions.
"""

from __future__ import annotations

import warnings
from dataclasses import KW_ONLY
from numbers import Integral, Real
from typing import ClassVar

from slothpipe.downstream.regression import pca_skills
from slothpipe.models._params import Estimator, Interval, StrOptions, _clone, hyperparameters

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit, minimize

LINKS = ("sigmoid", "sigmoid-parametric")
LOSSES = ("least_squares", "huber")
#: Offset of the authors' ``np.log(x + 1e-9)`` on size and FLOPs predictors.
LOG_EPS = 1e-9


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(−x)), the authors' formula (kept so finite-difference optimiser paths match theirs)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _as_matrix(X, name: str, *, allow_nan: bool) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows = models), got shape {X.shape}")
    bad = np.isinf(X) if allow_nan else ~np.isfinite(X)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{name} has a non-finite value at row {i}, column {j}")
    return X


def log_compute(x) -> np.ndarray:
    """The authors' log transform of size and FLOPs: natural log of x + 1e-9 (NaN stays NaN)."""
    return np.log(np.asarray(x, dtype=float) + LOG_EPS)


# ----------------------------------------------------------------------------------------------------------
# Imputation


@hyperparameters
class PCAImputer(Estimator):
    """Iterative low-rank PCA imputation fitted on training rows (Ruan et al.'s ``pca_impute``).

    Parameters
    ----------
    n_components : rank of the reconstruction (1 in every application).
    max_iter : iterations of "PCA → overwrite the missing cells" (the authors' 1000).
    tol : early stop when the whole matrix is ``np.allclose`` (atol = tol) to its reconstruction.
    clip : (low, high) bounds of the imputed matrix in the original units, or None.

    Fitted attributes: ``mean_``, ``scale_`` (standardiser; a constant column gets scale 1), ``fill_``
    (initial fill in standardised units), ``pca_mean_``, ``components_`` (the last rank-k PCA),
    ``n_iter_``, ``n_features_in_``.
    """

    n_components: int = 1
    _: KW_ONLY
    max_iter: int = 1000
    tol: float = 1e-4
    clip: tuple[float, float] | None = (0.0, 1.0)

    _fitted_attribute = "components_"
    _sklearn_type = "transformer"
    _sklearn_allow_nan = True

    def _refine(self, Z: np.ndarray, missing: np.ndarray, refit: bool) -> int:
        """Iterate in place on standardised Z; returns the number of iterations run."""
        k = int(self.n_components)
        n_iter = 0
        for n_iter in range(1, int(self.max_iter) + 1):  # noqa: B007 (reported as n_iter_)
            if refit:
                self.pca_mean_, self.components_, _ = pca_skills(Z, k)
            recon = self.pca_mean_ + (Z - self.pca_mean_) @ self.components_.T @ self.components_
            if np.allclose(Z, recon, atol=float(self.tol)):
                break
            if np.array_equal(Z[missing], recon[missing]):
                # a bitwise fixed point (always so without missing cells): every further iteration would
                # repeat this one exactly, so stopping here gives the authors' 1000-iteration result
                break
            Z[missing] = recon[missing]
        return n_iter

    def fit(self, X, y=None):
        """Fit on the training matrix X (n×J, NaN = missing).  ``y`` is ignored."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        X = _as_matrix(X, "X", allow_nan=True)
        n, J = X.shape
        k = int(self.n_components)
        if not 1 <= k <= min(n, J):
            raise ValueError(f"n_components={k} must be between 1 and min(n_rows={n}, n_columns={J})")
        empty = np.isnan(X).all(axis=0)
        if empty.any():
            raise ValueError(f"X column {int(np.argmax(empty))} has no observed value in the training rows")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.mean_ = np.nanmean(X, axis=0)
            scale = np.nanstd(X, axis=0)
        self.scale_ = np.where(scale == 0.0, 1.0, scale)
        Z = (X - self.mean_) / self.scale_
        self.fill_ = np.nanmean(Z, axis=0)
        missing = np.isnan(Z)
        Z = np.where(missing, self.fill_[None, :], Z)
        self.n_iter_ = self._refine(Z, missing, refit=True)
        self.n_features_in_ = J
        return self._finish(Z)

    def transform(self, X) -> np.ndarray:
        """Impute rows with the training standardiser, fill and PCA (held fixed)."""
        self._check_fitted()
        X = _as_matrix(X, "X", allow_nan=True)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} columns; the imputer was fitted on {self.n_features_in_}")
        Z = (X - self.mean_) / self.scale_
        missing = np.isnan(Z)
        Z = np.where(missing, self.fill_[None, :], Z)
        if missing.any():
            self._refine(Z, missing, refit=False)
        return self._finish(Z)

    def _finish(self, Z: np.ndarray) -> np.ndarray:
        out = Z * self.scale_ + self.mean_
        if self.clip is not None:
            lo, hi = self.clip
            out = np.clip(out, lo, hi)
        return out


# ----------------------------------------------------------------------------------------------------------
# Regression with a sigmoid link


@hyperparameters
class SigmoidLinkRegressor(Estimator):
    """y = σ(c + w·x) or (1 − b)·σ(c + w·x) + b, fitted by least squares or the summed Huber loss.

    Parameters
    ----------
    link : ``"sigmoid"`` (floor 0, top 1) or ``"sigmoid-parametric"`` (floor b ∈ [0, floor_max], top 1).
    loss : ``"least_squares"`` (scipy ``curve_fit``) or ``"huber"`` (``minimize`` on Σ Huber_δ(r), BFGS or,
        with the floor bound, L-BFGS-B).
    huber_delta : δ of the Huber loss (1.0 in Ruan et al.'s applications, where it equals ½r² on [0, 1] data).
    floor_max : upper bound of the floor b (the authors' 0.2).
    init_weight : starting value of every weight w (the authors' 0.01 at commit 43dad32; 0.03 at HEAD).
    max_nfev : function-evaluation cap of ``curve_fit``.

    Fitted attributes: ``intercept_`` (c), ``coef_`` (w), ``floor_`` (b; 0 for the plain sigmoid),
    ``n_features_in_``.
    """

    _: KW_ONLY
    link: str = "sigmoid"
    loss: str = "least_squares"
    huber_delta: float = 1.0
    floor_max: float = 0.2
    init_weight: float = 0.01
    max_nfev: int = 10000

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "link": [StrOptions(LINKS)],
        "loss": [StrOptions(LOSSES)],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "floor_max": [Interval(Real, 0, 1, closed="left")],
        "init_weight": [Interval(Real, None, None, closed="neither")],
        "max_nfev": [Interval(Integral, 1, None, closed="left")],
    }
    _fitted_attribute = "coef_"
    _sklearn_type = "regressor"

    def _model(self, A: np.ndarray, p: np.ndarray) -> np.ndarray:
        if self.link == "sigmoid":
            return _sigmoid(A @ p)
        b = p[-1]
        return (1.0 - b) * _sigmoid(A @ p[:-1]) + b

    def fit(self, X, y):
        """Fit on predictors X (n×k) and targets y (n)."""
        self._validate_params()
        X = _as_matrix(X, "X", allow_nan=False)
        y = np.asarray(y, dtype=float).ravel()
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values")
        if not np.isfinite(y).all():
            raise ValueError("y must be finite")
        n, k = X.shape
        parametric = self.link == "sigmoid-parametric"
        n_par = k + 1 + int(parametric)
        if n < n_par:
            raise ValueError(f"need at least {n_par} rows to fit {n_par} parameters, got {n}")
        A = np.column_stack([np.ones(n), X])
        p0 = np.concatenate([[0.0], np.full(k, float(self.init_weight)), [0.0] if parametric else []])
        lower = np.full(n_par, -np.inf)
        upper = np.full(n_par, np.inf)
        if parametric:
            lower[-1], upper[-1] = 0.0, float(self.floor_max)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            if self.loss == "least_squares":
                bounds = (lower, upper) if parametric else (-np.inf, np.inf)
                p, _ = curve_fit(
                    lambda a, *q: self._model(a, np.asarray(q)),
                    A,
                    y,
                    p0=p0,
                    bounds=bounds,
                    maxfev=int(self.max_nfev),
                )
            else:
                delta = float(self.huber_delta)

                def objective(q):
                    r = self._model(A, q) - y
                    a = np.abs(r)
                    return np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta)).sum()

                if parametric:
                    res = minimize(
                        objective, p0, method="L-BFGS-B", bounds=list(zip(lower, upper, strict=True))
                    )
                else:
                    res = minimize(objective, p0, method="BFGS")
                p = res.x
        p = np.asarray(p, dtype=float)
        self.intercept_ = float(p[0])
        self.coef_ = p[1 : k + 1].copy()
        self.floor_ = float(p[-1]) if parametric else 0.0
        self.n_features_in_ = k
        return self

    def _check_X(self, X) -> np.ndarray:
        self._check_fitted()
        X = _as_matrix(X, "X", allow_nan=False)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} columns; the model was fitted on {self.n_features_in_}")
        return X

    def decision_function(self, X) -> np.ndarray:
        """The linear score C = c + w·x."""
        X = self._check_X(X)
        return self.intercept_ + X @ self.coef_

    def predict_from_score(self, C) -> np.ndarray:
        """The link applied to a linear score C."""
        C = np.asarray(C, dtype=float)
        return (1.0 - self.floor_) * _sigmoid(C) + self.floor_

    def predict(self, X) -> np.ndarray:
        return self.predict_from_score(self.decision_function(X))


# ----------------------------------------------------------------------------------------------------------
# The chained law


@hyperparameters
class ObservationalScalingLaw(Estimator):
    """Imputation + PCA + sigmoid-link regression on the first ``n_components`` PCs, fitted on training rows.

    ``fit(M, y)`` takes the benchmark matrix M (n×J, NaN = missing) of the training models and their targets;
    ``predict(M)`` imputes and projects other models with the training imputer and PCA.

    Parameters
    ----------
    n_components : k, the principal components regressed on.
    imputer : an unfitted :class:`PCAImputer` (None = ``PCAImputer()``, the authors' rank-1 imputation).
    regressor : an unfitted :class:`SigmoidLinkRegressor` (None = ``SigmoidLinkRegressor()``).

    ``fit`` fits copies of ``imputer`` and ``regressor`` (their hyper-parameters are declared there once; set
    them as ``regressor__loss`` etc.).
    Fitted attributes: ``imputer_`` (:class:`PCAImputer`), ``pca_mean_`` (J), ``components_`` (k×J),
    ``regressor_`` (:class:`SigmoidLinkRegressor`), ``metric_weights_`` (J, the effective weights w·components
    on the raw metrics), ``n_features_in_``.
    """

    n_components: int = 3
    _: KW_ONLY
    imputer: PCAImputer | None = None
    regressor: SigmoidLinkRegressor | None = None

    _fitted_attribute = "regressor_"
    _sklearn_type = "regressor"
    _sklearn_allow_nan = True

    def fit(self, M, y):
        M = _as_matrix(M, "M", allow_nan=True)
        k = int(self.n_components)
        if not 1 <= k <= min(M.shape):
            raise ValueError(f"n_components={k} must be between 1 and min(n_rows, n_metrics)={min(M.shape)}")
        self.imputer_ = PCAImputer() if self.imputer is None else _clone(self.imputer)
        filled = self.imputer_.fit_transform(M)
        self.pca_mean_, self.components_, scores = pca_skills(filled, k)
        self.regressor_ = SigmoidLinkRegressor() if self.regressor is None else _clone(self.regressor)
        self.regressor_.fit(scores, y)
        self.metric_weights_ = self.regressor_.coef_ @ self.components_
        self.n_features_in_ = M.shape[1]
        return self

    def transform(self, M) -> np.ndarray:
        """The first k PC scores of M (imputed with the training imputer)."""
        self._check_fitted()
        filled = self.imputer_.transform(M)
        return (filled - self.pca_mean_) @ self.components_.T

    def decision_function(self, M) -> np.ndarray:
        scores = self.transform(M)  # first: the fitted check
        return self.regressor_.decision_function(scores)

    def predict(self, M) -> np.ndarray:
        scores = self.transform(M)
        return self.regressor_.predict(scores)


# ----------------------------------------------------------------------------------------------------------
# Splits, equivalent scale, metrics


def split_by_cutoff(values, threshold: float) -> np.ndarray:
    """Training mask of a cutoff split: ``values <= threshold`` (inclusive); NaN goes to the test set."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return v <= float(threshold)


def n_test_of(limit: float, n: int) -> int:
    """Test-set size of a rank split: ``int(limit · n)`` (floor) for a ratio < 1, else ``int(limit)``."""
    if limit < 0:
        raise ValueError(f"test limit must be non-negative, got {limit!r}")
    k = int(limit * n) if limit < 1 else int(limit)
    if k >= n:
        raise ValueError(f"test limit {limit!r} leaves no training row out of {n}")
    return k


def split_by_rank(values, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Rank split: the top ``n_test_of(limit, n)`` rows by value (descending, NaN first) are the test set.

    Returns (order, train_mask): ``order`` lists row indices in ranked order (NaN first, then descending;
    ties keep their input order, a stable sort where the authors used pandas' unstable quicksort) and
    ``train_mask`` is the boolean training mask in input order.
    """
    v = np.asarray(values, dtype=float)
    n = v.shape[0]
    k = n_test_of(limit, n)
    nan = np.isnan(v)
    key = np.where(nan, -np.inf, -v)  # NaN first, then descending
    order = np.argsort(key, kind="stable")
    train = np.ones(n, dtype=bool)
    train[order[:k]] = False
    return order, train


def equivalent_scale(score_ref, log_scale_ref) -> tuple[float, float]:
    """OLS of the reference family's linear scores C on log compute: C = w·log(FLOPs) + b; returns (w, b).

    A model's equivalent log compute is (C − b)/w; the prediction link(C) = link(w·x_eq + b) is unchanged.
    """
    C = np.asarray(score_ref, dtype=float)
    x = np.asarray(log_scale_ref, dtype=float)
    ok = np.isfinite(C) & np.isfinite(x)
    if ok.sum() < 2 or np.ptp(x[ok]) == 0:
        raise ValueError("the equivalent scale needs at least two reference models of different compute")
    A = np.column_stack([x[ok], np.ones(int(ok.sum()))])
    (w, b), *_ = np.linalg.lstsq(A, C[ok], rcond=None)
    return float(w), float(b)


def to_equivalent(C, w: float, b: float) -> np.ndarray:
    """Equivalent log compute (C − b)/w of linear scores C."""
    return (np.asarray(C, dtype=float) - b) / w


def mse(y_true, y_pred) -> float:
    """Mean squared error (NaN for an empty set)."""
    y_true = np.asarray(y_true, dtype=float)
    if y_true.size == 0:
        return float("nan")
    return float(np.mean((np.asarray(y_pred, dtype=float) - y_true) ** 2))


def area_under_error(ratios, errors) -> float:
    """Trapezoidal integral of the test error over the test ratios (ascending), skipping NaN (failed fits)."""
    r = np.asarray(ratios, dtype=float)
    e = np.asarray(errors, dtype=float)
    ok = np.isfinite(e)
    order = np.argsort(r[ok], kind="stable")
    return float(np.trapezoid(e[ok][order], r[ok][order]))
