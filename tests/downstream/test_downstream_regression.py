"""The logistic-link downstream regression, PCA skills and the task helpers on synthetic data."""

from __future__ import annotations

from slothpipe.downstream.regression import (
    LogisticLinkRegressor,
    error_table,
    fit_task,
    huber_objective,
    pca_skills,
    run_regressions,
    task_scores,
    weights_frame,
)
from slothpipe.errors import DataError

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime
from scipy.special import expit


def logistic_data(n=60, beta=(1.5, -0.4, 0.3), c=-0.5, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, len(beta)))
    y = expit(Z @ np.array(beta) + c) + rng.normal(0, noise, n)
    return Z, np.clip(y, 0, 1)


def test_recovers_known_weights_without_noise():
    Z, y = logistic_data()
    reg = LogisticLinkRegressor(n_restarts=3).fit(Z, y)
    assert reg.coef_ == pytest.approx([1.5, -0.4, 0.3], abs=1e-4)
    assert reg.intercept_ == pytest.approx(-0.5, abs=1e-4)
    assert reg.predict(Z) == pytest.approx(y, abs=1e-5)
    assert reg.decision_function(Z) == pytest.approx(Z @ reg.coef_ + reg.intercept_)


def test_recovers_weights_with_noise_and_outliers():
    Z, y = logistic_data(n=200, noise=0.01, seed=1)
    y[:5] = 1.0 - y[:5]  # gross outliers: the Huber loss shrugs them off
    reg = LogisticLinkRegressor(n_restarts=2).fit(Z, y)
    assert reg.coef_ == pytest.approx([1.5, -0.4, 0.3], abs=0.1)
    assert reg.intercept_ == pytest.approx(-0.5, abs=0.1)


def test_floor_is_respected():
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(80, 2))
    y = 0.25 + 0.75 * expit(Z @ np.array([2.0, 0.5]) + 0.2)
    reg = LogisticLinkRegressor(floor=0.25, n_restarts=1).fit(Z, y)
    assert reg.coef_ == pytest.approx([2.0, 0.5], abs=1e-3)
    assert reg.predict(Z).min() > 0.25


@pytest.mark.parametrize("floor", [0.0, 0.3])
def test_gradient_matches_finite_differences(floor):
    Z, y = logistic_data(n=30, noise=0.05, seed=3)
    rng = np.random.default_rng(4)
    for _ in range(5):
        theta = rng.normal(size=4)
        value, grad = huber_objective(theta, Z, y, floor)
        numeric = approx_fprime(theta, lambda t: huber_objective(t, Z, y, floor)[0], 1e-7)
        assert grad == pytest.approx(numeric, rel=1e-4, abs=1e-7)
        assert value > 0


def test_deterministic_and_bad_input():
    Z, y = logistic_data(noise=0.02)
    a = LogisticLinkRegressor(n_restarts=2, random_state=5).fit(Z, y)
    b = LogisticLinkRegressor(n_restarts=2, random_state=5).fit(Z, y)
    assert np.array_equal(a.coef_, b.coef_) and a.intercept_ == b.intercept_
    with pytest.raises(ValueError, match="within"):
        LogisticLinkRegressor().fit(Z, y + 2)
    with pytest.raises(ValueError, match="rows"):
        LogisticLinkRegressor().fit(Z, y[:-1])
    with pytest.raises(ValueError, match="non-finite"):
        LogisticLinkRegressor().fit(np.where(Z > 2, np.nan, Z), y)
    with pytest.raises(ValueError, match="not fitted"):
        LogisticLinkRegressor().predict(Z)
    with pytest.raises(ValueError, match="at least 4 rows"):
        LogisticLinkRegressor().fit(Z[:3], y[:3])


