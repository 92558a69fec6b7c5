"""The fidelity-target check of results/tables/paper_comparison.md on a hand-made comparison."""

from slothpipe.evaluation.reports import comparison_report, target_check, target_markdown

import numpy as np
import pandas as pd
import pytest


def comparison(rows):
    df = pd.DataFrame(rows, columns=["suite", "n_train_models", "paper_method", "paper_mae_pp", "mae_pp"])
    df["delta_pp"] = df["mae_pp"] - df["paper_mae_pp"]
    return df


@pytest.fixture
def table():
    # two settings; a sigmoid law, PCA, a trainable-link law and Sloth d=1, d=2
    return comparison(
        [
            ("a", 1, "logF_sigmoid", 5.0, 5.4),  # |delta| 0.4: pass
            ("a", 1, "pca_d=1", 6.0, 6.0),  # pass
            ("a", 1, "logSlogT_trainlink_faminter", 4.0, 5.0),  # +1.0
            ("a", 1, "factor_trainlink_faminter_d=1", 3.0, 3.2),
            ("a", 1, "factor_trainlink_faminter_d=2", 2.0, 2.7),  # paper best 2.0 (d=2), ours best 2.7
            ("b", 2, "logF_sigmoid", 5.0, 4.4),  # |delta| 0.6: miss (in either direction)
            ("b", 2, "pca_d=1", 6.0, np.nan),  # not run: miss
            ("b", 2, "logSlogT_trainlink_faminter", 4.0, 3.8),  # -0.2 -> mean +0.4: pass
            ("b", 2, "factor_trainlink_faminter_d=1", 3.0, 2.0),  # ours best 2.0 (d=1)
            ("b", 2, "factor_trainlink_faminter_d=2", 2.5, 2.6),  # paper best 2.5 (d=2)
        ]
    )


def test_target_check_verdicts(table):
    checks = target_check(table).set_index(["target", "paper_method", "setting"])
    fixed = checks.loc["fixed_link"]
    assert fixed.loc[("logF_sigmoid", "a n1"), "value_pp"] == pytest.approx(0.4)
    assert fixed.loc[("logF_sigmoid", "a n1"), "passed"]
    assert fixed.loc[("logF_sigmoid", "b n2"), "value_pp"] == pytest.approx(0.6)
    assert not fixed.loc[("logF_sigmoid", "b n2"), "passed"]
    assert fixed.loc[("pca_d=1", "a n1"), "passed"] and not fixed.loc[("pca_d=1", "b n2"), "passed"]
    # trainable-link methods are not held to the per-setting tolerance but to their mean delta
    assert "logSlogT_trainlink_faminter" not in fixed.index.get_level_values(0)
    mean = checks.loc["trainable_link_mean"]
    assert mean.loc[("logSlogT_trainlink_faminter", "all"), "value_pp"] == pytest.approx(0.4)
    assert mean.loc[("logSlogT_trainlink_faminter", "all"), "passed"]
    assert mean.loc[("factor_trainlink_faminter_d=2", "all"), "value_pp"] == pytest.approx(0.4)
    # Sloth d=1: (0.2 - 1.0) / 2 = -0.4 -> pass
    assert mean.loc[("factor_trainlink_faminter_d=1", "all"), "value_pp"] == pytest.approx(-0.4)
    best = checks.loc["sloth_best_d"]
    # setting a: ours best 2.7 (d=2) - paper best 2.0 (d=2) = +0.7 -> miss
    assert best.loc[("factor_trainlink_faminter_d=best", "a n1"), "value_pp"] == pytest.approx(0.7)
    assert not best.loc[("factor_trainlink_faminter_d=best", "a n1"), "passed"]
    # setting b: the best d may differ: ours 2.0 (d=1) vs paper 2.5 (d=2) = -0.5 -> pass
    row = best.loc[("factor_trainlink_faminter_d=best", "b n2")]
    assert row["value_pp"] == pytest.approx(-0.5) and row["passed"]
    assert row["detail"] == "ours 2.00 (d=1) vs paper 2.50 (d=2)"
    assert len(checks) == 4 + 3 + 2


def test_target_markdown_lists_the_misses_and_report_appends_the_notes(table):
    labels = {"logF_sigmoid": "FLOPs (shared intercept)", "pca_d=1": "PCA + FLOPs (d=1)"}
    md = target_markdown(target_check(table), labels)
    assert "2 of 4 checks pass, 2 miss" in md
    assert "| fixed_link | logF_sigmoid | FLOPs (shared intercept) | b n2 | 0.60 | 0.50 | MISS |" in md
    report = comparison_report(table, labels, "## Notes\n\nWhy.\n")
    assert report.index("| suite |") < report.index("## Fidelity targets") < report.index("## Notes")
    assert report.endswith("Why.\n")
    assert comparison_report(table, labels) == comparison_report(table, labels)
