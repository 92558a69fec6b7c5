"""Monotone-link fits by continuation (``link_ridge_start``): a stronger link ridge first, then the final."""

from slothpipe.models import PerBenchmarkLaw, SlothRegressor, _core

import numpy as np
import pytest

#: the start ridge measured in docs/numerics.md
START = 3e-3


def _basic(sim, d=2):
    return SlothRegressor(d, chance=sim.chance, random_state=0).fit(sim.X, sim.Y, sim.families)


def _link(sim, basic, **kwargs):
    settings = dict(link="monotone", floor="learned", chance=sim.chance, init=basic.fitted_params())
    settings.update(n_restarts=1, random_state=3, link_ridge_start=START)
    settings.update(kwargs)
    return SlothRegressor(basic.n_skills, **settings).fit(sim.X, sim.Y, sim.families)


def test_the_library_default_fits_links_in_one_stage():
    assert SlothRegressor().link_ridge_start is None
    assert PerBenchmarkLaw().link_ridge_start is None


def test_a_continued_fit_ends_at_a_minimiser_of_the_final_objective(sim):
    basic = _basic(sim, d=1)
    continued = _link(sim, basic)
    assert continued.converged_
    # one more stage of the final objective from the continued fit's parameters does not move it (beyond
    # 0.01 pp: the tolerance 1e-6 on the gradient, after a round trip through the fitted attributes)
    again = _link(sim, basic, init=continued.fitted_params(), link_ridge_start=None)
    np.testing.assert_allclose(
        again.predict(sim.X, sim.families), continued.predict(sim.X, sim.families), atol=1e-4
    )
    assert again.objective_ == pytest.approx(continued.objective_, rel=1e-7)


def test_the_final_objective_is_the_one_with_link_ridge(sim):
    basic = _basic(sim)
    continued = _link(sim, basic)
    stronger = _link(sim, basic, link_ridge=START, link_ridge_start=None)
    # the first stage alone (the stronger ridge) keeps the link smoother and fits the data less closely
    assert continued.loss_ < stronger.loss_
    assert continued.objective_ < stronger.objective_


@pytest.mark.parametrize("start", [None, _core.LINK_RIDGE, 0.5 * _core.LINK_RIDGE])
def test_without_a_stronger_start_the_fit_has_one_stage(sim, start):
    basic = _basic(sim, d=1)
    one_stage = _link(sim, basic, link_ridge_start=None)
    other = _link(sim, basic, link_ridge_start=start)
    np.testing.assert_array_equal(other.predict(sim.X, sim.families), one_stage.predict(sim.X, sim.families))
    assert other.n_iter_ == one_stage.n_iter_


def test_the_continuation_counts_the_iterations_of_both_stages(sim):
    basic = _basic(sim, d=1)
    continued = _link(sim, basic)
    first = _link(sim, basic, link_ridge=START, link_ridge_start=None)
    assert continued.n_iter_ > first.n_iter_
    # the starts are screened and chosen in the first stage: their objectives are those of the stronger ridge
    np.testing.assert_array_equal(continued.restart_losses_, first.restart_losses_)


def test_sigmoid_fits_ignore_link_ridge_start(sim):
    a = SlothRegressor(2, chance=sim.chance, random_state=0).fit(sim.X, sim.Y, sim.families)
    b = SlothRegressor(2, chance=sim.chance, random_state=0, link_ridge_start=START).fit(
        sim.X, sim.Y, sim.families
    )
    np.testing.assert_array_equal(a.predict(sim.X, sim.families), b.predict(sim.X, sim.families))


def test_per_benchmark_links_are_continued_too(sim):
    chance, Y = sim.chance[:2], sim.Y[:, :2]  # two benchmarks: each is its own problem
    kwargs = dict(covariates="size_tokens", link="monotone", chance=chance, n_restarts=1, max_iter=3000)
    continued = PerBenchmarkLaw(**kwargs, link_ridge_start=START).fit(sim.X, Y, sim.families)
    direct = PerBenchmarkLaw(**kwargs).fit(sim.X, Y, sim.families)
    assert continued.converged_ and direct.converged_
    assert continued.n_iter_ != direct.n_iter_


@pytest.mark.parametrize("value", [-1e-3, float("nan"), float("inf")])
def test_invalid_link_ridge_start_is_rejected(sim, value):
    with pytest.raises(ValueError, match="link_ridge_start must be a finite number >= 0"):
        SlothRegressor(1, chance=sim.chance, link_ridge_start=value).fit(sim.X, sim.Y, sim.families)
