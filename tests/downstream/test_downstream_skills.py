"""Skills of held-out models (the scaling law at their size and tokens) and the skill settings."""

from __future__ import annotations

from slothpipe.downstream.link_curves import CURVE_COLUMNS, link_curves, size_grid
from slothpipe.downstream.skill_sources import best_skills_fit, heldout_skills, setting_skills
from slothpipe.errors import DataError
from slothpipe.interpretation.skills_model import skills_frame
from slothpipe.models.laws import translog_design

import numpy as np
import pandas as pd
import pytest
from world import BENCHMARKS, HELDOUT, V1, simulate_dataset


@pytest.fixture(scope="module")
def world():
    return simulate_dataset()


@pytest.fixture(scope="module")
def main_fit(world):
    frame = skills_frame(world, BENCHMARKS, exclude=HELDOUT)
    return best_skills_fit(frame, BENCHMARKS, n_skills=2, n_restarts=2, seeds=[0, 1])


def test_heldout_skills_are_the_law_at_their_size_tokens_and_family(world, main_fit):
    held = world[world["model"].isin(HELDOUT)].sort_values("model")
    Z = heldout_skills(main_fit, held)
    interp = main_fit.interpretation
    families = list(interp.families)
    for row, z in zip(held.itertuples(index=False), Z, strict=True):
        u, v = np.log10(row.params_b), np.log10(row.tokens_t)
        coef = interp.coefficients
        expected = np.array([u, v, u * v]) @ coef[:3] + coef[3 + families.index(row.variant_family)]
        assert z == pytest.approx(expected - interp.translation)
    # a training model passed as "held out" gets exactly its fitted skills
    frame = main_fit.frame
    again = heldout_skills(main_fit, frame.iloc[:5])
    assert again == pytest.approx(interp.skills[:5])
    # and the law reproduces the model's own eta
    X = np.column_stack([np.log10(held["params_b"]), np.log10(held["tokens_t"])])
    eta = main_fit.model._eta(
        translog_design(X), np.eye(len(families))[[families.index(f) for f in held["variant_family"]]]
    )
    assert Z @ interp.loadings + interp.bias[None, :] == pytest.approx(eta)


def test_heldout_family_must_be_in_the_fit(world, main_fit):
    orphan = world[world["model"] == "alpha-14b"].assign(variant_family="omega")
    with pytest.raises(DataError, match="omega"):
        heldout_skills(main_fit, orphan)
    no_size = world[world["model"] == "alpha-14b"].assign(params_b=np.nan)
    with pytest.raises(DataError, match="parameter or token"):
        heldout_skills(main_fit, no_size)


def test_setting_skills_sloth_and_pca(world):
    skills, loadings, info = setting_skills(
        world, BENCHMARKS, method="sloth", exclude=HELDOUT, n_skills=2, n_restarts=2, seeds=[0]
    )
    assert skills["model"].tolist() == sorted(world["model"])
    assert sorted(skills.loc[skills["role"] == "heldout", "model"]) == sorted(HELDOUT)
    names = list(loadings.index)
    assert list(skills.columns[5:]) == names and list(loadings.columns) == BENCHMARKS
    assert info["n_train"] == len(world) - 2
    train = skills[skills["role"] == "train"][names].to_numpy()
    assert train.mean(axis=0) == pytest.approx(np.zeros(2), abs=1e-10)  # centred on the training rows

    pca, pca_loadings, pca_info = setting_skills(world, BENCHMARKS, method="pca", exclude=["gamma-30b"])
    held = pca[pca["model"] == "gamma-30b"]
    row = world[world["model"] == "gamma-30b"][BENCHMARKS].to_numpy(float)
    frame = skills_frame(world, BENCHMARKS, exclude=["gamma-30b"])
    mean = frame[BENCHMARKS].to_numpy(float).mean(axis=0)
    assert held[["PC1", "PC2", "PC3"]].to_numpy() == pytest.approx((row - mean) @ pca_loadings.to_numpy().T)
    assert sum(pca_info["explained_variance_ratio"]) < 1
    with pytest.raises(ValueError, match="method"):
        setting_skills(world, BENCHMARKS, method="magic")


def test_link_curves_long_table(world):
    sizes = size_grid(1, 100, 5)
    assert sizes == pytest.approx([1, 10**0.5, 10, 10**1.5, 100])
    curves = link_curves(
        world,
        V1,
        family="alpha",
        exclude=HELDOUT,
        test_model="alpha-14b",
        methods=["flops_shared", "pca_flops_d1"],
        sizes_b=sizes,
    )
    assert list(curves.columns) == CURVE_COLUMNS
    lines = curves[curves["kind"] == "curve"]
    assert len(lines) == 2 * len(V1) * 5
    points = curves[curves["kind"] == "point"]
    assert sorted(set(points.loc[points["role"] == "train", "model"])) == [
        "alpha-0.5b", "alpha-1b", "alpha-3b", "alpha-7b",
    ]  # fmt: skip
    test = points[points["role"] == "test"].set_index("benchmark")["score"]
    truth = world.set_index("model").loc["alpha-14b", V1]
    assert test.loc[V1].to_numpy() == pytest.approx(truth.to_numpy(float))
    # the PCA curve at 14 B (tokens of the family) is a fair prediction of the held-out model
    with pytest.raises(ValueError, match="excluded"):
        link_curves(world, V1, family="alpha", exclude=[], test_model="alpha-14b", methods=["flops_shared"],
                    sizes_b=sizes)  # fmt: skip
    with pytest.raises(DataError, match="family"):
        link_curves(world, V1, family="beta", exclude=HELDOUT, test_model="alpha-14b",
                    methods=["flops_shared"], sizes_b=sizes)  # fmt: skip
    with pytest.raises(ValueError, match="min_b"):
        size_grid(10, 1, 5)


def test_downstream_loop_recovers_the_simulated_task(world):
    """End to end in the package: skills without the 14B models -> HumanEval regression -> prediction."""
    from slothpipe.downstream.regression import fit_task, task_scores

    skills, _, _ = setting_skills(
        world, BENCHMARKS, method="sloth", exclude=HELDOUT, n_skills=2, n_restarts=2, seeds=[0]
    )
    _, points = fit_task(skills, task_scores(world, column="HumanEval"), HELDOUT)
    train = points[points["role"] == "train"]
    assert train["abs_error"].mean() < 0.03
    assert points[points["role"] == "heldout"]["abs_error"].max() < 0.1
    assert isinstance(points, pd.DataFrame)
