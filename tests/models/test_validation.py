"""Bad input raises ValueError naming the problem."""

import re

from slothpipe.interpretation.compute_optimal import optimal_allocation
from slothpipe.models import PCAFlopsRegressor, PerBenchmarkLaw, SlothRegressor, fit_predict

import numpy as np
import pytest

V2 = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]


@pytest.fixture
def small(sim):
    return sim.X[:24].copy(), sim.families[:24].copy(), sim.Y[:24].copy()


ESTIMATORS = [
    lambda: SlothRegressor(1, max_iter=20),
    lambda: PerBenchmarkLaw("flops", max_iter=20),
    lambda: PCAFlopsRegressor(1),
]


@pytest.mark.parametrize("make", ESTIMATORS, ids=["sloth", "per-benchmark", "pca"])
def test_nan_in_covariates(make, small):
    X, fam, Y = small
    X[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"X has a non-finite value nan at row 5, column 1 \(log tokens\)"):
        make().fit(X, Y, fam)


@pytest.mark.parametrize("make", ESTIMATORS, ids=["sloth", "per-benchmark", "pca"])
def test_log_of_non_positive_size(make, small):
    X, fam, Y = small
    with np.errstate(divide="ignore"):
        X[2, 0] = np.log(0.0)
    with pytest.raises(ValueError, match=r"row 2, column 0 \(log params\).*non-positive"):
        make().fit(X, Y, fam)


@pytest.mark.parametrize("make", ESTIMATORS, ids=["sloth", "per-benchmark", "pca"])
@pytest.mark.parametrize("bad", [1.5, -0.1, 45.0])
def test_scores_outside_unit_interval(make, small, bad):
    X, fam, Y = small
    Y[7, 2] = bad
    with pytest.raises(ValueError, match=r"outside \[0, 1\] at row 7, column 2"):
        make().fit(X, Y, fam)


@pytest.mark.parametrize("make", ESTIMATORS, ids=["sloth", "per-benchmark", "pca"])
def test_mismatched_rows(make, small):
    X, fam, Y = small
    with pytest.raises(ValueError, match="Y has 23 rows but X has 24"):
        make().fit(X, Y[:-1], fam)
    with pytest.raises(ValueError, match="families has 23 labels but X has 24 rows"):
        make().fit(X, Y, fam[:-1])


def test_wrong_number_of_covariates(small):
    X, fam, Y = small
    with pytest.raises(ValueError, match=r"shape \(n, 2\).*got shape \(24, 3\)"):
        SlothRegressor(1).fit(np.column_stack([X, X[:, 0]]), Y, fam)


def test_column_without_observations(small):
    X, fam, Y = small
    Y[:, 3] = np.nan
    with pytest.raises(ValueError, match="column 3 has no observed score"):
        SlothRegressor(1).fit(X, Y, fam)


@pytest.mark.parametrize("make", ESTIMATORS, ids=["sloth", "per-benchmark", "pca"])
def test_family_unseen_at_predict_time(make, small):
    X, fam, Y = small
    model = make().fit(X, Y, fam)
    fam_new = fam[:3].astype(object)
    fam_new[1] = "brand-new"
    with pytest.raises(ValueError, match="not seen in fit: 'brand-new'"):
        model.predict(X[:3], fam_new)


def test_missing_family_labels(small):
    X, fam, Y = small
    with pytest.raises(ValueError, match="families is required"):
        SlothRegressor(1).fit(X, Y)
    labels = fam.astype(object)
    labels[4] = None
    with pytest.raises(ValueError, match="missing family label at row 4"):
        SlothRegressor(1).fit(X, Y, labels)


def test_predict_before_fit():
    with pytest.raises(ValueError, match="not fitted yet"):
        SlothRegressor(1).predict(np.zeros((2, 2)), ["a", "b"])


def test_bad_hyper_parameters(small):
    X, fam, Y = small
    with pytest.raises(ValueError, match="link must be one of"):
        SlothRegressor(1, link="relu").fit(X, Y, fam)
    with pytest.raises(ValueError, match="chance has 2 values but Y has 6"):
        SlothRegressor(1, chance=[0.1, 0.2]).fit(X, Y, fam)
    with pytest.raises(ValueError, match="n_components=7 must be between 1 and"):
        PCAFlopsRegressor(7).fit(X, Y, fam)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SlothRegressor(0), "SlothRegressor: n_skills must be an integer >= 1, got 0"),
        (lambda: SlothRegressor(1, n_restarts=0), "n_restarts must be an integer >= 1, got 0"),
        (lambda: SlothRegressor(1, n_restarts=2.0), "n_restarts must be an integer >= 1, got 2.0"),
        (lambda: SlothRegressor(1, screen_iter=0), "screen_iter must be an integer >= 1 or None, got 0"),
        (lambda: SlothRegressor(1, ridge=float("nan")), "ridge must be a finite number >= 0, got nan"),
        (lambda: SlothRegressor(1, random_state=-1), "random_state must be an integer seed >= 0 or None"),
        (lambda: SlothRegressor(1, intercept="x"), "intercept must be one of 'family', 'shared', got 'x'"),
        (lambda: PerBenchmarkLaw("log"), "PerBenchmarkLaw: covariates must be one of 'flops', 'size_tokens'"),
        (lambda: PerBenchmarkLaw(family_slopes="yes"), "family_slopes must be a bool (True or False), got"),
        (lambda: PerBenchmarkLaw("size_tokens", family_slopes=True), "family_slopes applies to covariates="),
        (lambda: PCAFlopsRegressor(0), "PCAFlopsRegressor: n_components must be an integer >= 1, got 0"),
    ],
)
def test_hyper_parameters_are_checked_against_their_table(small, make, message):
    X, fam, Y = small
    with pytest.raises(ValueError, match=re.escape(message)):
        make().fit(X, Y, fam)


