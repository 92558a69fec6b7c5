"""The model registry: loading, the paper/corrected choice, and every validation error."""

from __future__ import annotations

import math
import re
from pathlib import Path

from slothpipe.data import load_registry, read_downstream_scores
from slothpipe.data.registry import REGISTRY_COLUMNS
from slothpipe.errors import ConfigError, DataError

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def three_rows(synth) -> list[dict]:
    """Lines 2-4 of a valid registry: two base models and one instruct model of family ``fam``."""
    return [
        synth.registry_row("a-1b", params_b_paper="1", tokens_t_paper="2"),
        synth.registry_row(
            "a-7b",
            params_b_paper="7",
            tokens_t_paper="2",
            params_b_corrected="7.5",
            correction="nominal size",
        ),
        synth.registry_row(
            "a-7b-chat", variant_family="fam-chat", instruct="true", base_model="a-7b", tokens_t_paper=""
        ),
    ]


def test_load_valid_registry_paper_and_corrected(tmp_path, synth):
    path = synth.write_registry(tmp_path / "models.csv", three_rows(synth))
    paper = load_registry(path, "paper")
    assert list(paper["model"]) == ["a-1b", "a-7b", "a-7b-chat"]
    assert list(paper["line"]) == [2, 3, 4]
    assert set(REGISTRY_COLUMNS) <= set(paper.columns)
    assert list(paper["params_b"]) == [1.0, 7.0, 7.0]
    assert list(paper["instruct"]) == [False, False, True]
    assert math.isnan(paper.loc[2, "tokens_t"])
    assert paper.attrs == {"path": str(path), "metadata": "paper"}
    corrected = load_registry(path, "corrected")
    assert list(corrected["params_b"]) == [1.0, 7.5, 7.0]
    assert corrected["tokens_t"].equals(paper["tokens_t"])


def test_blank_lines_and_spaces_are_tolerated(tmp_path, synth):
    path = synth.write_registry(tmp_path / "models.csv", three_rows(synth))
    text = path.read_text().replace("a-1b,org/a-1b", " a-1b , org/a-1b ")
    path.write_text(text + "\n\n")
    reg = load_registry(path)
    assert reg.loc[0, "model"] == "a-1b" and reg.loc[0, "hf_id"] == "org/a-1b"


def test_a_registry_without_optional_columns_loads(tmp_path, synth):
    columns = ("model", "hf_id", "family", "variant_family", "instruct", "params_b_paper")
    path = synth.write_registry(tmp_path / "models.csv", three_rows(synth)[:2], columns=columns)
    reg = load_registry(path, "corrected")
    assert list(reg["params_b"]) == [1.0, 7.0]
    assert reg["tokens_t"].isna().all()


def test_bad_metadata_is_a_config_error(tmp_path, synth):
    path = synth.write_registry(tmp_path / "models.csv", three_rows(synth))
    with pytest.raises(ConfigError, match="metadata must be one of paper, corrected"):
        load_registry(path, "fixed")


def _edit(rows, index, **values):
    rows = [dict(r) for r in rows]
    rows[index].update(values)
    return rows


