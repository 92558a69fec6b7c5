"""The interval calibration (slothpipe.forecast.conformal) and its nested validation, on simulated data."""

from __future__ import annotations

from slothpipe.forecast.conformal import (
    CALIBRATIONS,
    ResidualCalibrator,
    family_weights,
    interval_score,
    level_factor,
    weighted_quantile,
)
from slothpipe.forecast.validation import (
    SCORE_TOLERANCE,
    best_method,
    default_method,
    nested_intervals,
    validate,
)

import numpy as np
import pandas as pd
import pytest

SCALES = {"easy": 0.01, "hard": 0.08}


def residuals(n_families=40, seed=0, slope=0.5, shift=0.0) -> pd.DataFrame:
    """Held-out predictions of exchangeable families: residual = scale_b·(1 + slope·gap)·v(ŷ)·(family effect
    + noise), so the family, not the model, is the unit, and the truth is known."""
    rng = np.random.default_rng(seed)
    rows = []
    for f in range(n_families):
        effect = rng.normal()
        for m in range(int(rng.integers(1, 6))):
            gap = float(rng.uniform(0, 2))
            for bench, scale in SCALES.items():
                pred = float(rng.uniform(0.2, 0.8))
                noise = 0.7 * effect + 0.7 * rng.normal() + shift
                r = scale * (1 + slope * gap) * float(level_factor(pred)) * noise
                y = pred - r
                rows.append(
                    dict(
                        suite="v1" if f % 2 else "v2",
                        n_train_models=1,
                        group=f"g{f}",
                        method="m",
                        model=f"f{f}-m{m}",
                        family=f"f{f}",
                        benchmark=bench,
                        y_true=y,
                        y_pred=pred,
                        residual=r,
                        gap_decades=gap,
                    )
                )
    return pd.DataFrame(rows)


def test_weighted_quantile_and_family_weights():
    values = np.array([3.0, 1.0, 2.0, 4.0])
    assert weighted_quantile(values, np.ones(4), 0.5) == 2.0
    assert weighted_quantile(values, np.ones(4), 1.0) == 4.0
    assert weighted_quantile(values, np.ones(4), 0.0) == 1.0
    # a heavy weight on 4.0 moves the median there
    assert weighted_quantile(values, np.array([1, 1, 1, 5.0]), 0.5) == 4.0
    w = family_weights(["a", "a", "b", "a"])
    assert w.tolist() == pytest.approx([1 / 3, 1 / 3, 1.0, 1 / 3])


def test_interval_score_is_width_plus_the_penalised_miss():
    score = interval_score([0.5, 0.1, 0.9], [0.4, 0.2, 0.2], [0.6, 0.3, 0.8], level=0.9)
    assert score == pytest.approx([0.2, 0.1 + 20 * 0.1, 0.6 + 20 * 0.1])


@pytest.mark.parametrize("calibration", CALIBRATIONS)
def test_bounds_stay_in_the_unit_interval_and_hold_the_point(calibration):
    cal = ResidualCalibrator(calibration=calibration).fit(residuals())
    pred = np.array([-0.05, 0.0, 0.01, 0.5, 0.99, 1.0, 1.2])
    lower, upper = cal.interval(pred, "hard", 1.5, 0.95)
    point = np.clip(pred, 0, 1)
    assert np.all((0 <= lower) & (lower <= point) & (point <= upper) & (upper <= 1))


def test_scaled_intervals_follow_the_benchmark_and_the_compute_gap():
    cal = ResidualCalibrator().fit(residuals())
    assert cal.scale_["hard"] / cal.scale_["easy"] == pytest.approx(8, rel=0.2)
    assert cal.gap_slope_ == pytest.approx(0.5, rel=0.5)
    width = lambda b, g: np.subtract(*cal.interval(0.5, b, g, 0.9)[::-1])  # noqa: E731
    assert width("hard", 0) > 5 * width("easy", 0)
    assert width("hard", 2) > 1.4 * width("hard", 0)
    # a score predicted near 0 has little room to miss: its interval is narrower than at 0.5
    near_zero = np.subtract(*cal.interval(0.01, "hard", 0, 0.9)[::-1])
    assert near_zero < 0.5 * width("hard", 0)


def test_a_biased_method_gets_an_interval_that_leans_against_its_bias():
    cal = ResidualCalibrator().fit(residuals(shift=2.0))  # predictions 2 scales too high
    lower, upper = cal.interval(0.5, "easy", 0.0, 0.8)
    assert 0.5 - lower > 2 * (upper - 0.5)


