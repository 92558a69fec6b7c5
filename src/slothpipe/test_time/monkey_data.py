"""The per-sample MATH results of "Large Language Monkeys", fetched and cleaned into counts.

Source: the Hub dataset ``ScalingIntelligence/monkey_business`` (MIT), one JSON file per model,
``MATH_<Model>.json``: one record per MATH problem (128) whose column ``is_corrects`` is the list of
booleans "sample s was correct", one per sample (10,000).  The authors' ``download_testscaling.py`` reads each
file with ``pandas.read_json`` and stacks the rows of the files by position, so row i is the same problem in
every file; we make the same assumption and check what can be checked (same number of rows everywhere).

:func:`fetch_files` downloads the files with :func:`slothpipe.download.fetch_hub_file` (the leaderboards'
code: Hub at a pinned revision, the HF cache, or an offline mirror ``DIR/hub/<repo_id>/<path>``).  A source
that cannot be reached (no network, ``HF_HUB_OFFLINE`` without a cached copy, a mirror that does not hold the
repo) is not an error: the returned status says so and the stage is skipped.  :func:`clean_counts` turns the
files into the compact table the fits read: one row per model and problem with the number of samples and of
correct samples.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from slothpipe.download import fetch_hub_file, mirror_content_key
from slothpipe.errors import DataError, DownloadError, SourceUnreachable
from slothpipe.io import sha256_file

import numpy as np
import pandas as pd

#: The column of each record that holds the per-sample correctness (the authors' field).
CORRECT_COLUMN = "is_corrects"
#: The columns of the cleaned table, in order.
COUNT_COLUMNS = ["model", "file", "problem", "n_samples", "n_correct"]


def literal_glob(path: str) -> str:
    """A glob that matches exactly ``path`` (``*``, ``?`` and ``[`` escaped as one-character classes)."""
    return re.sub(r"([*?\[])", r"[\1]", path)


def mirror_holds(mirror: str | os.PathLike[str] | None, repo_id: str) -> bool:
    """Whether the offline mirror ``mirror`` has a directory for Hub dataset ``repo_id``."""
    return mirror is not None and (Path(mirror) / "hub" / repo_id).is_dir()


def mirror_keys(mirror, repo_id: str, files: Mapping[str, str]) -> dict[str, str | None]:
    """Model -> sha256 of its mirror file (None online or when absent): downloads re-run when one changes."""
    return {m: mirror_content_key(mirror, repo_id, literal_glob(p)) for m, p in sorted(files.items())}


def raw_name(path: str) -> str:
    """The local file name of the repo file ``path``."""
    return Path(path).name


def fetch_files(
    *,
    source: str,
    spec: Mapping[str, Any],
    files: Mapping[str, str],
    dest_dir: str | os.PathLike[str],
    mirror: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Fetch every file of ``files`` (model -> path in the repo) of Hub source ``spec`` into ``dest_dir``.

    Returns the status of the download: ``{"available": true, "source", "repo_id", "manifests": {model:
    manifest}}`` or, when the source cannot be reached, ``{"available": false, "source", "repo_id",
    "reason"}``.  Every other failure (a checksum mismatch, a missing file, an access refusal) raises.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    status: dict[str, Any] = {"source": source, "repo_id": spec["repo_id"]}
    manifests = {}
    for model, path in sorted(files.items()):
        try:
            manifests[model] = fetch_hub_file(
                source=source,
                repo_id=spec["repo_id"],
                revision=spec["revision"],
                file_glob=literal_glob(path),
                dest=dest_dir / raw_name(path),
                mirror=mirror,
            )
        except SourceUnreachable as exc:
            return {**status, "available": False, "reason": str(exc)}
    return {**status, "available": True, "manifests": manifests}


def skip_message(repo_id: str, reason: str) -> str:
    """What the run says, once, when the stage is skipped: why, and how to get Figure 7."""
    first = reason.strip().splitlines()[0] if reason.strip() else "no reason given"
    return (
        f"Figure 7 (test-time scaling, the test_time stage) was skipped: its source, Hub dataset "
        f"{repo_id!r}, could not be reached: {first}\n"
        "To make it, run where the Hugging Face Hub can be reached, or put the files that test_time.files of "
        f"config/config.yaml names in an offline mirror as DIR/hub/{repo_id}/<file> and add --config "
        "offline_mirror=DIR; then `snakemake --cores 8 test_time` (after a failed attempt to download, add "
        "`--forcerun download_test_time`)."
    )


# ------------------------------------------------------------------------------------------- cleaning


_CHUNK = 1 << 22  # characters read at a time when streaming an array of records


def _stream_array(fh, buf: str) -> Iterator[Any]:
    """The items of the JSON array that ``buf`` (read from ``fh``, from its ``[``) starts, one at a time.

    Only the item being decoded is held in memory (plus one chunk), so a file of several GB of sample texts is
    counted in little memory.  A malformed file raises ``json.JSONDecodeError``.
    """
    decoder = json.JSONDecoder()
    pos, eof = buf.index("[") + 1, False
    while True:
        while True:  # skip white space and the separating comma
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or eof:
                break
            buf, pos = fh.read(_CHUNK), 0
            eof = not buf
        if pos >= len(buf):
            raise json.JSONDecodeError("unterminated array", buf, pos)
        if buf[pos] == "]":
            return
        try:
            item, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError:
            more = "" if eof else fh.read(_CHUNK)
            if not more:
                raise
            buf, pos = buf[pos:] + more, 0
            continue
        yield item
        buf, pos = buf[end:], 0


def _records(path: Path) -> Iterator[Any]:
    """The records of a JSON file, one at a time: an array of objects (streamed), JSON Lines, or pandas'
    column-oriented object (both read whole)."""
    with open(path, encoding="utf-8") as fh:
        head = fh.read(_CHUNK)
        if head.lstrip().startswith("["):
            try:
                yield from _stream_array(fh, head)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}: not a valid JSON array of records: {exc.msg}") from None
            return
        text = head + fh.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise DataError(
                f"{path}: not a JSON file (an array of records or JSON Lines): {exc.msg} at line "
                f"{exc.lineno}, column {exc.colno}"
            ) from None
    if isinstance(data, dict) and data and all(isinstance(v, (dict, list)) for v in data.values()):
        # pandas' default orientation for a frame: {column: {row label: value}} (or {column: [values]})
        columns = {k: (list(v.values()) if isinstance(v, dict) else v) for k, v in data.items()}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) != 1:
            raise DataError(f"{path}: its columns have different lengths {sorted(lengths)}")
        (length,) = lengths
        data = [{k: v[i] for k, v in columns.items()} for i in range(length)]
    if not isinstance(data, list):
        raise DataError(
            f"{path}: expected one JSON object per MATH problem (with a column {CORRECT_COLUMN!r})"
        )
    yield from data


def read_counts(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Problem (row, from 0), n_samples and n_correct of one ``MATH_<Model>.json`` file (read record by
    record: only the counts are kept)."""
    path = Path(path)
    n, c, columns, lacking = [], [], set(), None
    for i, record in enumerate(_records(path)):
        if not isinstance(record, dict):
            raise DataError(f"{path}: row {i} (counting from 0) is not a JSON object: {_show(record)}")
        columns.update(record)
        if CORRECT_COLUMN not in record:
            lacking = i if lacking is None else lacking
            continue
        values = record[CORRECT_COLUMN]
        where = f"{path}: row {i} (counting from 0), column {CORRECT_COLUMN!r}"
        if not isinstance(values, list) or not values:
            raise DataError(f"{where}: expected a non-empty list of true/false values, found {_show(values)}")
        bad = next((v for v in values if not (isinstance(v, bool) or (type(v) is int and v in (0, 1)))), None)
        if bad is not None:
            raise DataError(f"{where}: expected true/false values, found {_show(bad)}")
        n.append(len(values))
        c.append(sum(bool(v) for v in values))
    if lacking is not None:
        if CORRECT_COLUMN not in columns:
            raise DataError(
                f"{path}: no column {CORRECT_COLUMN!r} (the per-sample correctness of each problem); its "
                f"columns are {', '.join(sorted(columns))}"
            )
        raise DataError(f"{path}: row {lacking} (counting from 0) has no column {CORRECT_COLUMN!r}")
    if not n:
        raise DataError(f"{path}: no rows (expected one per MATH problem)")
    return pd.DataFrame(
        {
            "problem": np.arange(len(n), dtype=np.int64),
            "n_samples": np.asarray(n, dtype=np.int64),
            "n_correct": np.asarray(c, dtype=np.int64),
        }
    )


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_manifest(
    raw_dir: Path, files: Mapping[str, str], manifests: Mapping[str, Mapping[str, Any]]
) -> None:
    """Raise DownloadError when a downloaded file no longer matches the manifest of its download."""
    for model, path in sorted(files.items()):
        local = raw_dir / raw_name(path)
        manifest = manifests.get(model)
        if manifest is None:
            raise DownloadError(
                f"{local}: model {model!r} has no manifest in the status of the download; fetch the files "
                "again: snakemake --forcerun download_test_time ..."
            )
        size, digest = local.stat().st_size, sha256_file(local)
        if size != manifest.get("size") or digest != manifest.get("sha256"):
            raise DownloadError(
                f"{local} does not match its manifest (sha256 {digest}, {size} bytes; manifest: sha256 "
                f"{manifest.get('sha256')}, {manifest.get('size')} bytes): it changed after it was "
                "downloaded.\nFetch it again: snakemake --forcerun download_test_time ..."
            )


def clean_counts(
    raw_dir: str | os.PathLike[str],
    files: Mapping[str, str],
    *,
    registry: pd.DataFrame,
    config_key: str = "config/config.yaml: test_time.files",
) -> pd.DataFrame:
    """The counts table (:data:`COUNT_COLUMNS`, sorted by model and problem) of the downloaded files.

    ``files`` maps each registry model to its file in the repo (``raw_dir`` holds them under their base
    names).  Stops with a :class:`~slothpipe.errors.DataError` naming the file, row and column when a model is
    not in ``registry`` (checked first, before any file is read), a file lacks the ``is_corrects`` column or
    holds something else than lists of booleans, or two files have different numbers of problems.
    """
    raw_dir = Path(raw_dir)
    known = set(registry["model"])
    where = registry.attrs.get("path", "the registry")
    for model in sorted(files):
        if model not in known:
            raise DataError(
                f"{config_key}: model {model!r} (file {files[model]}) is not in the registry {where} "
                "(column model); add its row there or correct the name"
            )
    parts, first = [], None
    for model, path in sorted(files.items()):
        local = raw_dir / raw_name(path)
        counts = read_counts(local)
        if first is None:
            first = (local, len(counts))
        elif len(counts) != first[1]:
            raise DataError(
                f"{local}: {len(counts)} problems (rows), but {first[0]} has {first[1]}: every model must "
                "answer the same problems, in the same row order (the rows are matched by position)"
            )
        counts.insert(0, "file", path)
        counts.insert(0, "model", model)
        parts.append(counts)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["model", "problem"], kind="mergesort").reset_index(drop=True)[COUNT_COLUMNS]
