"""The README's headline table, built from a hand-made comparison."""

from slothpipe.errors import DataError
from slothpipe.evaluation.headline import headline_markdown, headline_table
from slothpipe.models.methods import METHODS

import pandas as pd
import pytest


def comparison():
    rows = [
        ("v1", 1, "logF_sigmoid", 7.808, 7.8249),
        ("v1", 1, "factor_trainlink_faminter_d=3", 4.25, 4.0149),
        ("v2", 2, "factor_trainlink_faminter_d=3", 3.6, 2.96),
    ]
    frame = pd.DataFrame(rows, columns=["suite", "n_train_models", "paper_method", "paper_mae_pp", "mae_pp"])
    return frame.assign(delta_pp=frame["mae_pp"] - frame["paper_mae_pp"])


def test_rows_follow_the_given_methods_and_cells_read_ours_then_paper():
    methods = [METHODS["flops_shared"], METHODS["pca_flops_d1"], METHODS["sloth_d3"]]
    table = headline_table(comparison(), methods)
    # pca_flops_d1 is not in the comparison: left out; settings in order of first appearance
    assert table.columns.tolist() == ["method", "LB v1, 1 model", "LB v2, 2 models"]
    assert table["method"].tolist() == ["FLOPs (shared intercept)", "Sloth (d=3)"]
    assert table.iloc[0].tolist() == ["FLOPs (shared intercept)", "7.8 (7.8)", ""]
    assert table.iloc[1].tolist() == ["Sloth (d=3)", "4.0 (4.2)", "3.0 (3.6)"]


def test_markdown_has_legend_and_one_line_per_method():
    text = headline_markdown(comparison(), [METHODS["sloth_d3"]])
    lines = text.splitlines()
    assert lines[0].startswith("Average MAE")
    assert lines[2] == "| method | LB v1, 1 model | LB v2, 2 models |"
    assert lines[4] == "| Sloth (d=3) | 4.0 (4.2) | 3.0 (3.6) |"


def test_missing_column_is_named():
    with pytest.raises(DataError, match=r"paper_mae_pp"):
        headline_table(comparison().drop(columns="paper_mae_pp"), [METHODS["sloth_d3"]])