def _estimator_classes():
    from slothpipe import api
    from slothpipe.downstream.regression import LogisticLinkRegressor
    from slothpipe.forecast.conformal import ResidualCalibrator
    from slothpipe.obsscaling.method import SigmoidLinkRegressor

    return [
        SlothRegressor,
        PerBenchmarkLaw,
        PCAFlopsRegressor,
        ResidualCalibrator,
        LogisticLinkRegressor,
        SigmoidLinkRegressor,
        api.Sloth,
        api.SlothBasic,
        api.PCAFlops,
        api.Flops,
        api.SizeAndTokens,
    ]


@pytest.mark.parametrize("cls", _estimator_classes(), ids=lambda c: c.__name__)
def test_every_hyper_parameter_has_a_constraint_and_the_defaults_satisfy_it(cls):
    assert set(cls._parameter_constraints) == set(cls._param_names())
    cls()._validate_params()


def test_the_api_validates_from_the_estimators_tables():
    from slothpipe import api

    assert api.Sloth._parameter_constraints["intercept"] is SlothRegressor._parameter_constraints["intercept"]
    assert api.Flops._parameter_constraints["link"] is PerBenchmarkLaw._parameter_constraints["link"]
    assert (
        api.PCAFlops._parameter_constraints["n_components"]
        is (PCAFlopsRegressor._parameter_constraints["n_components"])
    )


def test_fit_predict_bad_inputs(small):
    X, fam, Y = small
    kw = dict(benchmarks=V2, n_train_models=1)
    with pytest.raises(ValueError, match="unknown method"):
        fit_predict(["sloth_d9"], X, fam, Y, X[:2], fam[:2], **kw)
    with pytest.raises(ValueError, match="no chance level for benchmark 'HumanEval'"):
        fit_predict(
            ["pca_flops_d1"], X, fam, Y, X[:2], fam[:2], benchmarks=[*V2[:5], "HumanEval"], n_train_models=1
        )
    with pytest.raises(ValueError, match="Y_train has 6 columns but 5 benchmark names"):
        fit_predict(["pca_flops_d1"], X, fam, Y, X[:2], fam[:2], benchmarks=V2[:5], n_train_models=1)
    with pytest.raises(ValueError, match="absent from family_train: 'ghost'"):
        fit_predict(["pca_flops_d1"], X, fam, Y, X[:2], np.array(["ghost", fam[0]]), **kw)
    Yb = Y.copy()
    Yb[0, 1] = 2.0
    with pytest.raises(
        ValueError, match=r"Y_train has a score 2.0 outside \[0, 1\] at row 0, column 1 \(BBH\)"
    ):
        fit_predict(["pca_flops_d1"], X, fam, Yb, X[:2], fam[:2], **kw)
    Xb = X[:2].copy()
    Xb[1, 0] = np.inf
    with pytest.raises(ValueError, match="X_test has a non-finite value"):
        fit_predict(["pca_flops_d1"], X, fam, Y, Xb, fam[:2], **kw)


def test_compute_optimal_bad_inputs():
    kw = dict(params_range=(0.1, 70.0), tokens_range=(0.2, 15.0))
    with pytest.raises(ValueError, match=r"budgets must be finite and positive; got -1\.0"):
        optimal_allocation([1.0, 0.5, 0.0], [-1.0], **kw)
    with pytest.raises(ValueError, match=r"params_range must be finite and positive; got 0\.0"):
        optimal_allocation([1.0, 0.5, 0.0], [1e22], params_range=(0.0, 70.0), tokens_range=(0.2, 15.0))
    with pytest.raises(ValueError, match="outside the size/token box"):
        optimal_allocation([1.0, 0.5, 0.0], [1e30], **kw)
    with pytest.raises(ValueError, match="slopes must be 3 finite numbers"):
        optimal_allocation([1.0, np.nan, 0.0], [1e22], **kw)
