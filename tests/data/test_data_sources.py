"""Readers of the raw sources: names, scales, schema checks and the duplicate rules."""

from __future__ import annotations

import re

from slothpipe.data import (
    read_leaderboard_v1,
    read_leaderboard_v2,
    read_obsscaling,
    resolve_v1,
    resolve_v2,
)
from slothpipe.data.sources import parse_model_html
from slothpipe.errors import DataError

import pandas as pd
import pytest


def test_parse_model_html(synth):
    assert parse_model_html(synth.model_html("EleutherAI/gpt-neo-1.3B")) == "EleutherAI/gpt-neo-1.3B"
    assert parse_model_html('<a href="x">org/name</a>') == "org/name"
    assert parse_model_html("no link") is None
    assert parse_model_html(None) is None


def test_v1_reader_scales_percent_and_keeps_file_order(tmp_path, synth):
    path = synth.write_leaderboard(
        tmp_path / "v1.parquet",
        synth.V1_SCHEMA,
        [synth.v1_entry("org/b", 50.0), synth.v1_entry("org/a", {"MMLU": 25.5, "ARC": None}, date=None)],
    )
    frame = read_leaderboard_v1(path)
    assert list(frame["name"]) == ["org/b", "org/a"]
    assert list(frame["row"]) == [0, 1]
    assert frame.loc[0, "GSM8K"] == pytest.approx(0.5)
    assert frame.loc[1, "MMLU"] == pytest.approx(0.255)
    assert pd.isna(frame.loc[1, "ARC"]) and pd.isna(frame.loc[1, "date"])
    assert str(frame["date"].dt.tz) == "UTC"


def test_names_fall_back_to_the_html_model_column(tmp_path, synth):
    entries = [synth.v2_entry("org/a", 0.4), synth.v2_entry("org/b", 0.5)]
    entries[1]["fullname"] = "org/b"
    path = synth.write_leaderboard(tmp_path / "v2.parquet", synth.V2_SCHEMA, entries, drop=("fullname",))
    assert list(read_leaderboard_v2(path)["name"]) == ["org/a", "org/b"]
    # an empty fullname on one row is parsed from that row's HTML
    path = synth.write_leaderboard(tmp_path / "v2b.parquet", synth.V2_SCHEMA, entries)
    table = pd.read_parquet(path)
    table.loc[1, "fullname"] = None
    table.to_parquet(path, index=False)
    assert list(read_leaderboard_v2(path)["name"]) == ["org/a", "org/b"]


def test_unparsable_name_names_the_row(tmp_path, synth):
    path = synth.write_leaderboard(
        tmp_path / "v2.parquet", synth.V2_SCHEMA, [synth.v2_entry("org/a"), synth.v2_entry("org/b")]
    )
    table = pd.read_parquet(path)
    table.loc[1, ["fullname", "Model"]] = [None, "broken"]
    table.to_parquet(path, index=False)
    with pytest.raises(
        DataError, match=re.escape(f"{path}, row 1 (0-based), column 'Model': cannot determine")
    ):
        read_leaderboard_v2(path)


def test_v2_reader_uses_raw_columns(tmp_path, synth):
    raw = {"IFEval": 0.31, "BBH": 0.4, "MATH Lvl 5": 0.0, "GPQA": 0.25, "MUSR": 0.35, "MMLU-PRO": 0.12}
    entry = synth.v2_entry("org/a", raw)
    path = synth.write_leaderboard(tmp_path / "v2.parquet", synth.V2_SCHEMA, [entry])
    frame = read_leaderboard_v2(path)
    assert frame.loc[0, "IFEval"] == 0.31 and frame.loc[0, "MMLU-PRO"] == 0.12


def test_obsscaling_readers_rename_columns(tmp_path, synth):
    base = synth.write_ruan(
        tmp_path / "base.csv", synth.RUAN_BASE_HEADER, [{"Model": "org/a", "ARC-C": 0.5, "Winograd": 0.6}]
    )
    frame = read_obsscaling(base, "base")
    assert frame.loc[0, "ARC"] == 0.5 and frame.loc[0, "Winogrande"] == 0.6 and pd.isna(frame.loc[0, "MMLU"])
    inst = synth.write_ruan(
        tmp_path / "inst.csv", synth.RUAN_INSTRUCT_HEADER, [{"Model": "a-chat", "Winogrande": 0.7}]
    )
    assert read_obsscaling(inst, "instruct").loc[0, "Winogrande"] == 0.7
    # the base reader on the instruct table misses Winograd
    with pytest.raises(DataError, match=re.escape(f"{inst}: missing column(s) 'Winograd'")):
        read_obsscaling(inst, "base")


# ---- schema errors: every needed column, for every reader


@pytest.mark.parametrize("column", ["date", "MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"])
def test_v1_missing_column(tmp_path, synth, column):
    path = synth.write_leaderboard(
        tmp_path / "v1.parquet", synth.V1_SCHEMA, [synth.v1_entry("org/a")], drop=(column,)
    )
    with pytest.raises(DataError) as info:
        read_leaderboard_v1(path)
    assert str(info.value) == f"{path}: missing column(s) '{column}'"


@pytest.mark.parametrize(
    "column", ["IFEval Raw", "BBH Raw", "MATH Lvl 5 Raw", "GPQA Raw", "MUSR Raw", "MMLU-PRO Raw"]
)
def test_v2_missing_column(tmp_path, synth, column):
    path = synth.write_leaderboard(
        tmp_path / "v2.parquet", synth.V2_SCHEMA, [synth.v2_entry("org/a")], drop=(column,)
    )
    with pytest.raises(DataError) as info:
        read_leaderboard_v2(path)
    assert str(info.value) == f"{path}: missing column(s) '{column}'"


