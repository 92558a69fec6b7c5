"""Interpretation: whitening, geomin-oblique rotation, sign fix, centring, skill names."""

from slothpipe.interpretation.rotation import geomin_oblique, interpret, name_skills
from slothpipe.interpretation.skills_model import PLOT_ORDER
from slothpipe.models import SlothRegressor

import numpy as np
import pytest

ORDER = PLOT_ORDER
# the paper's Figure 2 loadings (Figure 2): Reasoning, Knowledge, Instruction following
FIG2 = np.array(
    [
        [3.43, 3.42, 2.30, 1.71, 1.78, 1.65, 0.86, 0.60, 0.65, 0.51, 0.66, 0.05],
        [-0.51, -0.60, 0.06, 0.11, 0.07, 0.15, 0.06, -0.00, 0.44, 0.55, 0.56, 0.04],
        [0.03, -0.02, -0.22, -0.01, 0.00, 0.03, -0.02, 0.33, 0.07, 0.05, -0.01, 0.63],
    ]
)


@pytest.fixture(scope="module")
def fitted(sim):
    model = SlothRegressor(3, chance=sim.chance).fit(sim.X, sim.Y, sim.families)
    return model, interpret(model, sim.X, sim.families)


def test_geomin_matches_factor_analyzer():
    rotator = pytest.importorskip("factor_analyzer").Rotator
    rng = np.random.default_rng(0)
    for d in (2, 3):
        lam = FIG2[:d].T + 0.3 * rng.normal(size=(12, d))
        ref = rotator(method="geomin_obl", tol=1e-9, max_iter=3000).fit(lam)
        rotated, T = geomin_oblique(lam, tol=1e-9, max_iter=3000)
        assert np.allclose(rotated, ref.loadings_, atol=1e-6)
        assert np.allclose(T, ref.rotation_, atol=1e-6)


def test_predictions_are_invariant(fitted, sim):
    model, it = fitted
    eta_model = model._eta(*model._designs(sim.X, sim.families, "families"))
    assert np.allclose(it.eta(sim.X, sim.families), eta_model, atol=1e-10)
    assert np.allclose(it.skills @ it.loadings + it.bias, eta_model, atol=1e-10)


def test_skills_are_centred_with_unit_variance_and_sign_fixed(fitted):
    _, it = fitted
    assert np.allclose(it.skills.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(np.var(it.skills, axis=0, ddof=1), 1.0, atol=1e-8)
    assert np.allclose(np.cov(it.skills.T), it.skill_correlation, atol=1e-8)
    assert np.all(it.coefficients[0] > 0)  # anchor 0: positive log-size coefficient
    assert it.coef_names[:3] == ("log params", "log tokens", "log params x log tokens")
    assert it.coefficients.shape == (3 + 6, 3)


def test_anchor_on_tokens(fitted, sim):
    model, _ = fitted
    it = interpret(model, sim.X, sim.families, anchor=1)
    assert np.all(it.coefficients[1] > 0)


@pytest.mark.parametrize("perm", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_names_follow_content_not_row_order(perm):
    names = name_skills(FIG2[list(perm)], ORDER)
    expected = np.array(["Reasoning", "Knowledge", "Instruction following"])[list(perm)]
    assert names == list(expected)


@pytest.mark.parametrize("signs", [(1, 1, -1), (1, -1, 1), (-1, 1, -1)])
def test_names_do_not_depend_on_skill_signs(signs):
    # the anchor convention can give a skill negative loadings on its own group (measured: Instruction
    # following of a minimum-MAE refit of the paper's data); the name must still follow the content
    flipped = np.array(signs)[:, None] * FIG2
    assert name_skills(flipped, ORDER) == ["Reasoning", "Knowledge", "Instruction following"]
    assert name_skills(flipped[[2, 0, 1]], ORDER) == ["Instruction following", "Reasoning", "Knowledge"]


def test_names_for_other_dimensions():
    rng = np.random.default_rng(1)
    d2 = np.vstack([FIG2[0], FIG2[1] + FIG2[2]])
    assert name_skills(d2[::-1], ORDER) == ["Knowledge + Instruction following", "Reasoning"]
    d4 = np.vstack([FIG2, FIG2[1] * 0.8 + 0.05 * rng.normal(size=12)])
    assert sorted(name_skills(d4, ORDER)) == [
        "Instruction following",
        "Knowledge 1",
        "Knowledge 2",
        "Reasoning",
    ]
    assert name_skills(d4[[3, 0, 2, 1]], ORDER)[1] == "Reasoning"
    assert name_skills(FIG2[:1], ORDER) == ["Composite skill"]


def test_name_skills_rejects_bad_shapes():
    with pytest.raises(ValueError, match="J = 12 benchmark columns"):
        name_skills(FIG2[:, :5], ORDER)


def test_interpret_rejects_unfitted_model(sim):
    with pytest.raises(ValueError, match="fitted SlothRegressor"):
        interpret(SlothRegressor(2), sim.X, sim.families)