def test_pca_skills_match_scikit_learn_and_numpy():
    sklearn_decomposition = pytest.importorskip("sklearn.decomposition")
    rng = np.random.default_rng(6)
    Y = rng.uniform(size=(40, 8)) @ np.diag(np.linspace(2, 0.2, 8))
    mean, comps, scores = pca_skills(Y, 3)
    pca = sklearn_decomposition.PCA(n_components=3, svd_solver="full").fit(Y)
    # the sign convention: largest |entry| of each component positive (scikit-learn >= 1.5)
    assert (comps[np.arange(3), np.argmax(np.abs(comps), axis=1)] > 0).all()
    signs = np.sign(np.sum(comps * pca.components_, axis=1))
    assert comps == pytest.approx(signs[:, None] * pca.components_, abs=1e-10)
    assert scores == pytest.approx(signs[None, :] * pca.transform(Y), abs=1e-10)
    # against the eigen-decomposition of the covariance matrix
    evals, evecs = np.linalg.eigh(np.cov(Y.T))
    top = evecs[:, ::-1][:, :3].T
    assert np.abs(np.sum(top * comps, axis=1)) == pytest.approx(np.ones(3), abs=1e-8)
    assert scores.var(axis=0, ddof=1) == pytest.approx(evals[::-1][:3])
    assert mean == pytest.approx(Y.mean(axis=0))


def test_pca_skills_sign_convention_is_the_installed_scikit_learn():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA

    major, minor = (int(x) for x in sklearn.__version__.split(".")[:2])
    if (major, minor) < (1, 5):
        pytest.skip("scikit-learn < 1.5 flips signs by U, not by the components")
    Y = np.random.default_rng(7).normal(size=(25, 5))
    _, comps, scores = pca_skills(Y, 2)
    pca = PCA(n_components=2, svd_solver="full").fit(Y)
    assert comps == pytest.approx(pca.components_, abs=1e-10)
    assert scores == pytest.approx(pca.transform(Y), abs=1e-10)


def skills_table(n=30, seed=8):
    rng = np.random.default_rng(seed)
    models = [f"m{i:02d}" for i in range(n)]
    Z = rng.normal(size=(n, 2))
    skills = pd.DataFrame(
        {
            "model": models,
            "variant_family": "f",
            "params_b": 1.0,
            "tokens_t": 1.0,
            "role": "train",
            "Reasoning": Z[:, 0],
            "Knowledge": Z[:, 1],
        }
    )
    scores = pd.Series(expit(1.3 * Z[:, 0] + 0.4 * Z[:, 1] - 0.2), index=models)
    return skills, scores


def test_fit_task_predicts_heldout_models_and_reports_weights():
    skills, scores = skills_table()
    reg, points = fit_task(skills, scores.drop("m05"), ["m03"], n_restarts=1)
    assert reg.coef_ == pytest.approx([1.3, 0.4], abs=1e-4)
    assert points["role"].tolist() == ["train"] * 28 + ["heldout"]  # m05 has no score, m03 held out
    held = points[points["role"] == "heldout"].iloc[0]
    assert held["model"] == "m03" and held["predicted"] == pytest.approx(scores["m03"], abs=1e-4)
    assert held["abs_error"] == pytest.approx(abs(held["predicted"] - held["true"]))
    w = weights_frame(reg, ["Reasoning", "Knowledge"])
    assert w["skill"].tolist() == ["Reasoning", "Knowledge", "(intercept)"]
    with pytest.raises(DataError, match="m05"):
        fit_task(skills, scores.drop("m05"), ["m05"])


def test_run_regressions_and_error_table():
    skills, scores = skills_table()
    points, weights = run_regressions(
        {"a": skills, "b": skills}, {"t": scores}, {"t": ["m00", "m01"]}, n_restarts=1
    )
    assert list(points.columns[:2]) == ["task", "setting"]
    assert set(weights["setting"]) == {"a", "b"}
    errors = error_table(points)
    assert errors[["n_train", "n_heldout"]].to_numpy().tolist() == [[28, 2], [28, 2]]
    assert (errors["in_sample_mae"] < 1e-3).all()


def test_task_scores_from_column_or_table():
    dataset = pd.DataFrame({"model": ["a", "b", "c"], "HumanEval": [0.1, np.nan, 0.3]})
    assert task_scores(dataset, column="HumanEval").to_dict() == {"a": 0.1, "c": 0.3}
    table = pd.DataFrame({"model": ["b"], "score": [0.5], "source": ["x"]})
    assert task_scores(dataset, scores=table).to_dict() == {"b": 0.5}
    with pytest.raises(DataError, match="EQ"):
        task_scores(dataset, column="EQ")
    with pytest.raises(ValueError, match="exactly one"):
        task_scores(dataset)
