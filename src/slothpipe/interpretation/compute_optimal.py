"""Compute-optimal allocation of parameters and tokens for a skill (paper §4.6, App. B).

A skill's translog θ(u, v) = α + β₁ u + β₂ v + β₃ u v (u = log size, v = log tokens, in the model's units and
log base) is maximised along the budget line 6 · s · t = C, i.e. u + v = l with l = log(C / 6) in those units
(s in billions and t in trillions of tokens: l = log(C / 6e21)), inside the box u ∈ [u_lo, u_hi],
v ∈ [v_lo, v_hi] of the training data.  On the line g(u) = α + β₁ u + β₂ (l − u) + β₃ u (l − u), a quadratic
with leading coefficient −β₃ on the interval U = [max(l − v_hi, u_lo), min(l − v_lo, u_hi)]:

* β₃ > 0 (concave): the vertex u* = (β₁ − β₂ + β₃ l) / (2 β₃), clipped to U;
* β₃ ≤ 0 (convex or linear): the better endpoint of U (the smaller u on a tie).

α drops out, so the allocation does not depend on the family.
"""

from __future__ import annotations

from dataclasses import dataclass

from slothpipe.models._validation import check_positive

import numpy as np


@dataclass(frozen=True)
class Allocation:
    """Optimal (size, tokens) per budget: ``params`` and ``tokens`` in the caller's units, ``u``/``v`` logs,
    ``skill_gain`` = g(u*) − α (the translog without the family intercept), ``interior`` True where the
    optimum is the vertex strictly inside U."""

    budgets: np.ndarray
    params: np.ndarray
    tokens: np.ndarray
    u: np.ndarray
    v: np.ndarray
    skill_gain: np.ndarray
    interior: np.ndarray


def optimal_allocation(
    slopes,
    budgets,
    *,
    params_range: tuple[float, float],
    tokens_range: tuple[float, float],
    base: float = 10.0,
    flops_unit: float = 6e21,
) -> Allocation:
    """Maximise a skill with slopes (β₁, β₂, β₃) on u = log_base(size), v = log_base(tokens) along 6·s·t = C.

    ``budgets`` are FLOPs; ``flops_unit`` = 6 · (size unit) · (token unit) (6e21 for billions × trillions);
    ``params_range`` / ``tokens_range`` bound the allocation (the min/max of the training models,
    which reproduces the paper's Tables 1-2: results/README.md).  A budget whose line misses the box raises
    ``ValueError``.
    """
    beta = np.asarray(slopes, dtype=float).reshape(-1)
    if beta.shape != (3,) or not np.all(np.isfinite(beta)):
        raise ValueError(
            f"slopes must be 3 finite numbers (log size, log tokens, interaction); got {slopes!r}"
        )
    if not (np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be a positive number other than 1, got {base!r}")
    budgets = np.atleast_1d(check_positive(budgets, "budgets"))
    s_lo, s_hi = (float(x) for x in check_positive(params_range, "params_range"))
    t_lo, t_hi = (float(x) for x in check_positive(tokens_range, "tokens_range"))
    if s_lo > s_hi or t_lo > t_hi:
        raise ValueError("params_range and tokens_range must be (low, high) with low <= high")
    lg = np.log(base)
    u_lo, u_hi, v_lo, v_hi = np.log(s_lo) / lg, np.log(s_hi) / lg, np.log(t_lo) / lg, np.log(t_hi) / lg
    b1, b2, b3 = beta
    ls = np.log(budgets / float(flops_unit)) / lg
    out_u = np.empty_like(ls)
    interior = np.zeros(ls.shape, dtype=bool)
    for i, line in enumerate(ls):
        lo, hi = max(line - v_hi, u_lo), min(line - v_lo, u_hi)
        if lo > hi + 1e-12:
            raise ValueError(
                f"budget {budgets[i]:.4g} FLOPs is outside the size/token box: 6·s·t ranges over "
                f"[{flops_unit * s_lo * t_lo:.4g}, {flops_unit * s_hi * t_hi:.4g}]"
            )
        hi = max(hi, lo)
        if b3 > 0:
            vertex = (b1 - b2 + b3 * line) / (2.0 * b3)
            out_u[i] = min(max(vertex, lo), hi)
            interior[i] = lo < vertex < hi
        else:
            g_lo = b1 * lo + b2 * (line - lo) + b3 * lo * (line - lo)
            g_hi = b1 * hi + b2 * (line - hi) + b3 * hi * (line - hi)
            out_u[i] = hi if g_hi > g_lo else lo
    out_v = ls - out_u
    gain = b1 * out_u + b2 * out_v + b3 * out_u * out_v
    return Allocation(
        budgets=budgets,
        params=base**out_u,
        tokens=base**out_v,
        u=out_u,
        v=out_v,
        skill_gain=gain,
        interior=interior,
    )


def budget_grid(n: int, low: float, high: float) -> np.ndarray:
    """``n`` budgets spaced geometrically from ``low`` to ``high`` FLOPs (the paper's Tables 1–2 use 6 points
    from 1e21 to 6 · 72B · 15T)."""
    low, high = (float(x) for x in check_positive([low, high], "budget bounds"))
    if n < 1 or low > high:
        raise ValueError("budget_grid needs n >= 1 and low <= high")
    return np.geomspace(low, high, int(n))
