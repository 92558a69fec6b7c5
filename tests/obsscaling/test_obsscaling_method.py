"""The observational-scaling components on synthetic data: imputation, splits, links, equivalent FLOPs."""

from __future__ import annotations

from slothpipe.obsscaling.method import (
    ObservationalScalingLaw,
    PCAImputer,
    SigmoidLinkRegressor,
    area_under_error,
    equivalent_scale,
    n_test_of,
    split_by_cutoff,
    split_by_rank,
    to_equivalent,
)

import numpy as np
import pytest

LOADING = np.random.default_rng(0).uniform(0.05, 0.15, 6)


def planted_rank1(n=60, seed=0):
    a = np.random.default_rng(seed).uniform(-1.0, 1.0, n)
    return 0.5 + np.outer(a, LOADING)  # in (0.3, 0.7): inside the clip bounds


def test_imputation_recovers_a_planted_rank_one_matrix():
    truth = planted_rank1()
    X = truth.copy()
    rng = np.random.default_rng(1)
    missing = rng.random(X.shape) < 0.15
    missing[:, 0] &= np.arange(len(X)) % 2 == 0  # keep every column observed somewhere
    X[missing] = np.nan
    imp = PCAImputer(1, max_iter=2000, tol=1e-10)
    filled = imp.fit_transform(X)
    assert missing.sum() > 20
    np.testing.assert_allclose(filled[missing], truth[missing], atol=1e-4)
    np.testing.assert_array_equal(filled[~missing], truth[~missing])  # observed cells untouched
    # the column-mean start alone is far off: the iterations did the work
    start = np.where(missing, np.nanmean(X, axis=0)[None, :], X)
    assert np.abs(start[missing] - truth[missing]).max() > 50 * np.abs(filled[missing] - truth[missing]).max()

    # new rows are imputed with the training PCA held fixed
    new = planted_rank1(n=10, seed=5)
    holes = new.copy()
    holes[:, 2] = np.nan
    np.testing.assert_allclose(imp.transform(holes)[:, 2], new[:, 2], atol=1e-3)


def test_imputation_clips_and_rejects_an_empty_column():
    X = np.array([[0.1, 0.9], [0.2, np.nan], [0.3, 1.0], [0.4, 1.0]])
    out = PCAImputer(1, clip=(0.0, 1.0)).fit_transform(X)
    assert out.max() <= 1.0
    with pytest.raises(ValueError, match="column 1 has no observed value"):
        PCAImputer(1).fit(np.array([[0.1, np.nan], [0.2, np.nan]]))


def test_cutoff_split_is_inclusive_and_sends_nan_to_test():
    flops = np.array([10.0, 84.0, 84.0000001, np.nan, 5.0])
    np.testing.assert_array_equal(split_by_cutoff(flops, 84), [True, True, False, False, True])


def test_rank_split_floors_the_ratio_puts_nan_first_and_breaks_ties_by_input_order():
    assert n_test_of(0.1, 22) == 2 and n_test_of(0.1, 11) == 1 and n_test_of(0.1, 9) == 0
    assert n_test_of(3, 10) == 3
    with pytest.raises(ValueError, match="no training row"):
        n_test_of(10, 10)
    y = np.array([0.5, 0.9, 0.9, np.nan, 0.1, 0.9])
    order, train = split_by_rank(y, 3)
    assert order[:4].tolist() == [3, 1, 2, 5]  # NaN first, then descending; tied 0.9s in input order
    np.testing.assert_array_equal(train, [True, False, False, False, True, True])
    _, train = split_by_rank(y, 0.5)  # int(0.5 * 6) = 3 as well
    assert (~train).sum() == 3


@pytest.mark.parametrize("link", ["sigmoid", "sigmoid-parametric"])
@pytest.mark.parametrize("loss", ["least_squares", "huber"])
def test_sigmoid_link_regressor_recovers_planted_parameters(link, loss):
    rng = np.random.default_rng(2)
    X = rng.uniform(-3.0, 3.0, (80, 2))
    floor = 0.1 if link == "sigmoid-parametric" else 0.0
    y = (1 - floor) / (1 + np.exp(-(0.5 + 1.5 * X[:, 0] - 0.7 * X[:, 1]))) + floor
    reg = SigmoidLinkRegressor(link=link, loss=loss).fit(X, y)
    np.testing.assert_allclose([reg.intercept_, *reg.coef_], [0.5, 1.5, -0.7], atol=1e-3)
    assert reg.floor_ == pytest.approx(floor, abs=1e-4)
    np.testing.assert_allclose(reg.predict(X), y, atol=1e-4)
    assert reg.get_params()["link"] == link


def test_parametric_floor_respects_its_bound():
    X = np.linspace(-3, 3, 40)[:, None]
    y = 0.6 / (1 + np.exp(-2 * X[:, 0])) + 0.4  # floor 0.4 > floor_max
    reg = SigmoidLinkRegressor(link="sigmoid-parametric", loss="least_squares", floor_max=0.2).fit(X, y)
    assert 0.0 <= reg.floor_ <= 0.2 + 1e-12


def law_world(seed=3, n=50):
    rng = np.random.default_rng(seed)
    skill = rng.normal(0.0, 1.0, n)
    M = np.clip(0.5 + 0.12 * np.outer(skill, [1.0, 0.8, 0.6, 0.9]) + rng.normal(0, 0.01, (n, 4)), 0, 1)
    y = 1 / (1 + np.exp(-(2.0 * skill - 0.5)))
    return M, y, skill


def test_law_is_fitted_on_training_rows_only():
    M, y, _ = law_world()
    train = np.arange(len(y)) < 35
    law = ObservationalScalingLaw(2, regressor=SigmoidLinkRegressor(loss="huber")).fit(M[train], y[train])
    before = law.predict(M[~train])
    M2 = M.copy()
    M2[~train] += 0.3  # change the test models' benchmarks: the fit cannot move
    law2 = ObservationalScalingLaw(2, regressor=SigmoidLinkRegressor(loss="huber")).fit(M2[train], y[train])
    np.testing.assert_array_equal(law.components_, law2.components_)
    np.testing.assert_array_equal(law.predict(M[~train]), before)
    assert np.mean((before - y[~train]) ** 2) < 1e-3
    np.testing.assert_allclose(law.metric_weights_, law.regressor_.coef_ @ law.components_)


def test_equivalent_flops_transform_leaves_predictions_unchanged():
    M, y, skill = law_world()
    law = ObservationalScalingLaw(2, regressor=SigmoidLinkRegressor(link="sigmoid-parametric")).fit(M, y)
    C = law.decision_function(M)
    ref = np.arange(len(y)) < 6  # any reference models
    log_flops = 1.7 * skill[ref] + 3.0
    w, b = equivalent_scale(C[ref], log_flops)
    x_eq = to_equivalent(C, w, b)
    np.testing.assert_allclose(
        law.regressor_.predict_from_score(w * x_eq + b), law.predict(M), rtol=0, atol=1e-12
    )
    with pytest.raises(ValueError, match="at least two reference models"):
        equivalent_scale(C[:1], log_flops[:1])


def test_area_under_error_is_an_integral_over_ratios_and_skips_failed_fits():
    ratios = np.linspace(0.6, 0.05, 12)
    assert area_under_error(ratios, np.full(12, 2.0)) == pytest.approx(2.0 * 0.55)
    errors = np.full(12, 2.0)
    errors[3] = np.nan
    assert area_under_error(ratios, errors) == pytest.approx(2.0 * 0.55)
