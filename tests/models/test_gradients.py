"""Analytic gradients of the objective against finite differences, for every loss/link combination."""

from slothpipe.models._core import Layout, Objective

import numpy as np
import pytest
from scipy.optimize import check_grad


def _problem(diagonal, link, learn_floor, seed=0):
    rng = np.random.default_rng(seed)
    n, p, f, J = 25, 3, 4, 4
    Xs = rng.normal(size=(n, p))
    D = np.eye(f)[rng.integers(0, f, n)]
    Y = rng.uniform(0.0, 1.0, (n, J))
    Y[rng.uniform(size=Y.shape) < 0.25] = np.nan  # masked entries
    Y[0, :] = np.nan  # a row with no observation at all
    d = J if diagonal else 2
    layout = Layout(p, f, d, J, diagonal, link, learn_floor)
    objective = Objective(layout, Xs, D, Y, np.array([0.0, 0.1, 0.25, 0.5]))
    theta = 0.5 * rng.normal(size=layout.size)
    lo, _ = layout.bounds()
    theta = np.where(lo == 0.0, np.abs(theta), theta)  # monotone-link weights are >= 0
    return objective, theta


@pytest.mark.parametrize("diagonal", [False, True], ids=["sloth", "per-benchmark"])
@pytest.mark.parametrize("link", ["sigmoid", "monotone"])
@pytest.mark.parametrize("learn_floor", [False, True], ids=["fixed-floor", "learned-floor"])
def test_gradient_matches_finite_differences(diagonal, link, learn_floor):
    objective, theta = _problem(diagonal, link, learn_floor)
    err = check_grad(lambda t: objective(t)[0], lambda t: objective(t)[1], theta, epsilon=1e-7)
    scale = np.linalg.norm(objective(theta)[1])
    assert scale > 0
    assert err / scale < 1e-5


@pytest.mark.parametrize("diagonal", [False, True], ids=["sloth", "per-benchmark"])
def test_loss_is_mean_smooth_l1_over_observed_entries(diagonal):
    objective, theta = _problem(diagonal, "sigmoid", False)
    mu = objective.predict(theta, objective.Xs, objective.D)
    r = (mu - objective.Y)[objective.mask]
    a = np.abs(r)
    huber = np.where(a < 0.01, 0.5 * r * r / 0.01, a - 0.005)
    if diagonal:  # per-benchmark means, summed
        full = np.where(objective.mask, 0.0, np.nan)
        full[objective.mask] = huber
        expected = np.nansum(np.nanmean(full, axis=0))
    else:
        expected = huber.mean()
    assert objective(theta)[0] == pytest.approx(expected, rel=1e-12)
