"""The downstream regressions of the paper (paper §4.4, App. J) and Ruan et al.'s PCA skills (App. L).

The authors fit ``Sloth(d=1)`` with the skills as covariates, a shared intercept, a sigmoid link and the floor
fixed at 0, i.e. y = sigmoid(w·(βᵀz + c) + b) with the Huber loss.  :class:`~slothpipe.models.laws.
SlothRegressor` cannot take arbitrary covariates (its slope design is always (log size, log tokens,
interaction)), hence this small estimator.  w·(βᵀz + c) + b is over-parametrised (only wβ and wc + b are
identified), so we fix w = 1 and b = 0 and fit y = γ + (1 − γ)·sigmoid(βᵀz + c) with γ = 0 by default:
the same function class, and β is reported on the scale of the linear predictor (the x-axis of Figures 6,
30, 37, 38).  The authors' β is determined only up to their arbitrary split between w and β, so compare
signs and ratios, not magnitudes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY
from numbers import Integral, Real
from typing import ClassVar

from slothpipe.errors import DataError
from slothpipe.models._core import HUBER_DELTA  # the Huber threshold δ of every Sloth fit
from slothpipe.models._params import Estimator, Interval, hyperparameters

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit as sigmoid

#: Identifier columns of a skills table (:func:`slothpipe.downstream.skill_sources.setting_skills`).
ID_COLUMNS = ["model", "variant_family", "params_b", "tokens_t", "role"]

#: Random starts of a downstream regression (besides the least-squares-on-logits start).
DEFAULT_RESTARTS = 10


def huber(r: np.ndarray, delta: float = HUBER_DELTA) -> tuple[np.ndarray, np.ndarray]:
    """SmoothL1 (Huber/δ) value and derivative, elementwise: r²/(2δ) for |r| < δ, |r| − δ/2 otherwise."""
    der = np.clip(r / delta, -1.0, 1.0)
    return der * (r - 0.5 * delta * der), der


def _check_matrix(Z, name: str) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows = models, columns = skills), got shape {Z.shape}")
    if not np.isfinite(Z).all():
        i, j = np.argwhere(~np.isfinite(Z))[0]
        raise ValueError(f"{name} has a non-finite value at row {i}, column {j}")
    return Z


def huber_objective(
    theta: np.ndarray, Z: np.ndarray, y: np.ndarray, floor: float = 0.0, delta: float = HUBER_DELTA
) -> tuple[float, np.ndarray]:
    """Mean SmoothL1 (Huber/δ) loss of y ≈ floor + (1 − floor)·sigmoid(Z β + c) and its gradient.

    ``theta`` = (β_1..β_d, c).  The gradient is analytic: ∂ℓ/∂η = huber'(r)·(1 − floor)·s(1 − s)/n.
    """
    beta, c = theta[:-1], theta[-1]
    s = sigmoid(Z @ beta + c)
    r = floor + (1.0 - floor) * s - y
    val, der = huber(r, delta)
    n = len(y)
    g_eta = der * (1.0 - floor) * s * (1.0 - s) / n
    grad = np.concatenate([Z.T @ g_eta, [g_eta.sum()]])
    return float(val.sum() / n), grad


@hyperparameters
class LogisticLinkRegressor(Estimator):
    """y = floor + (1 − floor)·sigmoid(βᵀz + c), fitted with the mean Huber loss (δ = 0.01) by L-BFGS-B.

    Parameters
    ----------
    floor : lower asymptote γ (the paper's downstream fits use 0).
    n_restarts : random starts (normal β, c with standard deviation 1) on top of one deterministic start
        from least squares on the clipped logits of y; the lowest training loss wins (first on ties).
    max_iter, tol : L-BFGS-B iteration cap and ``ftol``.
    random_state : seed of the random starts.

    Fitted attributes: ``coef_`` (β, d), ``intercept_`` (c), ``loss_``, ``restart_losses_``,
    ``n_features_in_``.
    """

    _: KW_ONLY
    floor: float = 0.0
    n_restarts: int = DEFAULT_RESTARTS
    max_iter: int = 5000
    tol: float = 1e-12
    random_state: int | None = 0

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "floor": [Interval(Real, 0, 1, closed="left")],
        "n_restarts": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["seed", None],
    }
    _fitted_attribute = "coef_"
    _sklearn_type = "regressor"

    def fit(self, Z, y):
        """Fit on covariates Z (n×d, e.g. skills) and targets y (n, in [0, 1]).  Returns ``self``."""
        self._validate_params()
        Z = _check_matrix(Z, "Z")
        y = np.asarray(y, dtype=float).ravel()
        if y.shape[0] != Z.shape[0]:
            raise ValueError(f"Z has {Z.shape[0]} rows but y has {y.shape[0]} values")
        if not np.isfinite(y).all() or (y < 0).any() or (y > 1).any():
            raise ValueError("y must be finite and within [0, 1]")
        floor = float(self.floor)
        n, d = Z.shape
        if n < d + 1:
            raise ValueError(f"need at least {d + 1} rows to fit {d} weights and an intercept, got {n}")
        p = np.clip((y - floor) / (1.0 - floor), 0.01, 0.99)
        A = np.column_stack([Z, np.ones(n)])
        ls, *_ = np.linalg.lstsq(A, np.log(p / (1.0 - p)), rcond=None)
        rng = np.random.default_rng(self.random_state)
        starts = [ls] + [rng.normal(0.0, 1.0, d + 1) for _ in range(int(self.n_restarts))]
        results = []
        for theta0 in starts:
            res = minimize(
                huber_objective,
                theta0,
                args=(Z, y, floor),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": int(self.max_iter), "ftol": float(self.tol), "gtol": 1e-12},
            )
            results.append((float(res.fun), np.asarray(res.x, dtype=float)))
        losses = [loss for loss, _ in results]
        best = int(np.argmin(losses))
        theta = results[best][1]
        self.coef_ = theta[:-1].copy()
        self.intercept_ = float(theta[-1])
        self.loss_ = losses[best]
        self.restart_losses_ = np.array(losses)
        self.n_features_in_ = d
        return self

    def decision_function(self, Z) -> np.ndarray:
        """The linear predictor βᵀz + c (the x-axis of the downstream figures)."""
        self._check_fitted()
        Z = _check_matrix(Z, "Z")
        if Z.shape[1] != self.n_features_in_:
            raise ValueError(f"Z has {Z.shape[1]} columns; the model was fitted on {self.n_features_in_}")
        return Z @ self.coef_ + self.intercept_

    def predict(self, Z) -> np.ndarray:
        """Predicted downstream scores floor + (1 − floor)·sigmoid(βᵀz + c)."""
        eta = self.decision_function(Z)
        return float(self.floor) + (1.0 - float(self.floor)) * sigmoid(eta)


def pca_skills(Y, n_components: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ruan et al.'s capabilities: PCA of the raw (centred, not standardised) score matrix Y (n×J).

    Returns (mean (J), components (k×J, orthonormal rows), scores (n×k) = (Y − mean) componentsᵀ), computed
    with numpy's SVD.  Sign convention as scikit-learn ≥ 1.5's ``PCA`` (``svd_flip(u_based_decision=False)``):
    the entry of largest absolute value of each component is positive, so ``components`` equals
    ``PCA(n_components).fit(Y).components_`` and ``scores`` its ``transform(Y)`` (the paper's Figure 40 and
    the App. L regression features).
    """
    Y = _check_matrix(Y, "Y")
    k = int(n_components)
    if not 1 <= k <= min(Y.shape):
        raise ValueError(f"n_components={k} must be between 1 and min(n_rows, n_columns)={min(Y.shape)}")
    mean = Y.mean(axis=0)
    _, _, vt = np.linalg.svd(Y - mean, full_matrices=False)
    comps = vt[:k]
    signs = np.sign(comps[np.arange(k), np.argmax(np.abs(comps), axis=1)])
    signs[signs == 0] = 1.0
    comps = comps * signs[:, None]
    return mean, comps, (Y - mean) @ comps.T


def task_scores(dataset: pd.DataFrame, *, column: str | None = None, scores: pd.DataFrame | None = None):
    """Downstream scores by model (NaN rows dropped): a dataset ``column`` or a ``scores`` frame."""
    if (column is None) == (scores is None):
        raise ValueError("give exactly one of column (a dataset column) or scores (a score table)")
    if column is not None:
        if column not in dataset.columns:
            raise DataError(f"dataset: no downstream score column {column!r}")
        series = dataset.set_index("model")[column]
    else:
        series = scores.set_index("model")["score"]
    return series.dropna().astype(float)


def fit_task(
    skills: pd.DataFrame,
    scores: pd.Series,
    heldout: Sequence[str],
    *,
    n_restarts: int = 10,
    random_state: int = 0,
) -> tuple[LogisticLinkRegressor, pd.DataFrame]:
    """Fit the downstream regression on the models with skills and a score, minus ``heldout``; predict all.

    Returns (regressor, points) with points columns model, role (``train``/``heldout``), true, predicted,
    abs_error, linear_predictor; rows: training models then held-out ones, each sorted by model.
    """
    names = [c for c in skills.columns if c not in ID_COLUMNS]
    heldout = list(heldout)
    with_skills = set(skills["model"])
    bad = [m for m in heldout if m not in with_skills or m not in scores.index]
    if bad:
        raise DataError(f"held-out model(s) {bad} need both skills and a downstream score")
    train = skills[skills["model"].isin(scores.index) & ~skills["model"].isin(heldout)]
    test = skills.set_index("model").loc[sorted(heldout)].reset_index()
    reg = LogisticLinkRegressor(n_restarts=n_restarts, random_state=random_state)
    reg.fit(train[names].to_numpy(float), scores.loc[train["model"]].to_numpy(float))
    parts = []
    for rows, role in ((train, "train"), (test, "heldout")):
        Z = rows[names].to_numpy(float)
        true = scores.loc[rows["model"]].to_numpy(float)
        pred = reg.predict(Z)
        parts.append(
            pd.DataFrame(
                {
                    "model": rows["model"].to_numpy(),
                    "role": role,
                    "true": true,
                    "predicted": pred,
                    "abs_error": np.abs(pred - true),
                    "linear_predictor": reg.decision_function(Z),
                }
            )
        )
    return reg, pd.concat(parts, ignore_index=True)


def weights_frame(reg: LogisticLinkRegressor, names: Sequence[str]) -> pd.DataFrame:
    """skill, weight rows: the regression weights β, then the intercept c as skill ``(intercept)``."""
    return pd.DataFrame({"skill": [*names, "(intercept)"], "weight": [*reg.coef_.tolist(), reg.intercept_]})


def run_regressions(
    skills: dict[str, pd.DataFrame],
    scores: dict[str, pd.Series],
    heldout: dict[str, Sequence[str]],
    *,
    n_restarts: int = DEFAULT_RESTARTS,
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every task (``scores``, ``heldout`` keyed by task) on every skill setting (``skills``, by setting).

    Returns (points, weights): :func:`fit_task` points and :func:`weights_frame` rows with leading columns
    ``task`` and ``setting``, tasks then settings in the given order.
    """
    all_points, all_weights = [], []
    for task, series in scores.items():
        for setting, table in skills.items():
            names = [c for c in table.columns if c not in ID_COLUMNS]
            reg, points = fit_task(
                table, series, heldout[task], n_restarts=n_restarts, random_state=random_state
            )
            all_points.append(points.assign(task=task, setting=setting))
            all_weights.append(weights_frame(reg, names).assign(task=task, setting=setting))
    points = pd.concat(all_points, ignore_index=True)
    weights = pd.concat(all_weights, ignore_index=True)
    return (
        points[["task", "setting", *[c for c in points.columns if c not in ("task", "setting")]]],
        weights[["task", "setting", "skill", "weight"]],
    )


def error_table(points: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute error per task and setting: in-sample (training models) and held-out models."""
    rows = []
    for (task, setting), group in points.groupby(["task", "setting"], sort=False):
        train = group[group["role"] == "train"]["abs_error"]
        held = group[group["role"] == "heldout"]["abs_error"]
        rows.append(
            {
                "task": task,
                "setting": setting,
                "n_train": len(train),
                "in_sample_mae": float(train.mean()),
                "n_heldout": len(held),
                "out_of_sample_mae": float(held.mean()),
            }
        )
    return pd.DataFrame(rows)
