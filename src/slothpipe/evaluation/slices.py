"""The slice of the dataset and plan that the fold jobs of one suite and setting read, stored by content.

A fold job of suite ``v1`` depends on the models usable in ``v1`` (``suite_frame`` of
:mod:`slothpipe.evaluation.groups`, restricted to the design columns and the suite's benchmarks) and on the
held-out groups of its setting; not on the rest of the dataset.  :func:`write_slices` (run by the
``plan_groups`` checkpoint) writes each slice under a name derived from its content
(``<dir>/<suite>/n<n>/<key>.parquet`` and ``<key>.json``), and only when no file of that name exists.  A fold
job's inputs are those files, so a data update that leaves a suite's slice unchanged re-runs none of its folds
(same file names, same modification times), and one that changes it re-runs exactly its folds (new names).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

from slothpipe.errors import ConfigError
from slothpipe.evaluation.groups import DESIGN_COLUMNS, Group, suite_frame
from slothpipe.io import atomic_path

import pandas as pd

__all__ = ["read_setting", "read_slice", "slice_frame", "write_slices"]

KEY_CHARS = 16


def slice_frame(dataset: pd.DataFrame, benchmarks: list[str], n_train_models: int) -> pd.DataFrame:
    """The rows and columns of ``dataset`` a fold of this suite and setting uses (suite order)."""
    frame = suite_frame(dataset, list(benchmarks), n_train_models)
    return frame[[*DESIGN_COLUMNS, *benchmarks]].reset_index(drop=True)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False, compression="zstd")
    return buffer.getvalue()


def _write_once(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return  # same content, same name: keep the file (and its modification time)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_slices(
    dataset: pd.DataFrame, plan_: dict[str, Any], directory: str | os.PathLike[str]
) -> dict[str, dict[str, dict[str, str]]]:
    """Write every setting's slice of ``plan_`` under ``directory``; return the index suite -> n -> paths."""
    directory = Path(directory)
    index: dict[str, dict[str, dict[str, str]]] = {}
    for setting in plan_["settings"]:
        suite, n = setting["suite"], int(setting["n_train_models"])
        benchmarks = list(setting["benchmarks"])
        data = _parquet_bytes(slice_frame(dataset, benchmarks, n))
        meta = {
            "suite": suite,
            "n_train_models": n,
            "benchmarks": benchmarks,
            "groups": [
                {
                    "id": g["id"],
                    "families": list(g["families"]),
                    "paper_n_test_models": g["paper_n_test_models"],
                }
                for g in setting["groups"]
            ],
        }
        meta_bytes = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8")
        key = hashlib.sha256(data + b"\0" + meta_bytes).hexdigest()[:KEY_CHARS]
        where = directory / suite / f"n{n}"
        data_path, meta_path = where / f"{key}.parquet", where / f"{key}.json"
        _write_once(data_path, data)
        _write_once(meta_path, meta_bytes)
        index.setdefault(suite, {})[str(n)] = {"data": data_path.as_posix(), "groups": meta_path.as_posix()}
    return index


def _setting(groups_path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[Group]]:
    with open(groups_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    groups = [Group(e["id"], tuple(e["families"]), e.get("paper_n_test_models")) for e in meta["groups"]]
    return meta, groups


def read_setting(data_path: str | os.PathLike[str], groups_path: str | os.PathLike[str]):
    """The slice's frame and every :class:`Group` of its setting, in the plan's order."""
    _, groups = _setting(groups_path)
    return pd.read_parquet(data_path), groups


def read_slice(data_path: str | os.PathLike[str], groups_path: str | os.PathLike[str], group: str):
    """The slice's frame and the :class:`Group` ``group`` of its setting (ConfigError if absent)."""
    meta, groups = _setting(groups_path)
    for found in groups:
        if found.id == group:
            return pd.read_parquet(data_path), found
    raise ConfigError(
        f"no group {group!r} for suite {meta['suite']!r} and n_train_models={meta['n_train_models']} "
        "in the plan"
    )
