"""The forecast request: a CSV with one row per new model, checked before anything is fitted.

Columns: ``model``, ``family`` (the model's variant family), ``params_b`` (billions of parameters),
``tokens_t`` (trillions of pretraining tokens), an optional ``leaderboard`` (one value for the whole file),
and any of the leaderboard's benchmark columns under the dataset's names (scores on the 0-1 scale).  A row
with every benchmark of the leaderboard is a *known* model, which trains; a row with none is a *target*.

Every check raises :class:`~slothpipe.errors.DataError` naming the file, the row (its line in the file) and
the column, before any fit, so a bad request writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from slothpipe.errors import DataError
from slothpipe.leaderboards import BENCHMARKS, SUITES, benchmarks_of, leaderboard

import numpy as np
import pandas as pd

#: Columns every request has.
REQUIRED = ("model", "family", "params_b", "tokens_t")
#: An optional column naming the leaderboard of the whole file.
LEADERBOARD_COLUMN = "leaderboard"
#: Above these, a size is a raw parameter count and a token count is not in trillions.
MAX_PARAMS_B = 10_000.0
MAX_TOKENS_T = 1_000.0


def suite_names() -> tuple[str, ...]:
    """The leaderboards a forecast can use: each leaderboard alone, and all of them together."""
    return (*SUITES, "+".join(SUITES))


def suite_benchmarks(suite: str) -> list[str]:
    """The benchmarks of ``v1``, ``v2`` or ``v1+v2`` (the benchmark table's order)."""
    parts = suite.split("+")
    try:
        keys = [leaderboard(p).key for p in parts]
    except KeyError:
        raise DataError(f"unknown leaderboard {suite!r}; choose one of {', '.join(suite_names())}") from None
    if len(set(parts)) != len(parts):
        raise DataError(f"leaderboard {suite!r} names a leaderboard twice")
    return [b for key in keys for b in benchmarks_of(key)]


@dataclass(frozen=True)
class Request:
    """A checked request: its known rows, its target rows and the benchmarks of its leaderboard."""

    suite: str
    benchmarks: list[str]
    known: pd.DataFrame
    targets: pd.DataFrame
    ignored_columns: tuple[str, ...]


def read_request(path) -> pd.DataFrame:
    """The request file as a frame (every cell as read by pandas); an unreadable or empty file is a
    DataError."""
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; it needs a header and one row per model") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read it as CSV ({exc})") from None
    return frame


def file_leaderboard(frame: pd.DataFrame, source: str) -> str | None:
    """The ``leaderboard`` column's one value, or None when the file has no such column."""
    if LEADERBOARD_COLUMN not in frame.columns:
        return None
    values = frame[LEADERBOARD_COLUMN].dropna().astype(str).str.strip().unique()
    if len(values) != 1:
        raise DataError(
            f"{source}: column {LEADERBOARD_COLUMN!r} must hold one leaderboard for every row, "
            f"found {sorted(values) or 'none'}"
        )
    return str(values[0])


def _line(frame: pd.DataFrame, i: int) -> str:
    return f"row {i + 2} (model {frame['model'].iloc[i]!r})"