# (id, edit(rows) -> rows, line, column, phrase)
ROW_ERRORS = [
    (
        "duplicate-id",
        lambda r: _edit(r, 1, model="a-1b"),
        3,
        "model",
        "duplicate value 'a-1b' (first on line 2)",
    ),
    ("duplicate-hf-id", lambda r: _edit(r, 2, hf_id="org/a-1b"), 4, "hf_id", "duplicate value 'org/a-1b'"),
    (
        "duplicate-v1-link",
        lambda r: _edit(_edit(r, 0, v1_fullname="org/x"), 1, v1_fullname="org/x"),
        3,
        "v1_fullname",
        "duplicate value 'org/x'",
    ),
    (
        "duplicate-ruan-link",
        lambda r: [
            {**row, "ruan_source": "obsscaling_base", "ruan_model": "org/x", "ruan_role": "primary"}
            for row in r
        ],
        3,
        "ruan_model",
        "duplicate value 'org/x' in obsscaling_base",
    ),
    ("missing-size", lambda r: _edit(r, 1, params_b_paper=""), 3, "params_b_paper", "missing value"),
    ("zero-size", lambda r: _edit(r, 1, params_b_paper="0"), 3, "params_b_paper", "must be positive"),
    ("negative-tokens", lambda r: _edit(r, 0, tokens_t_paper="-2"), 2, "tokens_t_paper", "must be positive"),
    (
        "zero-corrected-tokens",
        lambda r: _edit(r, 0, tokens_t_corrected="0", correction="x"),
        2,
        "tokens_t_corrected",
        "must be positive",
    ),
    (
        "malformed-number",
        lambda r: _edit(r, 1, params_b_paper="7B"),
        3,
        "params_b_paper",
        "malformed number '7B'",
    ),
    ("nan-number", lambda r: _edit(r, 0, tokens_t_paper="nan"), 2, "tokens_t_paper", "must be finite"),
    ("malformed-bool", lambda r: _edit(r, 2, instruct="maybe"), 4, "instruct", "malformed boolean 'maybe'"),
    ("missing-family", lambda r: _edit(r, 0, family=""), 2, "family", "missing value"),
    ("malformed-id", lambda r: _edit(r, 0, model="A 1B"), 2, "model", "malformed model id"),
    ("malformed-hf-id", lambda r: _edit(r, 0, hf_id="a-1b"), 2, "hf_id", "malformed Hugging Face name"),
    (
        "unknown-family",
        lambda r: _edit(r, 2, family="ghost"),
        4,
        "family",
        "unknown original family 'ghost': no base model (instruct = false) declares it",
    ),
    (
        "variant-in-two-families",
        lambda r: _edit(r, 1, family="other"),
        3,
        "family",
        "variant family 'fam' belongs to original family 'fam' (line 2), not 'other'",
    ),
    (
        "variant-instruct-mix",
        lambda r: _edit(r, 2, variant_family="fam", base_model=""),
        4,
        "instruct",
        "variant family 'fam' has instruct = false on line 2",
    ),
    ("unknown-base", lambda r: _edit(r, 2, base_model="a-70b"), 4, "base_model", "unknown model 'a-70b'"),
    ("self-base", lambda r: _edit(r, 1, base_model="a-7b"), 3, "base_model", "cannot be its own base model"),
    (
        "instruct-base",
        lambda r: [*r, {**r[2], "model": "a-7b-dpo", "hf_id": "org/a-7b-dpo", "base_model": "a-7b-chat"}],
        5,
        "base_model",
        "base model 'a-7b-chat' (line 4) is an instruct model",
    ),
    (
        "base-in-other-family",
        lambda r: [
            *r,
            {
                **r[0],
                "model": "b-1b",
                "hf_id": "org/b-1b",
                "family": "b",
                "variant_family": "b",
                "base_model": "a-1b",
            },
        ],
        5,
        "base_model",
        "base model 'a-1b' (line 2) belongs to family 'fam', not 'b'",
    ),
    (
        "corrected-equals-paper",
        lambda r: _edit(r, 1, params_b_corrected="7"),
        3,
        "params_b_corrected",
        "equals params_b_paper (7)",
    ),
    ("correction-without-reason", lambda r: _edit(r, 1, correction=""), 3, "correction", "needs its source"),
    (
        "reason-without-correction",
        lambda r: _edit(r, 0, correction="because"),
        2,
        "correction",
        "neither params_b_corrected nor tokens_t_corrected",
    ),
    (
        "ruan-source-alone",
        lambda r: _edit(r, 0, ruan_source="obsscaling_base"),
        2,
        "ruan_model",
        "given together",
    ),
    (
        "unknown-ruan-source",
        lambda r: _edit(r, 0, ruan_source="ruan", ruan_model="x", ruan_role="primary"),
        2,
        "ruan_source",
        "unknown source 'ruan'",
    ),
    (
        "unknown-ruan-role",
        lambda r: _edit(r, 0, ruan_source="obsscaling_base", ruan_model="x", ruan_role="main"),
        2,
        "ruan_role",
        "unknown role 'main'",
    ),
]


@pytest.mark.parametrize(
    ("edit", "line", "column", "phrase"), [e[1:] for e in ROW_ERRORS], ids=[e[0] for e in ROW_ERRORS]
)
def test_row_errors_name_file_line_and_column(tmp_path, synth, edit, line, column, phrase):
    path = synth.write_registry(tmp_path / "models.csv", edit(three_rows(synth)))
    with pytest.raises(DataError) as info:
        load_registry(path, "paper")
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}, column '{column}': "), message
    assert phrase in message


