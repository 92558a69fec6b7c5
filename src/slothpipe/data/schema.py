"""Names shared by the data stage and its readers: benchmarks, source keys and the dataset's columns.

The dataset ``results/data/dataset.parquet`` is a public contract; its columns are listed here in their
order and documented in ``config/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from slothpipe.errors import DataError
from slothpipe.leaderboards import BENCHMARKS as _TABLE_BENCHMARKS
from slothpipe.leaderboards import FILL_SOURCES, LEADERBOARDS, SOURCES, benchmarks_of, leaderboard

# Benchmarks and sources come from their tables (slothpipe.leaderboards); these are the data stage's names.
# The benchmarks of each leaderboard, 0-1 scale in the dataset (v1: experiment 0, v2: experiment 1).
BENCHMARKS_BY_SUITE: dict[str, tuple[str, ...]] = {s.suite: benchmarks_of(s.key) for s in LEADERBOARDS}
V1_BENCHMARKS: tuple[str, ...] = BENCHMARKS_BY_SUITE["v1"]
V2_BENCHMARKS: tuple[str, ...] = BENCHMARKS_BY_SUITE["v2"]
# Every benchmark (experiment 2 uses the first 12), in the order of the dataset's columns.
BENCHMARKS: tuple[str, ...] = _TABLE_BENCHMARKS

# Source keys: the names of the raw inputs of the clean rule, used in the provenance columns.
LEADERBOARD_SOURCES: tuple[str, ...] = tuple(s.key for s in LEADERBOARDS)
LEADERBOARD_V1 = leaderboard("v1").key
LEADERBOARD_V2 = leaderboard("v2").key
RUAN_SOURCES: tuple[str, ...] = tuple(s.key for s in FILL_SOURCES)
OBSSCALING_BASE, OBSSCALING_INSTRUCT = RUAN_SOURCES
HUMANEVAL_EVALPLUS = "humaneval_evalplus"
#: The sources the clean step reads, in provenance order.
CLEAN_SOURCES: tuple[str, ...] = tuple(s.key for s in SOURCES)

METADATA_CHOICES: tuple[str, ...] = ("paper", "corrected")

# Columns of dataset.parquet, in order.
IDENTITY_COLUMNS: tuple[str, ...] = (
    "model",
    "hf_id",
    "family",
    "variant_family",
    "instruct",
    "base_model",
)
SCALE_COLUMNS: tuple[str, ...] = (
    "params_b",
    "tokens_t",
    "flops_1e21",
    "log_params",
    "log_tokens",
    "log_flops",
)


def _provenance(source) -> tuple[str, ...]:
    s = source.suite
    fill = (f"fill_{s}", f"source_{s}_fill", f"row_{s}_fill") if source.filled_by_fill_sources else ()
    return (f"source_{s}", f"row_{s}", *fill)


# Per leaderboard: the source key and 0-based row of its benchmarks' scores (and, for a leaderboard whose
# benchmarks the fill sources supply, which benchmarks another row filled); then HumanEval's.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    *(c for source in LEADERBOARDS for c in _provenance(source)),
    "source_humaneval",
    "row_humaneval",
)
DATASET_COLUMNS: tuple[str, ...] = (
    IDENTITY_COLUMNS + SCALE_COLUMNS + BENCHMARKS + ("HumanEval",) + PROVENANCE_COLUMNS
)

# Columns of unmatched.csv, in order.
UNMATCHED_COLUMNS: tuple[str, ...] = (
    "kind",
    "source",
    "row",
    "name",
    "model",
    "family",
    "variant_family",
    "detail",
)


def where(
    path: str | Path, *, line: int | None = None, row: int | None = None, column: str | None = None
) -> str:
    """The location part of an error message: file, then line (CSV, 1-based) or row (0-based), then column."""
    parts = [str(path)]
    if line is not None:
        parts.append(f"line {line}")
    if row is not None:
        parts.append(f"row {row} (0-based)")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def data_error(
    path: str | Path,
    problem: str,
    *,
    line: int | None = None,
    row: int | None = None,
    column: str | None = None,
) -> DataError:
    """A :class:`DataError` whose message starts with the file, the row and the column."""
    return DataError(f"{where(path, line=line, row=row, column=column)}: {problem}")
