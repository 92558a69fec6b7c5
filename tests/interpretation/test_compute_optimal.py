"""Compute-optimal allocation: closed form against brute force (paper §4.6, App. B)."""

from slothpipe.interpretation.compute_optimal import budget_grid, optimal_allocation

import numpy as np
import pytest

BOX = dict(params_range=(0.16, 72.0), tokens_range=(0.18, 15.0))


def _brute_force(beta, budget, base=10.0, n=200001):
    lg = np.log(base)
    line = np.log(budget / 6e21) / lg
    u_lo = max(line - np.log(15.0) / lg, np.log(0.16) / lg)
    u_hi = min(line - np.log(0.18) / lg, np.log(72.0) / lg)
    u = np.linspace(u_lo, u_hi, n)
    g = beta[0] * u + beta[1] * (line - u) + beta[2] * u * (line - u)
    return u[np.argmax(g)], g.max()


@pytest.mark.parametrize("seed", range(8))
def test_closed_form_matches_grid_search(seed):
    rng = np.random.default_rng(seed)
    beta = rng.normal(0.0, 1.0, 3)
    beta[2] = (1 if seed % 2 else -1) * abs(beta[2])  # concave and convex cases
    budgets = budget_grid(7, 1e21, 6 * 72 * 15 * 1e21)
    alloc = optimal_allocation(beta, budgets, **BOX)
    for i, c in enumerate(budgets):
        u_star, g_star = _brute_force(beta, c)
        assert alloc.skill_gain[i] == pytest.approx(g_star, abs=1e-8)
        assert alloc.skill_gain[i] >= g_star - 1e-12 or abs(alloc.u[i] - u_star) < 1e-4
    assert np.allclose(6e21 * alloc.params * alloc.tokens, budgets, rtol=1e-10)
    assert np.all((alloc.params >= 0.16 - 1e-9) & (alloc.params <= 72 + 1e-9))
    assert np.all((alloc.tokens >= 0.18 - 1e-9) & (alloc.tokens <= 15 + 1e-9))


def test_interior_vertex_for_concave_skill():
    beta = np.array([0.14, 0.82, 0.53])  # instruction following (a rerun of the authors' notebook)
    alloc = optimal_allocation(beta, [3.346e22], **BOX)
    line = np.log10(3.346e22 / 6e21)
    vertex = (beta[0] - beta[1] + beta[2] * line) / (2 * beta[2])
    assert alloc.interior[0]
    assert alloc.u[0] == pytest.approx(vertex)


def test_reasoning_wants_parameters_knowledge_wants_tokens():
    budgets = budget_grid(6, 1e21, 6 * 72 * 15 * 1e21)
    reasoning = optimal_allocation([0.68, 0.34, -0.16], budgets, **BOX)  # Reasoning, same rerun
    knowledge = optimal_allocation([1.22, 1.97, -0.28], budgets, **BOX)
    assert np.allclose(reasoning.params, [0.93, 5.36, 30.98, 72.0, 72.0, 72.0], atol=0.01)
    assert np.allclose(reasoning.tokens[:3], 0.18)
    assert np.allclose(knowledge.tokens[2:], 15.0)
