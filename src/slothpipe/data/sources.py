"""Readers for the four raw inputs of the clean step, and the rules that pick one row per model.

Each reader checks that the file has the columns the pipeline needs (a missing one stops with a
:class:`~slothpipe.errors.DataError` naming the column and the file), checks that the scores are numbers in
range, and returns a normalised frame with one row per file row, in file order:

- ``name``: the model's name in that source (leaderboards: the ``fullname`` column, or, where it is absent
  or empty, the Hugging Face name parsed from the HTML ``Model`` column; Ruan et al.: the ``Model`` column);
- ``row``: the row's 0-based position in the file (the provenance ``row_*`` columns of the dataset use it);
- the scores under the dataset's benchmark names, on a 0-1 scale (leaderboard v1: percent / 100;
  leaderboard v2: the ``<benchmark> Raw`` columns; Ruan: as stored, renamed by the fill columns of
  the benchmark table :mod:`slothpipe.leaderboards`, plus ``HumanEval``);
- leaderboard v1 also ``date`` (UTC timestamp, NaT when missing or unparsable) and ``precision``.

Duplicate rules (several rows with the same ``name``), verified against the paper's compiled dataset:

- leaderboard v1 (:func:`resolve_v1`): the row with the latest ``date``; rows without a date count as the
  oldest; ties go to the first row in file order (the file is sorted by decreasing average).
- leaderboard v2 (:func:`resolve_v2`): the first row in file order, i.e. the highest average.
- Ruan et al.'s tables must not repeat a model: a duplicate is an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from slothpipe.data.schema import OBSSCALING_BASE, OBSSCALING_INSTRUCT, data_error
from slothpipe.leaderboards import leaderboard, source_columns

import pandas as pd
import pyarrow.parquet as pq

__all__ = [
    "RUAN_BASE_COLUMNS",
    "RUAN_INSTRUCT_COLUMNS",
    "V1_COLUMNS",
    "V2_COLUMNS",
    "parse_model_html",
    "read_leaderboard",
    "read_leaderboard_v1",
    "read_leaderboard_v2",
    "read_obsscaling",
    "resolve",
    "resolve_v1",
    "resolve_v2",
]

# Source column -> dataset benchmark name (from the benchmark table, slothpipe.leaderboards).
V1_COLUMNS: dict[str, str] = source_columns(leaderboard("v1").key)
V2_COLUMNS: dict[str, str] = source_columns(leaderboard("v2").key)
RUAN_BASE_COLUMNS: dict[str, str] = {**source_columns(OBSSCALING_BASE), "HumanEval": "HumanEval"}
RUAN_INSTRUCT_COLUMNS: dict[str, str] = {**source_columns(OBSSCALING_INSTRUCT), "HumanEval": "HumanEval"}

_HTML_NAME = re.compile(r"<a\b[^>]*>([^<]+)</a>")
_HTML_HREF = re.compile(r'href="https://huggingface\.co/([^"/]+/[^"/]+)"')


def parse_model_html(html: str) -> str | None:
    """The ``organisation/name`` of a leaderboard ``Model`` cell (an HTML link), or None if there is none.

    The first link's target on huggingface.co is used; failing that, the first link's text.
    """
    if not isinstance(html, str):
        return None
    match = _HTML_HREF.search(html)
    if match:
        return match.group(1)
    match = _HTML_NAME.search(html)
    if match and "/" in match.group(1):
        return match.group(1).strip()
    return None


def _read_parquet(path: Path, wanted: list[str], needed: list[str]) -> pd.DataFrame:
    """Read the ``wanted`` columns that exist; stop if any of ``needed`` is absent."""
    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError) as exc:
        raise data_error(path, f"cannot read as a parquet file ({exc})") from exc
    present = set(schema.names)
    missing = [c for c in needed if c not in present]
    if missing:
        raise data_error(path, f"missing column(s) {', '.join(repr(c) for c in missing)}")
    cols = [c for c in wanted if c in present]
    try:
        return pq.read_table(path, columns=cols).to_pandas()
    except (OSError, ValueError) as exc:
        raise data_error(path, f"cannot read as a parquet file ({exc})") from exc


def _read_csv(path: Path, needed: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise data_error(path, f"cannot read as a CSV file ({exc})") from exc
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise data_error(path, f"missing column(s) {', '.join(repr(c) for c in missing)}")
    return frame


def _names(path: Path, raw: pd.DataFrame) -> pd.Series:
    """Model names of a leaderboard file: ``fullname``, else parsed from the HTML ``Model`` column."""
    if "fullname" in raw.columns:
        names = raw["fullname"].astype(object)
    else:
        names = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    names = names.where(names.notna() & (names.astype(str).str.strip() != ""), None)
    need = names.isna()
    if need.any():
        if "Model" not in raw.columns:
            first = int(need.to_numpy().nonzero()[0][0])
            if "fullname" not in raw.columns:
                raise data_error(
                    path, "missing column(s) 'fullname' (and no 'Model' column to parse names from)"
                )
            raise data_error(
                path,
                "empty model name (and no 'Model' column to parse it from)",
                row=first,
                column="fullname",
            )
        parsed = raw.loc[need, "Model"].map(parse_model_html)
        bad = parsed.isna()
        if bad.any():
            first = int(raw.index.get_loc(parsed.index[bad.to_numpy()][0]))
            raise data_error(
                path,
                "cannot determine the model name: empty 'fullname' and no Hugging Face link in 'Model'",
                row=first,
                column="Model",
            )
        names = names.copy()
        names[need] = parsed
    return names.astype(str).str.strip()


def _show(value: object) -> str:
    """A cell for an error message: strings quoted, numbers plain."""
    return repr(value) if isinstance(value, str) else str(value)


def _scores(
    path: Path, raw: pd.DataFrame, columns: dict[str, str], scale: float, *, csv: bool
) -> pd.DataFrame:
    """Numeric scores renamed to the dataset's names, divided by ``scale``, checked to lie in [0, 1]."""
    out = {}
    for src, dst in columns.items():
        series = raw[src]
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        bad = values.isna() & series.notna() & (series.astype(str).str.strip() != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            loc = {"line": i + 2} if csv else {"row": i}
            raise data_error(path, f"malformed number {_show(series.iloc[i])}", column=src, **loc)
        values = values / scale
        out_of_range = (values < 0) | (values > 1)
        if out_of_range.any():
            i = int(out_of_range.to_numpy().nonzero()[0][0])
            loc = {"line": i + 2} if csv else {"row": i}
            upper = "100" if scale == 100 else "1"
            raise data_error(path, f"score {_show(series.iloc[i])} outside [0, {upper}]", column=src, **loc)
        out[dst] = values.to_numpy()
    return pd.DataFrame(out, index=raw.index)


def read_leaderboard(path: str | os.PathLike[str], source: str) -> pd.DataFrame:
    """Every row of a leaderboard file (``source``: its key or suite in the source table), scores / scale.

    A leaderboard whose duplicates resolve by date (v1) also gets ``date`` and ``precision``.
    """
    spec = leaderboard(source)
    path = Path(path)
    columns = source_columns(spec.key)
    score_cols = list(columns)
    if spec.duplicates == "latest":
        wanted, needed = ["fullname", "Model", "date", "Precision", *score_cols], ["date", *score_cols]
    else:
        wanted, needed = ["fullname", "Model", *score_cols], score_cols
    raw = _read_parquet(path, wanted, needed).reset_index(drop=True)
    frame = pd.DataFrame({"name": _names(path, raw), "row": range(len(raw))})
    if spec.duplicates == "latest":
        frame["date"] = pd.to_datetime(raw["date"], format="ISO8601", utc=True, errors="coerce")
        frame["precision"] = raw["Precision"].astype(str) if "Precision" in raw.columns else ""
    return pd.concat([frame, _scores(path, raw, columns, spec.scale, csv=False)], axis=1)


def read_leaderboard_v1(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Open LLM Leaderboard v1 (``open-llm-leaderboard-old/contents``): every row, scores / 100."""
    return read_leaderboard(path, "v1")


def read_leaderboard_v2(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Open LLM Leaderboard v2 (``open-llm-leaderboard/contents``): every row, the ``Raw`` scores."""
    return read_leaderboard(path, "v2")


def read_obsscaling(path: str | os.PathLike[str], kind: str) -> pd.DataFrame:
    """Ruan et al.'s ``base_llm_benchmark_eval.csv`` (``kind="base"``) or ``instruct_...`` (``"instruct"``).

    The ``Model`` column holds the name: Hugging Face ids in the base table, bare names in the instruct one.
    """
    if kind not in ("base", "instruct"):
        raise ValueError(f"kind must be 'base' or 'instruct', got {kind!r}")
    path = Path(path)
    columns = RUAN_BASE_COLUMNS if kind == "base" else RUAN_INSTRUCT_COLUMNS
    raw = _read_csv(path, ["Model", *columns]).reset_index(drop=True)
    names = raw["Model"]
    empty = names.isna() | (names.astype(str).str.strip() == "")
    if empty.any():
        i = int(empty.to_numpy().nonzero()[0][0])
        raise data_error(path, "empty model name", line=i + 2, column="Model")
    names = names.astype(str).str.strip()
    dup = names.duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        first = int((names == names.iloc[i]).to_numpy().nonzero()[0][0])
        raise data_error(
            path, f"duplicate model {names.iloc[i]!r} (first on line {first + 2})", line=i + 2, column="Model"
        )
    frame = pd.DataFrame({"name": names, "row": range(len(raw))})
    return pd.concat([frame, _scores(path, raw, columns, 1.0, csv=True)], axis=1)


def resolve(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """One row per ``name`` by the leaderboard's duplicate rule (:func:`resolve_v1` or :func:`resolve_v2`)."""
    return resolve_v1(frame) if leaderboard(source).duplicates == "latest" else resolve_v2(frame)


def resolve_v1(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``name``: the latest ``date`` (missing dates oldest), ties to the first row in file order.

    The result keeps the chosen rows in file order.
    """
    order = frame.assign(_missing=frame["date"].isna()).sort_values(
        ["name", "_missing", "date", "row"], ascending=[True, True, False, True], kind="mergesort"
    )
    chosen = order.drop_duplicates("name", keep="first").drop(columns="_missing")
    return chosen.sort_values("row", kind="mergesort").reset_index(drop=True)


def resolve_v2(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``name``: the first row in file order (the file is sorted by decreasing average)."""
    return frame.drop_duplicates("name", keep="first").reset_index(drop=True)