def test_unknown_benchmark_level_and_calibration_are_refused():
    cal = ResidualCalibrator().fit(residuals())
    with pytest.raises(ValueError, match="no calibration residuals for benchmark"):
        cal.interval(0.5, "other", 0.0, 0.9)
    with pytest.raises(ValueError, match="level must be in"):
        cal.interval(0.5, "easy", 0.0, 1.5)
    with pytest.raises(ValueError, match="calibration must be one of"):
        ResidualCalibrator(calibration="magic").fit(residuals())


def test_nested_validation_never_calibrates_a_family_on_itself():
    """One family with residuals 100x everyone's: its own intervals stay the others' width, so they miss."""
    data = residuals(n_families=12)
    odd = data["family"] == "f3"
    data.loc[odd, "residual"] *= 100
    data.loc[odd, "y_pred"] = data.loc[odd, "y_true"] + data.loc[odd, "residual"]
    nested = nested_intervals(data, "scaled", levels=(0.9,))
    width = nested["upper_0.9"] - nested["lower_0.9"]
    assert width[odd].median() < 2 * width[~odd].median()  # not widened by its own residuals
    covered = (nested["y_true"] >= nested["lower_0.9"]) & (nested["y_true"] <= nested["upper_0.9"])
    assert covered[odd].mean() < 0.5


def test_validation_measures_nominal_coverage_on_exchangeable_families():
    table = validate(residuals(n_families=60, seed=1), n_boot=300, seed=0)
    ours = table[(table["calibration"] == "scaled") & (table["scope"] == "all")].set_index("level")
    for level in (0.5, 0.8, 0.9, 0.95):
        row = ours.loc[level]
        assert row["coverage_low"] <= row["coverage"] <= row["coverage_high"]
        assert abs(row["coverage"] - level) < 0.06
    # scaling by benchmark beats one quantile for both benchmarks
    pooled = table[(table["scope"] == "all") & (table["level"] == 0.9)].set_index("calibration")
    assert pooled.loc["scaled", "interval_score"] < pooled.loc["pooled_quantile", "interval_score"]
    # breakdowns at 90 %: per setting and per benchmark
    assert set(table.loc[table["scope"] == "benchmark", "benchmark"]) == set(SCALES)
    assert set(table.loc[table["scope"] == "setting", "setting"]) == {"v1 n1", "v2 n1"}
    assert default_method(table) == best_method(table) == "m"


def test_the_default_method_is_the_best_pooled_interval_score():
    a = residuals(seed=2).assign(method="a")
    b = residuals(seed=2).assign(method="b")
    b["residual"] *= 3
    b["y_pred"] = b["y_true"] + b["residual"]
    table = validate(pd.concat([b, a]), calibrations=("scaled",), levels=(0.9,), n_boot=100)
    assert default_method(table) == "a"
    assert table.loc[table["method"] == "a", "default"].all()
    assert not table.loc[table["method"] == "b", "default"].any()


def pooled_scores(scores: dict[str, float]) -> pd.DataFrame:
    """A validation table's pooled rows at 90 % with these interval scores, and a decoy at another level."""
    rows = [
        {"method": m, "calibration": "scaled", "level": 0.9, "scope": "all", "interval_score": s}
        for m, s in scores.items()
    ]
    rows.append(
        {"method": "aaa", "calibration": "scaled", "level": 0.5, "scope": "all", "interval_score": 0.0}
    )
    return pd.DataFrame(rows)


def test_the_default_does_not_flip_with_another_cpus_rounding():
    """The pooled scores of the tracked grid and of the same grid rebuilt under OPENBLAS_CORETYPE=SandyBridge:
    the old rule (scores rounded to 1e-3, ties by name) chose sloth_d4 on one and sloth_d3 on the other."""
    tracked = {"sloth_d4": 0.271416, "sloth_d3": 0.272308, "sloth_d2": 0.274047, "size_tokens": 0.279146}
    sandy = {"sloth_d4": 0.270673, "sloth_d3": 0.271050, "sloth_d2": 0.273920, "size_tokens": 0.279665}
    assert best_method(pooled_scores(tracked)) == best_method(pooled_scores(sandy)) == "sloth_d2"
    assert SCORE_TOLERANCE == 5e-3


def test_a_method_beyond_the_tolerance_never_wins_by_its_name():
    assert best_method(pooled_scores({"b": 0.30, "a": 0.30 + SCORE_TOLERANCE + 1e-6})) == "b"
    assert best_method(pooled_scores({"b": 0.30, "a": 0.30 + SCORE_TOLERANCE - 1e-6})) == "a"
    with pytest.raises(ValueError, match="no pooled"):
        best_method(pooled_scores({"b": 0.3}), calibration="pooled_quantile")
    assert best_method(pooled_scores({"b": 0.30, "a": float("nan")})) == "b"
    with pytest.raises(ValueError, match="no finite"):
        best_method(pooled_scores({"a": float("nan")}))
