"""One fold job per setting (issue 26): every held-out group of a suite and setting fitted in one process.

The setting's table is the groups' own fold tables one after another in the order given, to the bit.  Real
fits on the tracked dataset and plan (four LB v1 groups, two cheap methods)."""

from __future__ import annotations

from pathlib import Path

from slothpipe.evaluation.folds import FOLD_COLUMNS, evaluate_fold, evaluate_setting
from slothpipe.evaluation.groups import find_group
from slothpipe.evaluation.slices import read_setting, read_slice, write_slices
from slothpipe.io import read_json

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAN = read_json(ROOT / "results" / "evaluation" / "plan.json")
V1 = next(s["benchmarks"] for s in PLAN["settings"] if s["suite"] == "v1")
GROUPS = ["bloom", "codegen-nl", "pythia", "codellama"]  # not the plan's order: the table keeps this one
SETTINGS = dict(suite="v1", benchmarks=V1, n_train_models=1, methods=["flops_shared", "pca_flops_d2"])


@pytest.fixture(scope="module")
def dataset() -> pd.DataFrame:
    return pd.read_parquet(ROOT / "results" / "data" / "dataset.parquet")


@pytest.fixture(scope="module")
def alone(dataset) -> list[pd.DataFrame]:
    return [evaluate_fold(dataset, group=find_group(PLAN, "v1", 1, g), **SETTINGS) for g in GROUPS]


def test_a_setting_is_its_groups_folds_one_after_another(dataset, alone):
    groups = [find_group(PLAN, "v1", 1, g) for g in GROUPS]
    table = evaluate_setting(dataset, groups=groups, **SETTINGS)
    assert table["group"].unique().tolist() == GROUPS
    pd.testing.assert_frame_equal(table, pd.concat(alone, ignore_index=True), check_exact=True)


def test_a_setting_without_groups_gives_the_empty_table(dataset):
    table = evaluate_setting(dataset, groups=[], **SETTINGS)
    assert list(table.columns) == FOLD_COLUMNS and table.empty


def test_the_slice_of_a_setting_reads_back_every_group_in_the_plan_order(dataset, tmp_path):
    index = write_slices(dataset, PLAN, tmp_path)
    paths = index["v1"]["1"]
    data, groups = read_setting(paths["data"], paths["groups"])
    setting = next(s for s in PLAN["settings"] if s["suite"] == "v1" and s["n_train_models"] == 1)
    assert [g.id for g in groups] == [g["id"] for g in setting["groups"]]
    one, group = read_slice(paths["data"], paths["groups"], "pythia")
    assert group == find_group(PLAN, "v1", 1, "pythia") and one.equals(data)
