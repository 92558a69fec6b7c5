"""The curated model registry ``config/models.csv``: reading, validation and the choice of metadata.

One row per model.  Columns are documented in ``config/README.md``; in short:

- identity: ``model`` (canonical id), ``hf_id``, ``family`` (original family), ``variant_family`` (the paper's
  Family2), ``instruct``, ``base_model``;
- where the scores come from: ``v1_fullname``, ``v2_fullname`` (exact leaderboard ``fullname``),
  ``ruan_source`` + ``ruan_model`` (a row of Ruan et al.'s tables) and ``ruan_role`` (``primary``: that row
  gives the v1 benchmarks and HumanEval, the leaderboard fills its gaps; ``fill``: the leaderboard row comes
  first and the Ruan row fills its gaps);
- scale: ``params_b_paper``, ``tokens_t_paper`` (the paper's values, errors included) and
  ``params_b_corrected``, ``tokens_t_corrected`` (set only where they differ), the reason in ``correction``;
- ``notes``: free text.

Validation stops at the first problem with a :class:`~slothpipe.errors.DataError` naming the file, the line
(1-based, the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from slothpipe.data.schema import METADATA_CHOICES, RUAN_SOURCES, data_error
from slothpipe.errors import ConfigError
from slothpipe.leaderboards import LEADERBOARDS

import pandas as pd

__all__ = ["REGISTRY_COLUMNS", "REQUIRED_COLUMNS", "RUAN_ROLES", "load_registry"]

REGISTRY_COLUMNS: tuple[str, ...] = (
    "model",
    "hf_id",
    "family",
    "variant_family",
    "instruct",
    "base_model",
    *(source.link for source in LEADERBOARDS),  # v1_fullname, v2_fullname
    "ruan_source",
    "ruan_model",
    "ruan_role",
    "params_b_paper",
    "tokens_t_paper",
    "params_b_corrected",
    "tokens_t_corrected",
    "correction",
    "notes",
)
# Columns that must be present in the header *and* non-empty on every row.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "model",
    "hf_id",
    "family",
    "variant_family",
    "instruct",
    "params_b_paper",
)
NUMBER_COLUMNS: tuple[str, ...] = (
    "params_b_paper",
    "tokens_t_paper",
    "params_b_corrected",
    "tokens_t_corrected",
)
# Link columns whose non-empty values must be unique across rows (a source row feeds one model only).
LINK_COLUMNS: tuple[str, ...] = tuple(source.link for source in LEADERBOARDS)
UNIQUE_COLUMNS: tuple[str, ...] = ("model", "hf_id", *LINK_COLUMNS)

RUAN_ROLES: tuple[str, ...] = ("primary", "fill")

_MODEL_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def load_registry(path: str | os.PathLike[str], metadata: str = "paper") -> pd.DataFrame:
    """Read and validate the registry; return one row per model in file order.

    The frame has every registry column (text columns as strings, empty text as ``""``; ``instruct`` as
    bool; the four number columns as float with NaN for empty cells) plus:

    - ``params_b`` and ``tokens_t``: the values the run uses.  ``metadata="paper"`` gives the paper's values;
      ``"corrected"`` gives the corrected value where the registry has one and the paper's value otherwise.
      ``tokens_t`` is NaN where unknown (such models are kept but excluded from experiments, as in the paper).
    - ``line``: the row's 1-based line number in the file, for later error messages.

    ``frame.attrs["path"]`` and ``frame.attrs["metadata"]`` record the inputs.
    """
    if metadata not in METADATA_CHOICES:
        raise ConfigError(f"metadata must be one of {', '.join(METADATA_CHOICES)}; got {metadata!r}")
    path = Path(path)
    rows = _read_rows(path)
    parsed = [_parse_row(path, row) for row in rows]
    _check_unique(path, rows)
    _check_families(path, parsed)

    frame = pd.DataFrame(parsed, columns=[*REGISTRY_COLUMNS, "line"])
    for col in REGISTRY_COLUMNS:
        if col in NUMBER_COLUMNS:
            frame[col] = frame[col].astype("float64")
        elif col == "instruct":
            frame[col] = frame[col].astype(bool)
        else:
            frame[col] = frame[col].astype(str)
    frame["line"] = frame["line"].astype("int64")
    if metadata == "paper":
        frame["params_b"] = frame["params_b_paper"]
        frame["tokens_t"] = frame["tokens_t_paper"]
    else:
        frame["params_b"] = frame["params_b_corrected"].fillna(frame["params_b_paper"])
        frame["tokens_t"] = frame["tokens_t_corrected"].fillna(frame["tokens_t_paper"])
    frame.attrs["path"] = str(path)
    frame.attrs["metadata"] = metadata
    return frame


def _read_rows(path: Path) -> list[_Row]:
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise data_error(path, f"cannot read the model registry: {exc.strerror or exc}") from exc
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
            if header is None:
                raise data_error(path, "the model registry is empty (expected a header line)", line=1)
            header = [h.strip() for h in header]
            seen: set[str] = set()
            for name in header:
                if name in seen:
                    raise data_error(path, "duplicate column in the header", line=1, column=name)
                seen.add(name)
                if name not in REGISTRY_COLUMNS:
                    raise data_error(
                        path,
                        f"unknown column (expected columns: {', '.join(REGISTRY_COLUMNS)})",
                        line=1,
                        column=name,
                    )
            for name in REQUIRED_COLUMNS:
                if name not in seen:
                    raise data_error(path, "missing required column", line=1, column=name)
            rows: list[_Row] = []
            start = reader.line_num + 1
            for record in reader:
                line = start
                start = reader.line_num + 1
                if not record or all(not field.strip() for field in record):
                    continue  # blank line
                if len(record) != len(header):
                    raise data_error(
                        path,
                        f"expected {len(header)} fields as in the header, found {len(record)}",
                        line=line,
                    )
                values = {name: "" for name in REGISTRY_COLUMNS}
                values.update({name: field.strip() for name, field in zip(header, record, strict=True)})
                rows.append(_Row(line, values))
        except UnicodeDecodeError as exc:
            raise data_error(path, f"not valid UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise data_error(path, f"malformed CSV ({exc})", line=reader.line_num) from exc
    if not rows:
        raise data_error(path, "the model registry has no model rows", line=2)
    return rows


def _parse_row(path: Path, row: _Row) -> dict[str, object]:
    v = row.values
    line = row.line

    def err(column: str, problem: str):
        return data_error(path, problem, line=line, column=column)

    for col in REQUIRED_COLUMNS:
        if not v[col]:
            raise err(col, "missing value (required)")
    if not _MODEL_ID.match(v["model"]):
        raise err("model", f"malformed model id {v['model']!r} (lowercase letters, digits, '.', '_', '-')")
    if v["base_model"] and not _MODEL_ID.match(v["base_model"]):
        raise err("base_model", f"malformed model id {v['base_model']!r}")
    for col in ("hf_id", *LINK_COLUMNS):
        if v[col] and not _HF_ID.match(v[col]):
            raise err(col, f"malformed Hugging Face name {v[col]!r} (expected 'organisation/name')")

    flag = v["instruct"].lower()
    if flag in _TRUE:
        instruct = True
    elif flag in _FALSE:
        instruct = False
    else:
        raise err("instruct", f"malformed boolean {v['instruct']!r} (expected true or false)")

    ruan = [v[c] for c in ("ruan_source", "ruan_model", "ruan_role")]
    if any(ruan) and not all(ruan):
        missing = ("ruan_source", "ruan_model", "ruan_role")[ruan.index("")]
        raise err(
            missing, "missing value: ruan_source, ruan_model and ruan_role are given together or not at all"
        )
    if v["ruan_source"] and v["ruan_source"] not in RUAN_SOURCES:
        raise err(
            "ruan_source", f"unknown source {v['ruan_source']!r} (expected one of {', '.join(RUAN_SOURCES)})"
        )
    if v["ruan_role"] and v["ruan_role"] not in RUAN_ROLES:
        raise err("ruan_role", f"unknown role {v['ruan_role']!r} (expected one of {', '.join(RUAN_ROLES)})")

    numbers: dict[str, float] = {}
    for col in NUMBER_COLUMNS:
        numbers[col] = _parse_number(v[col], err, col)
    for kind in ("params_b", "tokens_t"):
        paper, corrected = numbers[f"{kind}_paper"], numbers[f"{kind}_corrected"]
        if not math.isnan(corrected) and corrected == paper:
            raise err(
                f"{kind}_corrected",
                f"equals {kind}_paper ({paper:g}); leave it empty when there is no correction",
            )
    has_correction = not (
        math.isnan(numbers["params_b_corrected"]) and math.isnan(numbers["tokens_t_corrected"])
    )
    if has_correction and not v["correction"]:
        raise err("correction", "a corrected value needs its source or reason in this column")
    if v["correction"] and not has_correction:
        raise err(
            "correction",
            "a correction is described but neither params_b_corrected nor tokens_t_corrected is set",
        )

    out: dict[str, object] = dict(v)
    out.update(numbers)
    out["instruct"] = instruct
    out["line"] = line
    return out


def _parse_number(text: str, err, column: str) -> float:
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise err(column, f"malformed number {text!r}") from None
    if not math.isfinite(value):
        raise err(column, f"malformed number {text!r} (must be finite)")
    if value <= 0:
        raise err(column, f"must be positive, got {text}")
    return value


def _check_unique(path: Path, rows: list[_Row]) -> None:
    for col in UNIQUE_COLUMNS:
        first: dict[str, int] = {}
        for row in rows:
            value = row.values[col]
            if not value:
                continue
            if value in first:
                raise data_error(
                    path,
                    f"duplicate value {value!r} (first on line {first[value]})",
                    line=row.line,
                    column=col,
                )
            first[value] = row.line
    first_ruan: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.values["ruan_source"], row.values["ruan_model"])
        if not key[0]:
            continue
        if key in first_ruan:
            raise data_error(
                path,
                f"duplicate value {key[1]!r} in {key[0]} (first on line {first_ruan[key]})",
                line=row.line,
                column="ruan_model",
            )
        first_ruan[key] = row.line


def _check_families(path: Path, parsed: list[dict[str, object]]) -> None:
    """Family references (see config/README.md):

    1. every original family named in ``family`` is declared by at least one base row (instruct = false);
    2. a variant family belongs to one original family: all its rows name the same ``family``;
    3. all rows of a variant family share the same ``instruct`` flag;
    4. ``base_model``, when given, names another row that is a base model (instruct = false) of the same
       original family.
    """
    declared = {str(p["family"]) for p in parsed if not p["instruct"]}
    variant_first: dict[str, dict[str, object]] = {}
    by_model = {str(p["model"]): p for p in parsed}
    for p in parsed:
        line = int(p["line"])  # type: ignore[arg-type]
        family, variant = str(p["family"]), str(p["variant_family"])
        if family not in declared:
            raise data_error(
                path,
                f"unknown original family {family!r}: no base model (instruct = false) declares it",
                line=line,
                column="family",
            )
        first = variant_first.setdefault(variant, p)
        if first["family"] != family:
            raise data_error(
                path,
                f"variant family {variant!r} belongs to original family {first['family']!r} "
                f"(line {first['line']}), not {family!r}",
                line=line,
                column="family",
            )
        if first["instruct"] != p["instruct"]:
            raise data_error(
                path,
                f"variant family {variant!r} has instruct = {str(first['instruct']).lower()} on line "
                f"{first['line']}; all rows of a variant family must agree",
                line=line,
                column="instruct",
            )
        base = str(p["base_model"])
        if not base:
            continue
        target = by_model.get(base)
        if target is None:
            raise data_error(path, f"unknown model {base!r}", line=line, column="base_model")
        if target is p:
            raise data_error(path, "a model cannot be its own base model", line=line, column="base_model")
        if target["instruct"]:
            raise data_error(
                path,
                f"base model {base!r} (line {target['line']}) is an instruct model; name its pretrained base",
                line=line,
                column="base_model",
            )
        if target["family"] != family:
            raise data_error(
                path,
                f"base model {base!r} (line {target['line']}) belongs to family {target['family']!r}, "
                f"not {family!r}",
                line=line,
                column="base_model",
            )
