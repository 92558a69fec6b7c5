"""Hand-collected downstream scores in ``config/downstream/*.csv`` (HumanEval EvalPlus values, EQ-Bench).

Format (documented in ``config/README.md``): columns ``model`` (a registry model id), ``score`` (0-1 scale)
and ``source`` (where the number comes from), one row per model.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Collection
from pathlib import Path

from slothpipe.data.schema import data_error

import pandas as pd

__all__ = ["DOWNSTREAM_COLUMNS", "read_downstream_scores"]

DOWNSTREAM_COLUMNS: tuple[str, ...] = ("model", "score", "source")


def read_downstream_scores(
    path: str | os.PathLike[str], models: Collection[str] | None = None
) -> pd.DataFrame:
    """Read and validate a downstream score file.

    Returns columns ``model``, ``score`` (float in [0, 1]), ``source`` and ``row`` (0-based data row, used in
    the dataset's provenance), in file order.  When ``models`` is given, every ``model`` must be one of them.
    Any problem stops with a :class:`~slothpipe.errors.DataError` naming the file, line (1-based) and column.
    """
    path = Path(path)
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise data_error(path, f"cannot read: {exc.strerror or exc}") from exc
    known = set(models) if models is not None else None
    records: list[dict[str, object]] = []
    with fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader, [])]
            for col in DOWNSTREAM_COLUMNS:
                if col not in header:
                    raise data_error(path, "missing required column", line=1, column=col)
            idx = {col: header.index(col) for col in DOWNSTREAM_COLUMNS}
            first: dict[str, int] = {}
            start = reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if not record or all(not f.strip() for f in record):
                    continue
                if len(record) != len(header):
                    raise data_error(
                        path,
                        f"expected {len(header)} fields as in the header, found {len(record)}",
                        line=line,
                    )
                model, text, source = (record[idx[c]].strip() for c in DOWNSTREAM_COLUMNS)
                if not model:
                    raise data_error(path, "missing value (required)", line=line, column="model")
                if known is not None and model not in known:
                    raise data_error(
                        path, f"unknown model {model!r} (not in the registry)", line=line, column="model"
                    )
                if model in first:
                    raise data_error(
                        path,
                        f"duplicate model {model!r} (first on line {first[model]})",
                        line=line,
                        column="model",
                    )
                first[model] = line
                try:
                    score = float(text)
                except ValueError:
                    raise data_error(path, f"malformed number {text!r}", line=line, column="score") from None
                if not math.isfinite(score) or not 0 <= score <= 1:
                    raise data_error(path, f"score {text} outside [0, 1]", line=line, column="score")
                if not source:
                    raise data_error(path, "missing value (required)", line=line, column="source")
                records.append({"model": model, "score": score, "source": source, "row": len(records)})
        except UnicodeDecodeError as exc:
            raise data_error(path, f"not valid UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise data_error(path, f"malformed CSV ({exc})", line=reader.line_num) from exc
    frame = pd.DataFrame(records, columns=[*DOWNSTREAM_COLUMNS, "row"])
    frame["score"] = frame["score"].astype("float64")
    frame["row"] = frame["row"].astype("int64")
    return frame