@pytest.mark.parametrize(
    ("columns", "column", "phrase"),
    [
        (
            tuple(c for c in REGISTRY_COLUMNS if c != "params_b_paper"),
            "params_b_paper",
            "missing required column",
        ),
        (
            tuple(c for c in REGISTRY_COLUMNS if c != "variant_family"),
            "variant_family",
            "missing required column",
        ),
        ((*REGISTRY_COLUMNS, "tokens_t_corected"), "tokens_t_corected", "unknown column"),
    ],
    ids=["no-size-column", "no-variant-column", "typo-column"],
)
def test_header_errors(tmp_path, synth, columns, column, phrase):
    rows = [{**r, "tokens_t_corected": ""} for r in three_rows(synth)]
    path = synth.write_registry(tmp_path / "models.csv", rows, columns=columns)
    with pytest.raises(DataError) as info:
        load_registry(path)
    assert str(info.value).startswith(f"{path}, line 1, column '{column}': {phrase}")


def test_duplicate_header_column(tmp_path):
    path = tmp_path / "models.csv"
    path.write_text("model,hf_id,model\n")
    with pytest.raises(DataError, match=re.escape(f"{path}, line 1, column 'model': duplicate column")):
        load_registry(path)


def test_wrong_number_of_fields(tmp_path, synth):
    path = synth.write_registry(tmp_path / "models.csv", three_rows(synth))
    lines = path.read_text().splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=re.escape(f"{path}, line 3: expected 17 fields as in the header, found 18")
    ):
        load_registry(path)


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match=re.escape(f"{empty}, line 1: the model registry is empty")):
        load_registry(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(REGISTRY_COLUMNS) + "\n")
    with pytest.raises(DataError, match="no model rows"):
        load_registry(header_only)
    with pytest.raises(DataError, match=re.escape(str(tmp_path / "absent.csv"))):
        load_registry(tmp_path / "absent.csv")


# ---- the real registry in config/ (tracked in the repository, no ../shared needed)

REAL = REPO_ROOT / "config" / "models.csv"


@pytest.fixture(scope="module")
def real_registry():
    return {m: load_registry(REAL, m) for m in ("paper", "corrected")}


def test_real_registry_loads_in_both_modes(real_registry):
    paper, corrected = real_registry["paper"], real_registry["corrected"]
    assert len(paper) == 188
    assert list(paper["model"]) == sorted(paper["model"]), "keep config/models.csv sorted by model"
    # The paper's experiment pool (Sloth code prep_data): rows with tokens, variant families of >= 2 such rows
    usable = paper[paper["tokens_t"].notna()]
    usable = usable[usable.groupby("variant_family")["model"].transform("size") >= 2]
    assert (len(usable), usable["variant_family"].nunique(), usable["family"].nunique()) == (164, 53, 30)
    changed = (paper["params_b"] != corrected["params_b"]) | (
        paper["tokens_t"].fillna(-1) != corrected["tokens_t"].fillna(-1)
    )
    assert (changed == (paper["correction"] != "")).all()


def test_real_registry_fine_tunes_inherit_their_base_in_corrected_mode(real_registry):
    reg = real_registry["corrected"].set_index("model")
    with_base = reg[reg["base_model"] != ""]
    assert len(with_base) > 40
    for model, row in with_base.iterrows():
        base = reg.loc[row["base_model"]]
        assert row["params_b"] == base["params_b"], model
        assert row["tokens_t"] == base["tokens_t"] or (
            math.isnan(row["tokens_t"]) and math.isnan(base["tokens_t"])
        ), model


@pytest.mark.parametrize("name", ["humaneval_evalplus.csv", "eq_bench.csv"])
def test_downstream_files_name_registry_models(real_registry, name):
    scores = read_downstream_scores(
        REPO_ROOT / "config" / "downstream" / name, set(real_registry["paper"]["model"])
    )
    assert len(scores) >= 15
    assert scores["score"].between(0, 1).all()
    assert (scores["source"] != "").all()
