"""The L-BFGS-B driver of the fits (models/_core.lbfgsb) takes scipy's iterates bit for bit.

It drives scipy's own routine without ``minimize``'s bookkeeping (about 12 % of a fold's fit time,
docs/speed.md), so the fits, and every tracked number, must not move by a bit for it.  If scipy changes
the routine's interface, these tests fail (or the driver falls back to ``minimize``).
"""

from slothpipe.models._core import Layout, Objective, _lbfgsb_by_minimize, lbfgsb, run_lbfgs

import numpy as np
import pytest


def problem(sim, link, learn_floor):
    T = np.column_stack([sim.X[:, 0], sim.X[:, 1], sim.X[:, 0] * sim.X[:, 1]])
    fams = np.unique(sim.families)
    D = (sim.families[:, None] == fams[None, :]).astype(float)
    layout = Layout(3, len(fams), 2, sim.Y.shape[1], False, link, learn_floor)
    objective = Objective(layout, T, D, sim.Y, sim.chance, ridge=1e-4, link_ridge=1e-3)
    lo, hi = layout.bounds()
    start = np.clip(np.random.default_rng(1).normal(0.0, 0.3, layout.size), lo, hi)
    return objective, start, lo, hi


@pytest.mark.parametrize("link, learn_floor", [("sigmoid", True), ("monotone", False)])
@pytest.mark.parametrize("max_iter", [7, 3000])
def test_the_driver_takes_scipys_iterates_bit_for_bit(sim, link, learn_floor, max_iter):
    objective, start, lo, hi = problem(sim, link, learn_floor)
    options = dict(max_iter=max_iter, max_fun=2 * max_iter, tol=1e-6)
    ours = lbfgsb(objective, start.copy(), lo, hi, **options)
    scipys = _lbfgsb_by_minimize(objective, start.copy(), lo, hi, **options)
    assert np.array_equal(ours[0], scipys[0])  # the iterate
    assert ours[1] == scipys[1] and np.array_equal(ours[2], scipys[2])  # its value and gradient
    assert ours[3] == scipys[3]  # the iterations
    if max_iter == 7:
        assert ours[3] == 7  # stopped by the cap, as minimize is


def test_run_lbfgs_reports_the_objective_at_its_iterate(sim):
    objective, start, *_ = problem(sim, "sigmoid", True)
    result = run_lbfgs(objective, start, max_iter=5000)
    assert result.converged
    assert result.loss == objective(result.theta)[0]
