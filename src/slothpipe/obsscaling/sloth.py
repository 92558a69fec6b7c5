"""Sloth skills as predictors on Ruan et al.'s splits (issue 12, item 4).

For one target and its split, Sloth basic (:class:`slothpipe.models.laws.SlothRegressor`: d skills, sigmoid
link, floors fixed at chance, family intercepts, log10 size and tokens) is fitted to the *base metrics* of
the **training rows that have a size and a token count** (missing scores are skipped by its loss).  Its
skills then feed the same sigmoid-link regression as the PCs (:class:`~slothpipe.obsscaling.method.
SigmoidLinkRegressor`, same link and loss as the application), again fitted on training rows only:

* ``sloth_skills_d{d}`` — (a) each model's skills **estimated from its observed benchmark scores** through the
  fitted loadings (:func:`estimate_skills`: least squares of the scores on μ(z) = γ + (1 − γ)σ(Λz + b) with a
  small ridge towards the training models' mean skills): the analogue of the PCs, for every model, API
  models included.
* ``sloth_law_d{d}`` — (b) skills **forecast by Sloth's scaling law** from size, tokens and family,
  without any benchmark of the model: θ = [u, v, uv]β + α_family.  A family with no training model gets
  the mean of the fitted family intercepts.  Models without a size or token count (API models) have no
  such forecast: they are left out of this predictor's train and test sets, which its ``n_train`` and
  ``n_test`` show (``n_test = 0`` and an empty ``mse_test`` when every test model is an API model).
"""

from __future__ import annotations

from slothpipe.leaderboards import FILL_SOURCES, source_columns
from slothpipe.models.laws import SlothRegressor, translog_design
from slothpipe.models.method_settings import CHANCE_LEVELS
from slothpipe.obsscaling.applications import (
    SUMMARY_COLUMNS,
    TargetSpec,
    _predictions,
    _regressor,
    _summary,
    split_rows,
    target_frame,
)

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

#: Chance floors of Ruan et al.'s metric names: the Sloth registry's levels of the benchmark each of their
#: columns holds (the benchmark table's fill columns); XWinograd is two-choice.
CHANCE = {
    **{
        column: CHANCE_LEVELS[name]
        for source in FILL_SOURCES
        for column, name in source_columns(source.key).items()
    },
    "XWinograd": 0.5,
    "HumanEval": 0.0,
}
PREDICTORS = ("sloth_skills", "sloth_law")


def predictor_name(kind: str, n_skills: int) -> str:
    """``sloth_skills_d{d}`` or ``sloth_law_d{d}``."""
    if kind not in PREDICTORS:
        raise ValueError(f"kind must be one of {PREDICTORS}, got {kind!r}")
    return f"{kind}_d{int(n_skills)}"


def fit_sloth(frame: pd.DataFrame, metrics, *, n_skills: int, n_restarts: int, random_state: int):
    """Sloth basic on the rows of ``frame`` with size and tokens (log10 units, family intercepts)."""
    rows = frame[frame["params_b"].notna() & frame["tokens_t"].notna()]
    if len(rows) < 2:
        raise ValueError("a Sloth fit needs at least two training models with a size and a token count")
    X = np.column_stack([np.log10(rows["params_b"]), np.log10(rows["tokens_t"])])
    Y = rows[list(metrics)].to_numpy(float)
    chance = np.array([CHANCE[m] for m in metrics])
    return SlothRegressor(
        n_skills,
        intercept="family",
        link="sigmoid",
        floor="fixed",
        chance=chance,
        n_restarts=n_restarts,
        random_state=random_state,
    ).fit(X, Y, rows["family"].to_numpy(dtype=str))


def law_skills(model: SlothRegressor, frame: pd.DataFrame) -> np.ndarray:
    """(b) skills from size, tokens and family (NaN rows where size or tokens is missing)."""
    out = np.full((len(frame), model.slopes_.shape[1]), np.nan)
    ok = (frame["params_b"].notna() & frame["tokens_t"].notna()).to_numpy()
    if not ok.any():
        return out
    X = np.column_stack([np.log10(frame["params_b"][ok]), np.log10(frame["tokens_t"][ok])])
    fam = frame["family"].to_numpy(dtype=str)[ok]
    known = {f: i for i, f in enumerate(model.families_)}
    mean_alpha = model.intercepts_.mean(axis=0)
    alpha = np.array([model.intercepts_[known[f]] if f in known else mean_alpha for f in fam])
    out[ok] = translog_design(X) @ model.slopes_ + alpha
    return out


def estimate_skills(model: SlothRegressor, Y, *, start, ridge: float = 1e-4) -> np.ndarray:
    """(a) skills of each row of Y (NaN = not observed) from its scores through the fitted loadings.

    Minimises Σ_j∈observed (γ_j + (1 − γ_j)σ(Λ_j z + b_j) − y_j)² + ridge·‖z − start‖² per row, from
    ``start`` (d), which the ridge also pulls towards (a score at its floor otherwise sends z to −∞).
    """
    Y = np.asarray(Y, dtype=float)
    lam, bias, floors = model.loadings_, model.bias_, model.floors_
    start = np.asarray(start, dtype=float)
    out = np.empty((Y.shape[0], lam.shape[1]))
    root = np.sqrt(ridge)
    for i, y in enumerate(Y):
        obs = np.isfinite(y)

        def resid(z, obs=obs, y=y):
            s = 1.0 / (1.0 + np.exp(-(lam[obs] @ z + bias[obs])))
            return np.concatenate([floors[obs] + (1.0 - floors[obs]) * s - y[obs], root * (z - start)])

        def jac(z, obs=obs):
            s = 1.0 / (1.0 + np.exp(-(lam[obs] @ z + bias[obs])))
            top = ((1.0 - floors[obs]) * s * (1.0 - s))[:, None] * lam[obs]
            return np.vstack([top, root * np.eye(len(z))])

        out[i] = least_squares(resid, start, jac=jac, method="lm", xtol=1e-12, ftol=1e-12, gtol=1e-12).x
    return out


def sloth_target(tables, spec: TargetSpec, *, n_skills: int, n_restarts: int, random_state: int):
    """Both Sloth predictors of one target at its configured split with ``n_skills`` skills: (predictions,
    summary), predictors named by :func:`predictor_name`."""
    rows = split_rows(target_frame(tables, spec), spec)
    train = rows["train"].to_numpy()
    metrics = list(spec.metrics)
    model = fit_sloth(
        rows[train], metrics, n_skills=n_skills, n_restarts=n_restarts, random_state=random_state
    )
    z_law = law_skills(model, rows)
    start = np.nanmean(z_law[train], axis=0)
    z_obs = estimate_skills(model, rows[metrics].to_numpy(float), start=start)
    y = rows["y"].to_numpy(float)
    preds, summary = [], []
    for kind, Z in (("sloth_skills", z_obs), ("sloth_law", z_law)):
        name = predictor_name(kind, n_skills)
        ok = np.isfinite(Z).all(axis=1)
        used = rows[ok].reset_index(drop=True)
        reg = _regressor(spec).fit(Z[ok & train], y[ok & train])
        pred = reg.predict(Z[ok])
        score = reg.decision_function(Z[ok])
        summary.append(_summary(spec, name, used, pred, reg.intercept_, reg.floor_))
        preds.append(_predictions(spec, name, used, pred, score, np.full(len(used), np.nan)))
    return pd.concat(preds, ignore_index=True), pd.DataFrame(summary, columns=SUMMARY_COLUMNS)
