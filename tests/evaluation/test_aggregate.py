"""Aggregation math on a hand-computed example, fold scoring with an injected model, and the tables."""

from __future__ import annotations

from types import SimpleNamespace

from slothpipe.evaluation.aggregate import AVERAGE, family_table, group_errors, setting_table
from slothpipe.evaluation.bundles import method_bundles
from slothpipe.evaluation.folds import FOLD_COLUMNS, evaluate_fold
from slothpipe.evaluation.groups import Group
from slothpipe.evaluation.reports import mae_summary, model_table, paper_comparison, summary_markdown
from slothpipe.models.fitting import FitOptions

import numpy as np
import pandas as pd
import pytest


def errors_frame(entries):
    """entries: (group, method, model, benchmark, y_true, y_pred)."""
    df = pd.DataFrame(entries, columns=["group", "method", "model", "benchmark", "y_true", "y_pred"])
    df.insert(0, "n_train_models", 1)
    df.insert(0, "suite", "s")
    df["abs_error_pp"] = (df["y_pred"] - df["y_true"]).abs() * 100
    return df


@pytest.fixture
def errors():
    # Group g1 has two test models, g2 one.  Errors (pp) of method m:
    #   g1: model p: A 2, B 4;  model q: A 6, B 0      -> group means A 4, B 2
    #   g2: model r: A 10, B 1                         -> group means A 10, B 1
    # Cells (mean over groups, equal weights): A 7, B 1.5; Average 4.25.
    # A model-weighted mean would give A (2+6+10)/3 = 6 instead: the test tells the two apart.
    return errors_frame(
        [
            ("g1", "m", "p", "A", 0.50, 0.52),
            ("g1", "m", "p", "B", 0.40, 0.36),
            ("g1", "m", "q", "A", 0.20, 0.26),
            ("g1", "m", "q", "B", 0.005, 0.005),
            ("g2", "m", "r", "A", 0.60, 0.50),
            ("g2", "m", "r", "B", 0.30, 0.31),
        ]
    )


def test_group_then_setting_means(errors):
    groups = group_errors(errors)
    g1a = groups[(groups["group"] == "g1") & (groups["benchmark"] == "A")].iloc[0]
    assert g1a["n_test_models"] == 2 and g1a["mae_pp"] == pytest.approx(4.0)
    table = setting_table(groups, suite="s", n_train_models=1, methods=["m", "absent"], benchmarks=["A", "B"])
    assert list(table.index) == ["m"]
    assert table.loc["m", "A"] == pytest.approx(7.0)
    assert table.loc["m", "B"] == pytest.approx(1.5)
    assert table.loc["m", AVERAGE] == pytest.approx(4.25)
    fam = family_table(groups, suite="s", n_train_models=1, methods=["m"], group_order=["g2", "g1"])
    assert list(fam.columns) == ["g2", "g1"]
    assert fam.loc["m", "g1"] == pytest.approx(3.0) and fam.loc["m", "g2"] == pytest.approx(5.5)


def test_mape_leaves_out_scores_below_one_point(errors):
    groups = group_errors(errors)
    b1 = groups[(groups["group"] == "g1") & (groups["benchmark"] == "B")].iloc[0]
    # model q's true B score (0.005) is excluded; p: 4 pp / 0.40 = 10 %
    assert b1["n_mape_excluded"] == 1 and b1["mape_pct"] == pytest.approx(10.0)
    a2 = groups[(groups["group"] == "g2") & (groups["benchmark"] == "A")].iloc[0]
    assert a2["mape_pct"] == pytest.approx(10 / 0.6)


def spec(name, code, label, kind="pca", **settings):
    return SimpleNamespace(name=name, paper_code=code, label=label, kind=kind, settings=settings)


def test_summary_and_paper_comparison(errors):
    groups = group_errors(errors)
    methods = [spec("m", "code_m", "Method M")]
    summary = mae_summary(groups, suites={"s": ["A", "B"]}, n_train_models=[1], methods=methods)
    row = summary.iloc[0]
    assert (row["suite"], row["n_train_models"], row["method"], row["paper_method"]) == (
        "s",
        1,
        "m",
        "code_m",
    )
    assert row["mae_pp"] == pytest.approx(4.25) and row["n_test_groups"] == 2
    paper = {"s": {1: {"n_test_groups": 2, "mae_pp": {"code_m": 4.0, "code_x": 3.0}}}}
    comparison = paper_comparison(summary, paper)
    assert list(comparison.columns) == [
        "suite",
        "n_train_models",
        "paper_method",
        "paper_mae_pp",
        "mae_pp",
        "delta_pp",
    ]
    assert comparison["paper_method"].tolist() == ["code_m", "code_x"]
    assert comparison["delta_pp"].iloc[0] == pytest.approx(0.25)
    assert np.isnan(comparison["mae_pp"].iloc[1])
    text = summary_markdown(summary, {"s": ["A", "B"]})
    assert "| Method M | **7.0** | **1.5** | **4." in text


