"""Held-out groups: suite filtering, the leave-one-group-out split, paper and automatic groups, the plan."""

from __future__ import annotations

from slothpipe.errors import ConfigError, DataError
from slothpipe.evaluation.groups import (
    Group,
    auto_groups,
    find_group,
    group_id,
    paper_groups,
    plan,
    split_group,
    suite_frame,
)

import numpy as np
import pandas as pd
import pytest

BENCH = ["A", "B"]


def dataset(rows: list[tuple[str, str, str, float, float | None, float | None]]) -> pd.DataFrame:
    """rows: (model, family, variant_family, params_b, tokens_t, score A); score B = A / 2."""
    df = pd.DataFrame(rows, columns=["model", "family", "variant_family", "params_b", "tokens_t", "A"])
    df["B"] = df["A"] / 2
    df["instruct"] = df["variant_family"].str.endswith("-chat")
    df["log_params"] = np.log(df["params_b"])
    df["log_tokens"] = np.log(df["tokens_t"])
    return df


@pytest.fixture
def data() -> pd.DataFrame:
    return dataset(
        [
            ("a-7b", "a", "a", 7.0, 1.0, 0.5),
            ("a-1b", "a", "a", 1.0, 1.0, 0.3),
            ("a-3b", "a", "a", 3.0, 1.0, 0.4),
            ("a-1b-chat", "a", "a-chat", 1.0, 1.0, 0.35),
            ("a-7b-chat", "a", "a-chat", 7.0, 1.0, 0.55),
            ("b-2b", "b", "b", 2.0, 2.0, 0.3),
            ("b-9b", "b", "b", 9.0, 2.0, 0.6),
            ("b-20b", "b", "b", 20.0, None, 0.7),  # no tokens: unusable
            ("c-1b", "c", "c", 1.0, 1.0, 0.2),  # a lone model: its family is dropped
            ("d-1b", "d", "d", 1.0, 1.0, None),  # missing score: dropped
            ("d-2b", "d", "d", 2.0, 1.0, 0.3),
        ]
    )


def test_suite_frame_filters_and_sorts(data):
    frame = suite_frame(data, BENCH, n_train_models=1)
    assert frame["model"].tolist() == ["a-1b", "a-3b", "a-7b", "a-1b-chat", "a-7b-chat", "b-2b", "b-9b"]
    frame2 = suite_frame(data, BENCH, n_train_models=2)
    assert frame2["model"].tolist() == ["a-1b", "a-3b", "a-7b"]


def test_suite_frame_names_missing_columns(data):
    with pytest.raises(DataError, match=r"missing column\(s\) \['C'\]"):
        suite_frame(data, ["A", "C"], 1)


def test_split_keeps_the_smallest_models_of_each_group_family(data):
    frame = suite_frame(data, BENCH, 1)
    split = split_group(frame, Group("a", ("a", "a-chat", "zzz")), 1)
    assert frame["model"].iloc[split.test].tolist() == ["a-3b", "a-7b", "a-7b-chat"]
    assert frame["model"].iloc[split.train].tolist() == ["a-1b", "a-1b-chat", "b-2b", "b-9b"]
    assert split.absent_families == ("zzz",)
    split2 = split_group(frame, Group("a", ("a",)), 2)
    assert frame["model"].iloc[split2.test].tolist() == ["a-7b"]


def test_split_of_a_group_absent_from_the_suite(data):
    frame = suite_frame(data, BENCH, 1)
    with pytest.raises(DataError, match="none of its families is in the data"):
        split_group(frame, Group("c", ("c",)), 1)


def test_paper_groups_and_their_errors():
    spec = {"v1": {1: [{"families": ["pythia", "dolly-v2"], "n_test_models": 8}, {"families": ["opt"]}]}}
    groups = paper_groups(spec, "v1", 1)
    assert groups == [Group("pythia", ("pythia", "dolly-v2"), 8), Group("opt", ("opt",), None)]
    assert groups[0].label == "pythia+dolly-v2"
    with pytest.raises(ConfigError, match="no groups for suite 'v2'"):
        paper_groups(spec, "v2", 1)
    with pytest.raises(ConfigError, match="not unique"):
        paper_groups({"v1": {1: [{"families": ["opt"]}, {"families": ["opt", "x"]}]}}, "v1", 1)


def test_group_id_is_file_safe():
    assert group_id("open_llama_") == "open_llama_"
    assert group_id("yi-1.5") == "yi-1.5"
    assert group_id("a/b c") == "a-b-c"


def test_auto_groups_gather_variant_families_of_an_original_family(data):
    frame = suite_frame(data, BENCH, 1)
    assert auto_groups(frame, 1) == [Group("a", ("a", "a-chat")), Group("b", ("b",))]
    # With 2 training models per family only family a keeps a test model.
    assert auto_groups(suite_frame(data, BENCH, 2), 2) == [Group("a", ("a",))]


def test_plan_in_both_modes(data):
    spec = {"s": {1: [{"families": ["b"], "n_test_models": 1}, {"families": ["c"]}, {"families": ["a"]}]}}
    paper = plan(data, suites={"s": BENCH}, n_train_models=[1], mode="paper", paper_spec=spec)
    (setting,) = paper["settings"]
    assert setting["n_models"] == 7 and setting["n_families"] == 3
    # group c has no usable family: dropped, the others keep the paper's order
    assert [g["id"] for g in setting["groups"]] == ["b", "a"]
    assert (
        setting["groups"][0]["test_models"] == ["b-9b"] and setting["groups"][0]["paper_n_test_models"] == 1
    )
    assert setting["groups"][1]["test_models"] == ["a-3b", "a-7b"]
    auto = plan(data, suites={"s": BENCH}, n_train_models=[1, 2], mode="auto")
    assert [(s["n_train_models"], [g["id"] for g in s["groups"]]) for s in auto["settings"]] == [
        (1, ["a", "b"]),
        (2, ["a"]),
    ]
    assert find_group(auto, "s", 1, "a") == Group("a", ("a", "a-chat"))
    with pytest.raises(ConfigError, match="no group 'zz'"):
        find_group(auto, "s", 1, "zz")
    with pytest.raises(ConfigError, match="'paper' or 'auto'"):
        plan(data, suites={"s": BENCH}, n_train_models=[1], mode="random")
