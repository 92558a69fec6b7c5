"""The authors' fitting protocol as an optional solver (solver="adam_paper", Sloth code ``fitFR``)."""

import functools

from slothpipe.models import FitOptions, PerBenchmarkLaw, SlothRegressor, _core, fit_predict, laws
from slothpipe.models._core import Layout, Objective, run_adam_paper

import numpy as np
import pytest

#: Epoch cap per learning rate of the estimators' Adam runs here (the protocol's is 100,000; the monotone-link
#: fit below needs about 51,000 epochs, 20 CPU-seconds, to reach its early stop).  What the tests check holds
#: from the first epochs on: the shared objective, clamped link weights, floors in [0, 1], determinism.
EPOCHS = 2000


@pytest.fixture(autouse=True)
def short_adam_runs(monkeypatch):
    monkeypatch.setattr(laws, "run_adam_paper", functools.partial(run_adam_paper, max_epochs=EPOCHS))


def _objective(sim, link="sigmoid", learn_floor=False, d=2):
    T = np.column_stack([sim.X[:, 0], sim.X[:, 1], sim.X[:, 0] * sim.X[:, 1]])
    fams = np.unique(sim.families)
    D = (sim.families[:, None] == fams[None, :]).astype(float)
    layout = Layout(3, len(fams), d, sim.Y.shape[1], False, link, learn_floor)
    return layout, Objective(layout, T, D, sim.Y, sim.chance)


def test_evaluate_is_the_l_bfgs_objective_plus_the_training_mae(sim):
    layout, obj = _objective(sim, link="monotone", learn_floor=True)
    theta = np.random.default_rng(0).normal(0.0, 0.5, layout.size)
    loss, grad = obj(theta)
    loss2, grad2, mae = obj.evaluate(theta, mae=True)
    assert loss2 == loss and np.array_equal(grad2, grad)
    assert mae == pytest.approx(obj.mae(theta), rel=1e-12)
    assert obj.evaluate(theta)[2] is None


def test_adam_paper_decreases_the_loss_and_keeps_its_best_training_mae(sim):
    layout, obj = _objective(sim)
    theta0 = np.random.default_rng(1).normal(0.0, 1.0, layout.size)
    res = run_adam_paper(obj, theta0, max_epochs=3000)
    assert res.loss < 0.2 * obj(theta0)[0]
    assert res.lr in _core.PAPER_LRS and len(res.mae_per_lr) == 3
    assert res.best_mae == min(res.mae_per_lr)
    # the chosen run's MAE is the smallest over the grid, and every run stopped within the epoch cap
    assert all(1 <= n <= 3000 for n in res.epochs_per_lr)


def test_adam_paper_uses_the_shared_objective(sim, monkeypatch):
    """The solver differentiates through Objective.evaluate, the function L-BFGS-B uses: no second loss."""
    calls = []
    original = Objective.evaluate

    def counting(self, theta, mae=False):
        calls.append(mae)
        return original(self, theta, mae)

    monkeypatch.setattr(Objective, "evaluate", counting)
    model = SlothRegressor(1, chance=sim.chance, solver="adam_paper").fit(sim.X, sim.Y, sim.families)
    assert sum(calls) == model.n_iter_  # one MAE-tracking forward/backward pass per Adam epoch
    assert model.n_iter_ > 0


def test_adam_paper_is_deterministic_and_differs_from_lbfgs(sim):
    a = SlothRegressor(2, chance=sim.chance, solver="adam_paper", random_state=3).fit(
        sim.X, sim.Y, sim.families
    )
    b = SlothRegressor(2, chance=sim.chance, solver="adam_paper", random_state=3).fit(
        sim.X, sim.Y, sim.families
    )
    assert np.array_equal(a.slopes_, b.slopes_) and np.array_equal(a.loadings_, b.loadings_)
    assert a.adam_lrs_.shape == (1,)
    lbfgs = SlothRegressor(2, chance=sim.chance, random_state=3).fit(sim.X, sim.Y, sim.families)
    # same objective: both fit the simulated data well, L-BFGS-B at least as low
    assert lbfgs.loss_ <= a.loss_ * 1.05
    assert a.train_mae_ < 0.012


def test_adam_paper_clamps_link_weights_and_keeps_floors_in_the_unit_interval(sim):
    basic = SlothRegressor(1, chance=sim.chance, solver="adam_paper").fit(sim.X, sim.Y, sim.families)
    full = SlothRegressor(
        1,
        link="monotone",
        floor="learned",
        chance=sim.chance,
        init=basic.fitted_params(),
        solver="adam_paper",
    ).fit(sim.X, sim.Y, sim.families)
    assert all(np.all(full.link_params_[k] >= 0) for k in _core.NONNEG_LINK_KEYS)
    assert np.all((full.floors_ >= 0) & (full.floors_ <= 1))
    assert full.loss_ < basic.loss_


def test_per_benchmark_adam_paper_fits_every_benchmark_on_its_own(sim):
    """As the authors' per-benchmark fits: benchmark j's law does not depend on the other columns."""
    both = PerBenchmarkLaw("flops", chance=sim.chance[:2], solver="adam_paper").fit(
        sim.X, sim.Y[:, :2], sim.families
    )
    alone = PerBenchmarkLaw("flops", chance=sim.chance[1:2], solver="adam_paper").fit(
        sim.X, sim.Y[:, 1:2], sim.families
    )
    np.testing.assert_allclose(
        both.predict(sim.X, sim.families)[:, 1], alone.predict(sim.X, sim.families)[:, 0], rtol=1e-12
    )
    assert both.adam_lrs_.shape == (2,)


def test_fit_predict_passes_the_solver(sim):
    train = np.ones(len(sim.families), dtype=bool)
    train[[5, 11]] = False
    names = ["MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"]
    kwargs = dict(benchmarks=names, n_train_models=1)
    args = (sim.X[train], sim.families[train], sim.Y[train], sim.X[~train], sim.families[~train])
    adam_paper = FitOptions(solver="adam_paper")
    adam = fit_predict(["flops", "sloth_basic_d1", "pca_flops_d1"], *args, options=adam_paper, **kwargs)
    lbfgs = fit_predict(["flops", "sloth_basic_d1", "pca_flops_d1"], *args, **kwargs)
    np.testing.assert_array_equal(adam["pca_flops_d1"], lbfgs["pca_flops_d1"])  # closed form either way
    assert not np.array_equal(adam["sloth_basic_d1"], lbfgs["sloth_basic_d1"])
    with pytest.raises(
        ValueError, match="FitOptions: solver must be one of 'lbfgs', 'adam_paper', got 'sgd'"
    ):
        FitOptions(solver="sgd")


def test_unknown_solver_is_rejected(sim):
    with pytest.raises(ValueError, match="solver must be one of"):
        SlothRegressor(1, solver="adam").fit(sim.X, sim.Y, sim.families)
