"""Reading and validating the ObsScaling tables: clean output and clear errors naming file, line, column."""

from __future__ import annotations

from slothpipe.errors import DataError
from slothpipe.obsscaling.readers import clean_tables

import pytest
from obsscaling_world import synthetic_world, write_world


@pytest.fixture
def world():
    return synthetic_world()


def test_clean_tables_have_identifiers_and_source_columns(world, tmp_path):
    tables = clean_tables(write_world(world, tmp_path))
    base = tables["base"]
    assert list(base.columns[:6]) == ["model", "family", "params_b", "tokens_t", "flops_1e21", "evaluated"]
    assert base["model"].tolist() == world["base"]["Model"].tolist()  # file order kept
    assert base["evaluated"].all()  # Llama-2, Pythia, OPT, Qwen are evaluated families
    assert "word_unscrambling_2_exact_match" in tables["emergent"].columns
    assert tables["instruct"]["params_b"].isna().sum() == 2  # API models keep NaN size


@pytest.mark.parametrize(
    ("table", "edit", "message"),
    [
        ("base", lambda f: f.drop(columns="HumanEval"), r"missing column\(s\) 'HumanEval'"),
        ("base", lambda f: f.assign(MMLU=f["MMLU"].astype(object).where(f.index != 2, "n/a")),
         r"line 4, column 'MMLU'.*malformed number 'n/a'"),
        ("base", lambda f: f.assign(GSM8K=f["GSM8K"].where(f.index != 0, 1.5)),
         r"line 2, column 'GSM8K'.*outside"),
        ("instruct", lambda f: f.assign(Model=f["Model"].where(f.index != 5, "chat-0")),
         r"line 7, column 'Model'.*duplicate model 'chat-0'"),
        ("agent", lambda f: f.assign(**{"ABench-OA": f["ABench-OA"].where(f.index != 1, 11.0)}),
         r"line 3, column 'ABench-OA'.*outside"),
        ("emergent", lambda f: f.assign(Model=f["Model"].where(f.index != 4, "org/unknown")),
         r"line 6, column 'Model'.*'org/unknown' is not in the base table"),
    ],
)  # fmt: skip
def test_bad_input_names_file_line_and_column(world, tmp_path, table, edit, message):
    world[table] = edit(world[table])
    paths = write_world(world, tmp_path)
    with pytest.raises(DataError, match=message) as err:
        clean_tables(paths)
    assert paths[table].name in str(err.value)