def check_request(frame: pd.DataFrame, suite: str, source: str = "the request") -> Request:
    """Check a request frame for ``suite`` (``v1``, ``v2`` or ``v1+v2``); see the module docstring."""
    benchmarks = suite_benchmarks(suite)
    if frame.empty:
        raise DataError(f"{source}: no model rows; it needs one row per known or target model")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}; a request has columns "
            f"{', '.join(REQUIRED)} and benchmark scores (its columns: {', '.join(map(str, frame.columns))})"
        )
    extra = [c for c in frame.columns if c not in (*REQUIRED, LEADERBOARD_COLUMN)]
    unknown = [c for c in extra if c not in BENCHMARKS]
    if unknown:
        raise DataError(
            f"{source}: column {unknown[0]!r} is not a benchmark of the dataset; benchmark columns use the "
            f"dataset's names: {', '.join(BENCHMARKS)}"
        )
    ignored = tuple(c for c in extra if c not in benchmarks)
    for i, name in enumerate(frame["model"]):
        if pd.isna(name) or not str(name).strip():
            raise DataError(f"{source}: row {i + 2}, column 'model' is empty")
    dupes = frame["model"][frame["model"].duplicated()].tolist()
    if dupes:
        raise DataError(f"{source}: model {dupes[0]!r} appears in more than one row")
    for i, fam in enumerate(frame["family"]):
        if pd.isna(fam) or not str(fam).strip():
            raise DataError(f"{source}: {_line(frame, i)}, column 'family' is empty")
    for column, limit, unit, hint in (
        ("params_b", MAX_PARAMS_B, "billions of parameters", "7e9 parameters is 7"),
        ("tokens_t", MAX_TOKENS_T, "trillions of tokens", "2e12 tokens is 2"),
    ):
        values = pd.to_numeric(frame[column], errors="coerce")
        for i, (raw, value) in enumerate(zip(frame[column], values, strict=True)):
            if pd.isna(raw):
                raise DataError(
                    f"{source}: {_line(frame, i)}, column {column!r} is empty; every model, known or "
                    f"target, needs its size and tokens ({unit})"
                )
            if not np.isfinite(value) or value <= 0:
                raise DataError(
                    f"{source}: {_line(frame, i)}, column {column!r} has {raw!r}; it must be a positive "
                    f"number of {unit}"
                )
            if value > limit:
                raise DataError(
                    f"{source}: {_line(frame, i)}, column {column!r} has {raw!r}, more than {limit:,.0f}: "
                    f"give {unit} ({hint})"
                )
    present = [b for b in benchmarks if b in frame.columns]
    scores = (
        frame[present].apply(pd.to_numeric, errors="coerce") if present else pd.DataFrame(index=frame.index)
    )
    for b in present:
        for i, (raw, value) in enumerate(zip(frame[b], scores[b], strict=True)):
            if pd.isna(raw):
                continue
            if pd.isna(value) or not 0.0 <= value <= 1.0:
                raise DataError(
                    f"{source}: {_line(frame, i)}, column {b!r} has {raw!r}; scores are numbers in [0, 1] "
                    "(percentages divided by 100)"
                )
    filled = scores.notna().sum(axis=1).to_numpy() if present else np.zeros(len(frame), dtype=int)
    for i, count in enumerate(filled):
        if 0 < count < len(benchmarks):
            lacking = [b for b in benchmarks if b not in present or pd.isna(scores[b].iloc[i])]
            raise DataError(
                f"{source}: {_line(frame, i)} has {count} of the {len(benchmarks)} benchmarks of leaderboard "
                f"{suite}; a known model needs all of them and a target none (missing: "
                f"{', '.join(lacking)})"
            )
    clean = frame[list(REQUIRED)].copy()
    clean["model"] = clean["model"].astype(str).str.strip()
    clean["family"] = clean["family"].astype(str).str.strip()
    clean["params_b"] = pd.to_numeric(clean["params_b"])
    clean["tokens_t"] = pd.to_numeric(clean["tokens_t"])
    for b in benchmarks:
        clean[b] = scores[b] if b in present else np.nan
    is_known = filled == len(benchmarks)
    return Request(
        suite=suite,
        benchmarks=benchmarks,
        known=clean[is_known].reset_index(drop=True),
        targets=clean[~is_known].reset_index(drop=True),
        ignored_columns=ignored,
    )


def resolve_leaderboard(option: str | None, frame: pd.DataFrame, source: str) -> str:
    """The leaderboard of a request: the option, or the file's column; both must agree."""
    in_file = file_leaderboard(frame, source)
    if option and in_file and option != in_file:
        raise DataError(f"--leaderboard {option} but {source} says leaderboard {in_file}")
    chosen = option or in_file
    if chosen is None:
        raise DataError(
            f"no leaderboard: pass --leaderboard ({', '.join(suite_names())}) or give {source} a "
            "'leaderboard' column"
        )
    return chosen