def test_evaluate_fold_scores_the_test_models():
    data = pd.DataFrame(
        {
            "model": ["a1", "a2", "a3", "b1", "b2"],
            "family": ["a", "a", "a", "b", "b"],
            "variant_family": ["a", "a", "a", "b", "b"],
            "instruct": [False] * 5,
            "params_b": [1.0, 2.0, 4.0, 1.0, 3.0],
            "tokens_t": [1.0] * 5,
            "A": [0.1, 0.2, 0.4, 0.3, 0.5],
            "B": [0.5, 0.6, 0.7, 0.2, 0.4],
        }
    )
    data["log_params"] = np.log(data["params_b"])
    data["log_tokens"] = np.log(data["tokens_t"])
    seen = {}

    def fake_fit_predict(methods, X_train, fam_train, Y_train, X_test, fam_test, **kwargs):
        seen.update(kwargs, fam_train=list(fam_train), fam_test=list(fam_test))
        return {m: np.tile(Y_train.mean(axis=0), (len(X_test), 1)) + k for k, m in enumerate(methods)}

    out = evaluate_fold(
        data,
        suite="s",
        benchmarks=["A", "B"],
        n_train_models=1,
        group=Group("a", ("a",)),
        methods=["m0", "m1"],
        options=FitOptions(random_state=7),
        fit_predict=fake_fit_predict,
    )
    assert list(out.columns) == FOLD_COLUMNS
    assert seen["fam_train"] == ["a", "b", "b"] and seen["fam_test"] == ["a", "a"]
    assert (
        seen["options"].random_state == 7 and seen["benchmarks"] == ["A", "B"] and seen["n_train_models"] == 1
    )
    assert out["method"].tolist() == ["m0"] * 4 + ["m1"] * 4
    assert out["model"].tolist()[:4] == ["a2", "a2", "a3", "a3"]
    # training means: A (0.1+0.3+0.5)/3 = 0.3, B (0.5+0.2+0.4)/3 = 0.3667; a3's A error = |0.3 - 0.4| = 10 pp
    a3 = out[(out["method"] == "m0") & (out["model"] == "a3") & (out["benchmark"] == "A")].iloc[0]
    assert a3["abs_error_pp"] == pytest.approx(10.0)


def test_bundles_follow_kinds_and_reject_unknown_methods():
    registry = {
        "f": spec("f", "", "", kind="per_benchmark", covariates="flops"),
        "st": spec("st", "", "", kind="per_benchmark", covariates="size_tokens"),
        "p": spec("p", "", "", kind="pca"),
        "sb": spec("sb", "", "", kind="sloth", intercept="family"),
        "ss": spec("ss", "", "", kind="sloth", intercept="shared"),
    }
    assert method_bundles(["ss", "p", "sb", "f"], registry) == {
        "baselines": ["f", "p"],
        "sloth": ["sb", "ss"],
    }
    assert method_bundles(["st"], registry) == {"baselines": ["st"]}
    with pytest.raises(ValueError, match=r"unknown method\(s\) \['nope'\]"):
        method_bundles(["nope"], registry)


def test_model_table_marks_test_families_and_leaderboards():
    data = pd.DataFrame(
        {
            "model": ["x-2b", "x-1b", "y-1b", "z-1b", "z-2b"],
            "family": ["x", "x", "y", "z", "z"],
            "variant_family": ["x", "x", "y", "z", "z"],
            "params_b": [2.0, 1.0, 1.0, 1.0, 2.0],
            "tokens_t": [1.0, 1.0, 1.0, 1.0, np.nan],
            "MMLU": [0.5, np.nan, 0.4, 0.3, 0.3],
            "IFEval": [np.nan, 0.2, 0.1, 0.2, 0.2],
            "HumanEval": [0.1, np.nan, np.nan, np.nan, np.nan],
        }
    )
    table = model_table(data, test_families={"x"})
    # y has one model, z one model with tokens: only family x remains, sorted by model id
    assert table["Model"].tolist() == ["x-1b", "x-2b"]
    assert table["TestFamily"].tolist() == [True, True]
    assert table["Leaderboard1"].tolist() == [False, True]
    assert table["Leaderboard2"].tolist() == [True, False]
    assert table["HumanEval"].tolist() == [False, True]
