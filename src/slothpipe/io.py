"""Atomic, deterministic writers for every file the pipeline produces.

Every output is first written to a temporary file next to its destination and then renamed over it, so an
interrupted or failed run never leaves a half-written file that a later run would trust.  Writers fix the
things that would otherwise make re-runs churn: row order is the caller's, floats are formatted with a fixed
format, line endings are ``\\n``, and figure metadata carries no dates.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

# the writers only call a frame's methods: a job that writes no frame never imports pandas
if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "atomic_path",
    "read_json",
    "save_figure",
    "sha256_file",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_text",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the destination's directory; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched (an older complete version,
    if any, survives).
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line endings) atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_json(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` as indented JSON with sorted keys (stable bytes) atomically."""
    write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path)


def read_json(path: str | os.PathLike[str]) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_csv(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    float_format: str | None = "%.6g",
    index: bool = False,
) -> None:
    """Write a CSV with fixed float formatting and ``\\n`` line endings atomically.

    ``float_format`` defaults to six significant digits, enough for scores and errors while hiding the
    last-bit noise that would make a tracked table churn between machines.
    """
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=index, float_format=float_format, lineterminator="\n")


def write_parquet(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a parquet file (pyarrow, zstd, no index) atomically.

    For the same pandas/pyarrow versions the bytes depend only on the frame's content and column order.
    """
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, engine="pyarrow", index=False, compression="zstd")


# Metadata that would otherwise embed dates or absolute paths in figure files.
_FIGURE_METADATA: dict[str, dict[str, Any]] = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": "slothpipe", "Creator": "slothpipe"},
    "png": {"Software": "slothpipe"},
    "svg": {"Date": None, "Creator": "slothpipe"},
}


def save_figure(fig: Any, path: str | os.PathLike[str], *, dpi: int = 150) -> None:
    """Save a matplotlib figure atomically with date-free metadata so re-runs are byte-identical.

    The format follows the suffix of ``path`` (``.pdf``, ``.png`` or ``.svg``).
    """
    import matplotlib as mpl

    dest = Path(path)
    fmt = dest.suffix.lstrip(".").lower()
    if fmt not in _FIGURE_METADATA:
        raise ValueError(f"save_figure: unsupported figure format {fmt!r} for {dest}")
    with mpl.rc_context({"svg.hashsalt": "slothpipe", "pdf.compression": 6}), atomic_path(dest) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_FIGURE_METADATA[fmt])
