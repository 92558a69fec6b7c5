"""Skills for the downstream tasks (paper §4.4, App. L): Sloth skills or Ruan et al.'s PCA skills.

A *setting* says where the skills come from:

* ``sloth`` — Sloth basic (d skills, log10 units, family intercepts) fitted by
  :func:`slothpipe.interpretation.skills_model.fit_skills` on the models with all benchmarks minus
  ``exclude``, best of several seeds, interpreted with ``anchor``.  Excluded models get the scaling-law skills
  of their size, tokens and family intercept (:func:`heldout_skills`; paper §4.4), so their family must keep a
  model in the fit.
* ``pca`` — Ruan et al.'s capabilities: PCA of the raw score matrix of the same rows
  (:func:`slothpipe.downstream.regression.pca_skills`); excluded models are projected on the components.

The tables written by :func:`setting_skills` feed the downstream regressions of
:mod:`slothpipe.downstream.regression`.
"""

from __future__ import annotations

from collections.abc import Sequence

from slothpipe.downstream.regression import ID_COLUMNS, pca_skills
from slothpipe.errors import DataError
from slothpipe.interpretation.skills_model import SkillsFit, fit_skills, skills_frame
from slothpipe.models._core import first_within

import numpy as np
import pandas as pd

#: Preferred column order of named skills (others follow in fit order).
SKILL_ORDER = ("Reasoning", "Knowledge", "Instruction following")


def _ordered(names: Sequence[str]) -> list[str]:
    first = [n for n in SKILL_ORDER if n in names]
    return first + [n for n in names if n not in first]


def best_skills_fit(
    frame: pd.DataFrame,
    benchmarks: Sequence[str],
    *,
    n_skills: int,
    n_restarts: int,
    seeds: Sequence[int],
    anchor: int = 0,
    ridge: float | None = None,
    rotation: dict | None = None,
) -> SkillsFit:
    """:func:`fit_skills` with each seed of ``seeds``; the lowest fitted objective wins (the first seed within
    :data:`~slothpipe.models._core.RESTART_TIE_RTOL` of it, so that rounding cannot decide a near-tie).
    ``ridge`` (None = the model library's default) is the skills fit's ridge strength; ``rotation`` holds
    ``rotation_starts``, ``rotation_tol`` and ``rotation_max_iter`` of :func:`fit_skills` (None = its
    defaults, the paper's single geomin start)."""
    if not seeds:
        raise ValueError("seeds must name at least one random seed")
    extra = {} if ridge is None else {"ridge": float(ridge)}
    extra.update(rotation or {})
    fits = [
        fit_skills(
            frame,
            benchmarks,
            n_skills=n_skills,
            n_restarts=n_restarts,
            random_state=int(seed),
            anchor=anchor,
            **extra,
        )
        for seed in seeds
    ]
    return fits[first_within([f.model.objective_ for f in fits])]


def heldout_skills(fit: SkillsFit, rows: pd.DataFrame, *, log_base: float = 10.0) -> np.ndarray:
    """Skills of models not in the fit: the fitted law at their size and tokens with their family intercept.

    Z = [u, v, u·v, one-hot(family)] B_rot − translation (paper §4.4, App. A.1), u, v = log_base of params (B)
    and tokens (T).  A family absent from the fit raises :class:`~slothpipe.errors.DataError`.
    """
    missing = rows[rows[["params_b", "tokens_t"]].isna().any(axis=1)]["model"].tolist()
    if missing:
        raise DataError(f"dataset: held-out model(s) {missing} lack a parameter or token count")
    X = np.column_stack(
        [np.log(rows["params_b"].to_numpy(float)), np.log(rows["tokens_t"].to_numpy(float))]
    ) / np.log(log_base)
    families = rows["variant_family"].to_numpy(dtype=str)
    known = set(fit.interpretation.families.tolist())
    unknown = sorted({f for f in families if f not in known})
    if unknown:
        raise DataError(
            f"held-out model family(ies) {unknown} have no model in the skills fit: intercept unknown"
        )
    return fit.interpretation.skills_at(X, families)


def setting_skills(
    dataset: pd.DataFrame,
    benchmarks: Sequence[str],
    *,
    method: str,
    exclude: Sequence[str] = (),
    n_skills: int = 3,
    n_restarts: int = 20,
    seeds: Sequence[int] = (0,),
    anchor: int = 0,
    log_base: float = 10.0,
    ridge: float | None = None,
    rotation: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Skills of every usable model for one setting.

    Returns (skills, loadings, info): ``skills`` has :data:`ID_COLUMNS` (role ``train`` or ``heldout``) and
    one column per skill, rows sorted by model; ``loadings`` is skills × benchmarks; ``info`` holds fit
    statistics (method, n_train, loss, train_mae, seed-independent facts).
    """
    benchmarks = list(benchmarks)
    exclude = list(exclude)
    frame = skills_frame(dataset, benchmarks, exclude=exclude, log_base=log_base)
    held = dataset[dataset["model"].isin(exclude)].sort_values("model", kind="mergesort")
    info: dict = {"method": method, "n_train": len(frame), "exclude": exclude}
    if method == "sloth":
        fit = best_skills_fit(
            frame,
            benchmarks,
            n_skills=n_skills,
            n_restarts=n_restarts,
            seeds=seeds,
            anchor=anchor,
            ridge=ridge,
            rotation=rotation,
        )
        names = list(fit.names)
        train = fit.interpretation.skills
        test = heldout_skills(fit, held, log_base=log_base) if len(held) else np.zeros((0, len(names)))
        loadings = fit.loadings
        info.update(
            loss=float(fit.model.loss_),
            train_mae=float(fit.model.train_mae_),
            n_families=len(fit.interpretation.families),
        )
    elif method == "pca":
        mean, comps, train = pca_skills(frame[benchmarks].to_numpy(float), n_skills)
        names = [f"PC{k + 1}" for k in range(n_skills)]
        incomplete = held[held[benchmarks].isna().any(axis=1)]["model"].tolist()
        if incomplete:
            raise DataError(f"dataset: held-out model(s) {incomplete} lack benchmark scores needed by PCA")
        test = (held[benchmarks].to_numpy(float) - mean) @ comps.T
        loadings = pd.DataFrame(comps, index=names, columns=benchmarks)
        centred = frame[benchmarks].to_numpy(float) - mean
        info.update(explained_variance_ratio=(train.var(axis=0) / centred.var(axis=0).sum()).tolist())
    else:
        raise ValueError(f"method must be 'sloth' or 'pca', got {method!r}")
    parts = []
    for rows, values, role in ((frame, train, "train"), (held, test, "heldout")):
        part = rows[ID_COLUMNS[:-1]].copy()
        part["role"] = role
        part[names] = values
        parts.append(part)
    skills = pd.concat(parts, ignore_index=True).sort_values("model", kind="mergesort")
    order = _ordered(names)
    skills = skills[ID_COLUMNS + order].reset_index(drop=True)
    return skills, loadings.loc[order], info
