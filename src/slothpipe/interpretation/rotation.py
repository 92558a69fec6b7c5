"""Interpretation of fitted Sloth skills (paper App. A.1) and content-based skill names.

:func:`interpret` turns a fitted :class:`~slothpipe.models.laws.SlothRegressor` into identified, readable
skills without changing a single prediction (η = θ Λᵀ + b is preserved exactly up to rounding):

1. whiten: Σ = cov(θ) over the given (training) rows, Σ = L Lᵀ (Cholesky), A = L⁻ᵀ; B ← B A, Λ ← Λ A⁻ᵀ,
   so the skills have identity covariance (B stacks the slopes on u, v, u·v and the family intercepts);
2. rotate: geomin-oblique rotation T of the whitened loadings (:func:`geomin_oblique`, gradient projection
   of Bernaards & Jennrich 2005 with the criterion of Yates 1987, δ = 0.01, started from T = I, as
   factor_analyzer's ``Rotator(method="geomin_obl")``); Λ ← Λ T⁻ᵀ, B ← B T.  The columns of T have unit
   norm, so the rotated skills keep unit variance and their covariance Tᵀ T is a correlation matrix;
3. sign: flip each skill so that its coefficient on the anchor covariate (0 = log size, 1 = log tokens,
   2 = interaction) is positive;
4. centre: skills minus their mean over the rows; the bias absorbs the shift (b ← b + Λ·mean).

Skill names (:func:`name_skills`) are matched by content, not by row position: each skill loads on the
benchmarks that the benchmark table (:mod:`slothpipe.leaderboards`, its ``skill`` column) assigns to it --
Reasoning, Knowledge, Instruction following (the skills of paper §4.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slothpipe.leaderboards import SKILL_GROUPS as _TABLE_SKILL_GROUPS
from slothpipe.models._validation import check_covariates, one_hot
from slothpipe.models.laws import SlothRegressor, translog_design

import numpy as np

COEF_NAMES = ("log params", "log tokens", "log params x log tokens")

#: Skill name -> the benchmarks whose loadings identify it (the benchmark table's ``skill`` column).
SKILL_GROUPS: dict[str, tuple[str, ...]] = dict(_TABLE_SKILL_GROUPS)


@dataclass(frozen=True)
class Interpretation:
    """Identified skills of a fitted Sloth model.

    ``loadings`` is d×J (rows = skills, columns = benchmarks, as the paper's loadings figures);
    ``coefficients`` is (3 + f)×d with rows ``coef_names`` (u, v, u·v, then the families);
    ``skills`` (n×d) are the centred rotated skills of the rows passed to :func:`interpret`;
    ``bias`` (J) is the bias after centring, so that η = skills · loadings + bias on those rows;
    ``translation`` (d) the subtracted mean; ``rotation`` the geomin matrix T; ``whitening`` A;
    ``skill_correlation`` = Tᵀ T (unit diagonal).
    """

    loadings: np.ndarray
    coefficients: np.ndarray
    coef_names: tuple[str, ...]
    skills: np.ndarray
    bias: np.ndarray
    translation: np.ndarray
    rotation: np.ndarray
    whitening: np.ndarray
    skill_correlation: np.ndarray
    families: np.ndarray
    anchor: int

    def skills_at(self, X, families=None) -> np.ndarray:
        """Centred rotated skills at new covariates X = [u, v] (family labels for family intercepts)."""
        X = check_covariates(X, "X")
        T = translog_design(X)
        if len(self.families) == 1 and self.families[0] == "(shared)":
            D = np.ones((X.shape[0], 1))
        else:
            D = one_hot(np.asarray(families, dtype=str), self.families, "families")
        return np.hstack([T, D]) @ self.coefficients - self.translation[None, :]

    def eta(self, X, families=None) -> np.ndarray:
        """The linear predictor η (m×J) = skills · loadings + bias; equals the model's η."""
        return self.skills_at(X, families) @ self.loadings + self.bias[None, :]


def geomin_oblique(
    loadings: np.ndarray, *, delta: float = 0.01, max_iter: int = 500, tol: float = 1e-5
) -> tuple[np.ndarray, np.ndarray]:
    """Geomin-oblique rotation by gradient projection (GPFoblq); returns (rotated loadings, T).

    Criterion (Yates 1987): Q(Λ) = Σ_i (Π_k (Λ_ik² + δ))^{1/d}; minimised over T with unit-norm columns,
    rotated loadings Λ T⁻ᵀ.  Starts at T = I, Armijo step halving, stops when the projected gradient's
    Frobenius norm is below ``tol`` (the defaults are those of factor_analyzer's ``Rotator``).
    """
    A = np.asarray(loadings, dtype=float)
    d = A.shape[1]
    if d < 2:
        return A.copy(), np.eye(d)

    def criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
        L2 = L * L + delta
        pro = np.exp(np.log(L2).sum(axis=1) / d)
        grad = (2.0 / d) * (L / L2) * pro[:, None]
        return float(pro.sum()), grad

    T = np.eye(d)
    T_inv = np.linalg.inv(T)
    L = A @ T_inv.T
    f, gq = criterion(L)
    G = -(L.T @ gq @ T_inv).T
    step = 1.0
    for _ in range(max_iter):
        Gp = G - T @ np.diag(np.sum(T * G, axis=0))
        s = float(np.sqrt(np.sum(Gp * Gp)))
        if s < tol:
            break
        step *= 2.0
        for _ in range(11):
            X = T - step * Gp
            Tt = X / np.sqrt(np.sum(X * X, axis=0))[None, :]
            Tt_inv = np.linalg.inv(Tt)
            L = A @ Tt_inv.T
            ft, gq = criterion(L)
            if f - ft > 0.5 * s * s * step:
                break
            step /= 2.0
        T = Tt
        f = ft
        G = -(L.T @ gq @ Tt_inv).T
    return A @ np.linalg.inv(T).T, T


def interpret(model: SlothRegressor, X, families=None, *, anchor: int = 0) -> Interpretation:
    """Whiten, geomin-rotate, sign-fix (by covariate ``anchor``) and centre the skills of a fitted model.

    ``X`` (and ``families``) are the rows over which skills are standardised and centred — the training
    rows, as in the paper.  ``anchor``: 0 = log size (paper default), 1 = log tokens, 2 = interaction.
    """
    if not isinstance(model, SlothRegressor) or not hasattr(model, "slopes_"):
        raise ValueError("interpret needs a fitted SlothRegressor")
    if anchor not in (0, 1, 2):
        raise ValueError(f"anchor must be 0 (log size), 1 (log tokens) or 2 (interaction), got {anchor!r}")
    X = check_covariates(X, "X")
    if X.shape[0] < 2:
        raise ValueError("interpret needs at least 2 rows to estimate the skill covariance")
    z1 = model.skills(X, families)
    d = z1.shape[1]
    B = np.vstack([model.slopes_, model.intercepts_])
    lam = model.loadings_  # J×d
    cov = np.atleast_2d(np.cov(z1.T))
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the fitted skills are collinear over these rows (singular covariance): cannot whiten"
        ) from None
    A = np.linalg.inv(chol.T)
    B_w = B @ A
    lam_w = lam @ np.linalg.inv(A).T  # J×d
    lam_rot, T = geomin_oblique(lam_w)
    B_rot = B_w @ T
    direction = np.sign(B_rot[anchor])
    direction[direction == 0] = 1.0
    lam_rot = lam_rot * direction[None, :]
    B_rot = B_rot * direction[None, :]
    T = T * direction[None, :]
    design = np.hstack([translog_design(X), _intercept_design(model, X, families)])
    Z = design @ B_rot
    translation = Z.mean(axis=0)
    skills = Z - translation[None, :]
    bias = model.bias_ + lam_rot @ translation
    corr = T.T @ T
    return Interpretation(
        loadings=lam_rot.T.copy(),
        coefficients=B_rot,
        coef_names=(*COEF_NAMES, *[str(f) for f in model.families_]),
        skills=skills,
        bias=bias,
        translation=translation,
        rotation=T,
        whitening=A,
        skill_correlation=corr if d > 1 else np.ones((1, 1)),
        families=model.families_.copy(),
        anchor=anchor,
    )