def test_leaderboard_without_any_name_column(tmp_path, synth):
    path = synth.write_leaderboard(
        tmp_path / "v1.parquet", synth.V1_SCHEMA, [synth.v1_entry("org/a")], drop=("fullname", "Model")
    )
    with pytest.raises(
        DataError, match=re.escape(f"{path}: missing column(s) 'fullname' (and no 'Model' column")
    ):
        read_leaderboard_v1(path)


@pytest.mark.parametrize(
    ("kind", "column"),
    [
        ("base", "Model"),
        ("base", "Winograd"),
        ("base", "HumanEval"),
        ("instruct", "Winogrande"),
        ("instruct", "ARC-C"),
    ],
)
def test_obsscaling_missing_column(tmp_path, synth, kind, column):
    header = synth.RUAN_BASE_HEADER if kind == "base" else synth.RUAN_INSTRUCT_HEADER
    header = tuple(c for c in header if c != column)
    path = synth.write_ruan(tmp_path / "ruan.csv", header, [{"Model": "x"} if column != "Model" else {}])
    with pytest.raises(DataError) as info:
        read_obsscaling(path, kind)
    assert str(info.value) == f"{path}: missing column(s) '{column}'"


def test_score_errors_name_row_and_column(tmp_path, synth):
    v1 = synth.write_leaderboard(
        tmp_path / "v1.parquet", synth.V1_SCHEMA, [synth.v1_entry("org/a"), synth.v1_entry("org/b", 101.0)]
    )
    with pytest.raises(
        DataError, match=re.escape(f"{v1}, row 1 (0-based), column 'MMLU': score 101.0 outside [0, 100]")
    ):
        read_leaderboard_v1(v1)
    ruan = synth.write_ruan(
        tmp_path / "ruan.csv",
        synth.RUAN_BASE_HEADER,
        [{"Model": "a", "MMLU": 0.5}, {"Model": "b", "MMLU": "0.5x"}],
    )
    with pytest.raises(DataError, match=re.escape(f"{ruan}, line 3, column 'MMLU': malformed number '0.5x'")):
        read_obsscaling(ruan, "base")
    ruan2 = synth.write_ruan(tmp_path / "ruan2.csv", synth.RUAN_BASE_HEADER, [{"Model": "a", "GSM8K": 1.5}])
    with pytest.raises(
        DataError, match=re.escape(f"{ruan2}, line 2, column 'GSM8K': score 1.5 outside [0, 1]")
    ):
        read_obsscaling(ruan2, "base")


def test_obsscaling_duplicate_and_empty_names(tmp_path, synth):
    dup = synth.write_ruan(
        tmp_path / "dup.csv", synth.RUAN_BASE_HEADER, [{"Model": "a"}, {"Model": "b"}, {"Model": "a"}]
    )
    with pytest.raises(
        DataError, match=re.escape(f"{dup}, line 4, column 'Model': duplicate model 'a' (first on line 2)")
    ):
        read_obsscaling(dup, "base")
    empty = synth.write_ruan(tmp_path / "empty.csv", synth.RUAN_BASE_HEADER, [{"Model": "a"}, {"MMLU": 0.1}])
    with pytest.raises(DataError, match=re.escape(f"{empty}, line 3, column 'Model': empty model name")):
        read_obsscaling(empty, "base")


def test_unreadable_files(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(DataError, match=re.escape(f"{bad}: cannot read as a parquet file")):
        read_leaderboard_v1(bad)
    with pytest.raises(DataError, match=re.escape(f"{tmp_path / 'absent.csv'}: cannot read as a CSV file")):
        read_obsscaling(tmp_path / "absent.csv", "base")


# ---- duplicate rules


def test_v1_duplicates_latest_date_wins(tmp_path, synth):
    entries = [
        synth.v1_entry("org/a", 10.0, date="2024-01-01T00:00:00Z"),  # row 0
        synth.v1_entry("org/b", 20.0, date=None),  # row 1: no date counts as oldest
        synth.v1_entry("org/a", 11.0, date="2024-05-28T10:45:04Z"),  # row 2: latest of org/a
        synth.v1_entry("org/b", 21.0, date="2023-09-15T11:25:37.918274"),  # row 3: naive timestamp = UTC
        synth.v1_entry("org/c", 30.0, date="2024-04-08T10:38:12Z"),  # row 4: tie ...
        synth.v1_entry("org/c", 31.0, date="2024-04-08T10:38:12Z"),  # row 5: ... the first row wins
        synth.v1_entry("org/a", 12.0, date="not a date"),  # row 6: unparsable counts as oldest
    ]
    path = synth.write_leaderboard(tmp_path / "v1.parquet", synth.V1_SCHEMA, entries)
    chosen = resolve_v1(read_leaderboard_v1(path))
    assert list(chosen["name"]) == ["org/a", "org/b", "org/c"]
    assert list(chosen["row"]) == [2, 3, 4]
    assert list(chosen["MMLU"]) == pytest.approx([0.11, 0.21, 0.30])


def test_v2_duplicates_first_row_wins(tmp_path, synth):
    entries = [synth.v2_entry("org/a", 0.6), synth.v2_entry("org/b", 0.3), synth.v2_entry("org/a", 0.5)]
    path = synth.write_leaderboard(tmp_path / "v2.parquet", synth.V2_SCHEMA, entries)
    chosen = resolve_v2(read_leaderboard_v2(path))
    assert list(chosen["name"]) == ["org/a", "org/b"]
    assert list(chosen["row"]) == [0, 1]
    assert chosen.loc[0, "BBH"] == 0.6
