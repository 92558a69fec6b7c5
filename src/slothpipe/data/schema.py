"""Names shared by the data stage and its readers: benchmarks, source keys and the dataset's columns.

The dataset ``results/data/dataset.parquet`` is a public contract; its columns are listed here in their
order and documented in ``config/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from slothpipe.errors import DataError

# Open LLM Leaderboard v1 benchmarks (the paper's experiment 0), 0-1 scale in the dataset.
V1_BENCHMARKS: tuple[str, ...] = ("MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K")
# Open LLM Leaderboard v2 benchmarks (experiment 1): the leaderboard's `<name> Raw` columns.
V2_BENCHMARKS: tuple[str, ...] = ("IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO")
# The 12 benchmarks of experiment 2, in the order of the dataset's columns.
BENCHMARKS: tuple[str, ...] = V1_BENCHMARKS + V2_BENCHMARKS

# Source keys: the names of the raw inputs of the clean rule, used in the provenance columns.
LEADERBOARD_V1 = "leaderboard_v1"
LEADERBOARD_V2 = "leaderboard_v2"
OBSSCALING_BASE = "obsscaling_base"
OBSSCALING_INSTRUCT = "obsscaling_instruct"
HUMANEVAL_EVALPLUS = "humaneval_evalplus"
RUAN_SOURCES: tuple[str, ...] = (OBSSCALING_BASE, OBSSCALING_INSTRUCT)

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
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "source_v1",
    "row_v1",
    "fill_v1",
    "source_v1_fill",
    "row_v1_fill",
    "source_v2",
    "row_v2",
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