def _intercept_design(model: SlothRegressor, X: np.ndarray, families) -> np.ndarray:
    _, D = model._designs(X, families, "families")
    return D


def name_skills(loadings, benchmarks: Sequence[str]) -> list[str]:
    """Names for the rows (skills) of a d×J loadings matrix, matched by content (paper §4.3).

    Each skill row is scored against each group of :data:`SKILL_GROUPS` present among ``benchmarks`` by its
    mean loading on the group minus its mean loading on the other benchmarks, relative to the row's largest
    |loading|; rows and names are matched by a maximum-weight assignment, so row order does not matter.  Rows
    are scored in the orientation in which their loadings sum to a positive number (every benchmark is
    higher-is-better), so the name does not depend on the sign either: the anchor covariate sets the sign
    of a skill, and a skill that shrinks with size (Instruction following in some optima) has negative
    loadings on its own group.
    d = 1 → "Composite skill"; d = 2 with all three groups present → "Reasoning" and "Knowledge + Instruction
    following" (the paper's reading of Fig. 21/22); a skill left over (d larger than the number of groups)
    takes the name of its best group with a number ("Knowledge 2"; the first one becomes "Knowledge 1").
    """
    from scipy.optimize import linear_sum_assignment  # on first use: see models/_core.py

    lam = np.asarray(loadings, dtype=float)
    benchmarks = [str(b) for b in benchmarks]
    if lam.ndim != 2 or lam.shape[1] != len(benchmarks):
        raise ValueError(
            f"loadings must be a (d, J) matrix with J = {len(benchmarks)} benchmark columns; got {lam.shape}"
        )
    if not np.all(np.isfinite(lam)):
        raise ValueError("loadings contain non-finite values")
    d = lam.shape[0]
    if d == 1:
        return ["Composite skill"]
    groups = {
        name: [benchmarks.index(b) for b in members if b in benchmarks]
        for name, members in SKILL_GROUPS.items()
    }
    groups = {name: idx for name, idx in groups.items() if idx}
    if not groups:
        raise ValueError(f"none of the benchmarks {benchmarks} belongs to a known skill group")
    if d == 2 and len(groups) == 3:
        merged = groups["Knowledge"] + groups["Instruction following"]
        groups = {"Reasoning": groups["Reasoning"], "Knowledge + Instruction following": merged}
    names = list(groups)
    lam = lam * np.where(lam.sum(axis=1) < 0, -1.0, 1.0)[:, None]
    scale = np.maximum(np.max(np.abs(lam), axis=1), 1e-12)
    score = np.empty((d, len(names)))
    for g, name in enumerate(names):
        inside = np.zeros(len(benchmarks), dtype=bool)
        inside[groups[name]] = True
        outside = lam[:, ~inside].mean(axis=1) if (~inside).any() else 0.0
        score[:, g] = (lam[:, inside].mean(axis=1) - outside) / scale
    rows, cols = linear_sum_assignment(score, maximize=True)
    out: list[str | None] = [None] * d
    for r, c in zip(rows, cols, strict=True):
        out[int(r)] = names[int(c)]
    counts: dict[str, int] = {}
    for r in range(d):
        if out[r] is None:
            base = names[int(np.argmax(score[r]))]
            counts[base] = counts.get(base, 1) + 1
            out[r] = f"{base} {counts[base]}"
    for base, count in counts.items():
        if count > 1:
            out[out.index(base)] = f"{base} 1"
    return [str(n) for n in out]
