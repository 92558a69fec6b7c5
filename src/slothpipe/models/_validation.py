"""Input checks shared by the estimators; each failure is a ``ValueError`` naming array, row and column."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

COVARIATE_NAMES = ("log params", "log tokens")


def check_covariates(X, name: str = "X") -> np.ndarray:
    """``X`` as an (n, 2) float array of finite [log params, log tokens]."""
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a numeric (n, 2) array of [log params, log tokens]: {exc}"
        ) from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"{name} must have shape (n, 2) with columns [log params, log tokens]; got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    bad = ~np.isfinite(arr)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        hint = " (log of a non-positive size or token count?)" if np.isneginf(arr[row, col]) else ""
        raise ValueError(
            f"{name} has a non-finite value {float(arr[row, col])!r} at row {row}, column {col} "
            f"({COVARIATE_NAMES[col]}){hint}; {int(bad.sum())} non-finite value(s) in total"
        )
    return arr


def check_scores(Y, n_rows: int, name: str = "Y", benchmarks: Sequence[str] | None = None) -> np.ndarray:
    """``Y`` as an (n, J) float array in [0, 1] with NaN for missing entries; every column observed once."""
    try:
        arr = np.asarray(Y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric (n, J) array of scores in [0, 1]: {exc}") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (n, J) array of scores; got {arr.ndim} dimension(s)")
    if arr.shape[0] != n_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows but X has {n_rows}: shapes do not match")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no benchmark columns")

    def col_name(j: int) -> str:
        return f"column {j} ({benchmarks[j]})" if benchmarks is not None else f"column {j}"

    inf = np.isinf(arr)
    if inf.any():
        row, col = (int(i) for i in np.argwhere(inf)[0])
        raise ValueError(f"{name} has an infinite score at row {row}, {col_name(col)}")
    with np.errstate(invalid="ignore"):
        out = (arr < 0) | (arr > 1)
    if out.any():
        row, col = (int(i) for i in np.argwhere(out)[0])
        raise ValueError(
            f"{name} has a score {float(arr[row, col])!r} outside [0, 1] at row {row}, {col_name(col)}; "
            f"{int(out.sum())} out-of-range score(s) in total (percentages must be divided by 100)"
        )
    empty = np.all(np.isnan(arr), axis=0)
    if empty.any():
        raise ValueError(f"{name} {col_name(int(np.argmax(empty)))} has no observed score (all NaN)")
    return arr


def check_families(families, n_rows: int, name: str = "families") -> np.ndarray:
    """Family labels as a 1-D array of ``str`` of length ``n_rows`` (no missing labels)."""
    if families is None:
        raise ValueError(f"{name} is required for family intercepts (one label per row)")
    arr = np.asarray(families, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per row); got shape {arr.shape}")
    if arr.shape[0] != n_rows:
        raise ValueError(f"{name} has {arr.shape[0]} labels but X has {n_rows} rows: shapes do not match")
    for i, label in enumerate(arr):
        if label is None or (isinstance(label, float) and np.isnan(label)) or str(label) == "":
            raise ValueError(f"{name} has a missing family label at row {i}")
    return np.array([str(label) for label in arr], dtype=str)


def check_chance(chance, n_bench: int, name: str = "chance") -> np.ndarray:
    """Floors γ_j as a length-J array in [0, 1); ``None`` means zeros."""
    if chance is None:
        return np.zeros(n_bench)
    arr = np.asarray(chance, dtype=float).reshape(-1)
    if arr.shape[0] != n_bench:
        raise ValueError(f"{name} has {arr.shape[0]} values but Y has {n_bench} benchmark columns")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr >= 1):
        j = int(np.argmax(~np.isfinite(arr) | (arr < 0) | (arr >= 1)))
        raise ValueError(f"{name}[{j}] = {float(arr[j])!r} is not a floor in [0, 1)")
    return arr


def check_positive(values, name: str) -> np.ndarray:
    """A 1-D array of finite, strictly positive numbers (sizes, token counts, budgets)."""
    arr = np.asarray(values, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.argmax(bad.reshape(-1)))
        raise ValueError(
            f"{name} must be finite and positive; got {float(arr.reshape(-1)[i])!r} at position {i} "
            f"({int(bad.sum())} bad value(s))"
        )
    return arr


def one_hot(labels: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    """One-hot rows of ``labels`` over the sorted fitted ``classes``; a label not among them is an error."""
    idx = np.searchsorted(classes, labels)
    idx = np.clip(idx, 0, len(classes) - 1)
    unseen = classes[idx] != labels
    if unseen.any():
        missing = sorted(set(labels[unseen].tolist()))
        raise ValueError(
            f"{name} contains famil{'y' if len(missing) == 1 else 'ies'} not seen in fit: "
            f"{', '.join(repr(m) for m in missing)} (first at row {int(np.argmax(unseen))}); a family "
            "intercept or slope can only be predicted for families with a model in the training data"
        )
    out = np.zeros((len(labels), len(classes)))
    out[np.arange(len(labels)), idx] = 1.0
    return out
