"""The "PCA + FLOPs" baseline (Ruan et al. 2024 as adapted by the Sloth paper, App. E).

Fit: PCA with d components on the centred (not standardised) training score matrix Y; least squares *without
intercept* of the d principal-component scores on [F, one-hot(family)] (shared log-FLOPs slope, family
intercepts) or, with ``family_slopes``, on [F ⊙ one-hot(family), one-hot(family)] (a line per family);
prediction = mean + Σ_k score_k · component_k (``pca.inverse_transform``), with no link and no clipping.

The least squares uses the minimum-norm solution (as scikit-learn's ``LinearRegression``, LAPACK ``gelsd``),
so families with a single training model and family slopes are handled the same way.  Missing scores (NaN)
are imputed by iterating "rank-d PCA reconstruction → refill" from column means (Ruan et al. impute with an
iterative PCA too); with complete data this is exactly one plain PCA.
"""

from __future__ import annotations

from dataclasses import KW_ONLY
from numbers import Integral, Real
from typing import ClassVar

from slothpipe.models._params import Estimator, Interval, hyperparameters
from slothpipe.models._validation import check_covariates, check_families, check_scores, one_hot
from slothpipe.models.laws import log_flops

import numpy as np


@hyperparameters
class PCAFlopsRegressor(Estimator):
    """PCA + FLOPs: principal-component scores linear in log FLOPs with family intercepts.

    Parameters
    ----------
    n_components : d, the number of principal components (≤ min(n, J)).
    family_slopes : regress on [F ⊙ one-hot(family), one-hot(family)] (one line per family; the paper's
        setting with two training models of the held-out family) instead of [F, one-hot(family)].
    max_impute_iter, impute_tol : iterative PCA imputation of NaN scores.

    Fitted attributes: ``families_``, ``mean_`` (J), ``components_`` (d×J, rows orthonormal),
    ``coef_`` ((#columns of the design)×d), ``explained_variance_`` (d), ``n_impute_iter_``.
    """

    n_components: int = 2
    _: KW_ONLY
    family_slopes: bool = False
    max_impute_iter: int = 500
    impute_tol: float = 1e-10

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_components": [Interval(Integral, 1, None, closed="left")],  # <= min(n, J): checked in fit
        "family_slopes": ["boolean"],
        "max_impute_iter": [Interval(Integral, 0, None, closed="left")],
        "impute_tol": [Interval(Real, 0, None, closed="left")],
    }
    _fitted_attribute = "coef_"
    _sklearn_type = "regressor"
    _sklearn_single_output = False  # Y is an (n, J) matrix of benchmark scores

    #: family intercepts always: ``fit`` and ``predict`` need family labels
    needs_families = True

    def _design(self, X: np.ndarray, families, name: str) -> np.ndarray:
        fam = check_families(families, X.shape[0], name)
        D = one_hot(fam, self.families_, name)
        F = log_flops(X)[:, None]
        return np.hstack([F * D if self.family_slopes else F, D])

    def fit(self, X, Y, families=None):
        """Fit on X = [log params, log tokens] (n×2), scores Y (n×J, NaN = missing) and family labels."""
        self._validate_params()
        X = check_covariates(X, "X")
        Y = check_scores(Y, X.shape[0], "Y")
        n, J = Y.shape
        d = int(self.n_components)
        if d < 1 or d > min(n, J):
            raise ValueError(f"n_components={d} must be between 1 and min(n_models={n}, n_benchmarks={J})")
        fam = check_families(families, n, "families")
        self.families_ = np.unique(fam)
        A = self._design(X, fam, "families")

        missing = np.isnan(Y)
        Yf = np.where(missing, np.nanmean(Y, axis=0)[None, :], Y)
        n_iter = 0
        if missing.any():
            for n_iter in range(1, int(self.max_impute_iter) + 1):  # noqa: B007 (kept as a fitted attribute)
                mean, comps = _pca(Yf, d)
                recon = mean + (Yf - mean) @ comps.T @ comps
                change = float(np.max(np.abs(recon[missing] - Yf[missing])))
                Yf[missing] = recon[missing]
                if change < self.impute_tol:
                    break
        mean, comps = _pca(Yf, d)
        scores = (Yf - mean) @ comps.T
        coef, *_ = np.linalg.lstsq(A, scores, rcond=None)
        self.mean_ = mean
        self.components_ = comps
        self.explained_variance_ = scores.var(axis=0, ddof=1) if n > 1 else np.zeros(d)
        self.coef_ = coef
        self.n_impute_iter_ = n_iter
        self.n_features_in_ = 2
        self.n_outputs_ = J
        return self

    def predict(self, X, families=None) -> np.ndarray:
        """Predicted scores (m×J): ``mean_ + (design @ coef_) @ components_`` (not clipped to [0, 1])."""
        self._check_fitted()
        X = check_covariates(X, "X")
        A = self._design(X, families, "families")
        return self.mean_[None, :] + (A @ self.coef_) @ self.components_


def _pca(Y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Column means and the top-d right singular vectors (d×J) of the centred matrix."""
    mean = Y.mean(axis=0)
    _, _, vt = np.linalg.svd(Y - mean, full_matrices=False)
    comps = vt[:d]
    # deterministic sign (as scikit-learn's svd_flip): largest |entry| of each component positive
    signs = np.sign(comps[np.arange(d), np.argmax(np.abs(comps), axis=1)])
    signs[signs == 0] = 1.0
    return mean, comps * signs[:, None]
