"""scikit-learn conventions on the package's own data (issue 13): what ``check_estimator`` cannot reach.

scikit-learn's generic checks cannot fit the scaling laws (their X is two log covariates, their Y scores in
[0, 1]; ``test_sklearn_checks.py``), so the conventions that need a fit are checked here on a small world:
warm starts survive ``sklearn.clone``, ``fit`` leaves the hyper-parameters alone, ``set_params`` and the
fitted check behave as scikit-learn's.
"""

from __future__ import annotations

import pickle

from slothpipe import Flops, PCAFlops, SizeAndTokens, Sloth, SlothBasic
from slothpipe.downstream.regression import LogisticLinkRegressor
from slothpipe.models import PCAFlopsRegressor, PerBenchmarkLaw, SlothRegressor
from slothpipe.models._params import NotFittedError
from slothpipe.obsscaling.method import ObservationalScalingLaw, PCAImputer, SigmoidLinkRegressor

import numpy as np
import pytest

sklearn_base = pytest.importorskip("sklearn.base")
clone = sklearn_base.clone

FAST = dict(n_restarts=1, max_iter=300)


def world(seed: int = 0):
    """18 models of 3 families, 3 benchmarks: X = [log params, log tokens], Y in [0, 1], family labels."""
    rng = np.random.default_rng(seed)
    families = np.repeat(["a", "b", "c"], 6)
    X = np.column_stack([rng.uniform(-2.0, 4.0, 18), rng.uniform(-1.0, 2.5, 18)])
    skill = X @ np.array([0.8, 0.4]) + np.repeat([0.0, 0.5, -0.5], 6)
    Y = 1.0 / (1.0 + np.exp(-(skill[:, None] * np.array([1.0, 0.7, 1.3]) - 1.0)))
    return X, np.clip(Y + rng.normal(0.0, 0.01, Y.shape), 0.0, 1.0), families


def _warm_pairs():
    chance = np.array([0.25, 0.0, 0.1])
    return [
        (
            SlothRegressor(1, chance=chance, **FAST),
            dict(n_skills=1, link="monotone", floor="learned", chance=chance, **FAST),
            SlothRegressor,
        ),
        (
            PerBenchmarkLaw("size_tokens", floor="fixed", chance=chance, **FAST),
            dict(covariates="size_tokens", link="monotone", floor="learned", chance=chance, **FAST),
            PerBenchmarkLaw,
        ),
    ]


@pytest.mark.parametrize(("basic", "settings", "cls"), _warm_pairs(), ids=["sloth", "per_benchmark"])
def test_warm_start_survives_clone(basic, settings, cls):
    X, Y, fam = world()
    basic.fit(X, Y, fam)
    warm = cls(init=basic.fitted_params(), **settings)
    twin = clone(warm)
    assert twin.init is not warm.init  # clone copies the parameter arrays ...
    np.testing.assert_array_equal(twin.init["slopes"], warm.init["slopes"])
    # ... and the copy is fitted from the same warm start, bit for bit
    np.testing.assert_array_equal(twin.fit(X, Y, fam).predict(X, fam), warm.fit(X, Y, fam).predict(X, fam))
    np.testing.assert_array_equal(twin.slopes_, warm.slopes_)


def test_an_estimator_is_not_a_warm_start():
    X, Y, fam = world()
    basic = SlothRegressor(1, **FAST).fit(X, Y, fam)
    with pytest.raises(ValueError, match=r"init=model\.fitted_params\(\)"):
        SlothRegressor(1, link="monotone", init=basic, **FAST).fit(X, Y, fam)
    with pytest.raises(ValueError, match="missing loadings"):
        SlothRegressor(1, init={k: v for k, v in basic.fitted_params().items() if k != "loadings"}).fit(
            X, Y, fam
        )
    other = SlothRegressor(2, **FAST).fit(X, Y, fam).fitted_params()
    with pytest.raises(ValueError, match="init has 3 benchmarks and 2 skills; this fit needs 3 and 1"):
        SlothRegressor(1, init=other, **FAST).fit(X, Y, fam)
    with pytest.raises(ValueError, match="different intercepts or families"):
        SlothRegressor(1, init=basic.fitted_params(), **FAST).fit(X[:12], Y[:12], fam[:12])


ESTIMATORS = [
    SlothRegressor(1, chance=np.array([0.25, 0.0, 0.1]), **FAST),
    PerBenchmarkLaw(**FAST),
    PCAFlopsRegressor(1),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_fit_keeps_hyperparameters_and_returns_self(est):
    X, Y, fam = world()
    est = clone(est)
    before = est.get_params()
    assert est.fit(X, Y, fam) is est
    after = est.get_params()
    assert before.keys() == after.keys() and all(after[k] is before[k] for k in before)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X, fam), est.predict(X, fam))


ALL = [
    *ESTIMATORS,
    PCAImputer(),
    SigmoidLinkRegressor(),
    ObservationalScalingLaw(2),
    LogisticLinkRegressor(),
    Sloth(2),
    SlothBasic(2),
    PCAFlops(2),
    Flops(),
    SizeAndTokens(),
]


@pytest.mark.parametrize("est", ALL, ids=lambda e: type(e).__name__)
def test_params_protocol(est):
    params = est.get_params(deep=False)
    twin = clone(est)
    assert type(twin) is type(est) and twin.get_params(deep=False).keys() == params.keys()
    name = next(iter(params))
    assert est.set_params(**{name: params[name]}) is est
    with pytest.raises(ValueError, match="invalid parameter 'nope'"):
        est.set_params(nope=1)
    assert repr(est).startswith(f"{type(est).__name__}(")


@pytest.mark.parametrize("est", ALL, ids=lambda e: type(e).__name__)
def test_unfitted_use_raises_not_fitted(est):
    method = next(m for m in ("predict", "transform") if hasattr(est, m))
    with pytest.raises(NotFittedError, match="is not fitted yet: call fit first") as info:
        getattr(est, method)(np.zeros((2, 2)))
    assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)


def test_nested_parameters_are_set_through_the_law():
    law = ObservationalScalingLaw(2, regressor=SigmoidLinkRegressor())
    assert law.get_params()["regressor__loss"] == "least_squares"
    law.set_params(regressor__loss="huber", n_components=1)
    assert law.regressor.loss == "huber" and law.n_components == 1
    rng = np.random.default_rng(0)
    skill = rng.normal(0.0, 1.0, 30)
    M = np.clip(0.5 + 0.1 * np.outer(skill, [1.0, 0.8, 0.6]) + rng.normal(0, 0.01, (30, 3)), 0, 1)
    y = 1 / (1 + np.exp(-(2.0 * skill - 0.5)))
    law.fit(M, y)
    assert law.regressor_ is not law.regressor and not hasattr(law.regressor, "coef_")  # fit fits a copy
    assert law.regressor_.loss == "huber"
