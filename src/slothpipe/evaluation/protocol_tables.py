"""Tables of the protocol comparison (issue 27): the refits' per-group errors, our fits of the same folds,
and each method's mean error per protocol next to the paper's (:mod:`slothpipe.evaluation.protocol` fits)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from slothpipe.errors import ConfigError
from slothpipe.evaluation.aggregate import group_errors
from slothpipe.evaluation.protocol import OURS

import pandas as pd


def protocol_group_errors(folds: Iterable[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Per-group errors of the refits: ``(protocol, fold errors)`` pairs -> the columns of
    :func:`slothpipe.evaluation.aggregate.group_errors` with ``protocol`` first, sorted by protocol."""
    pieces = []
    for label, errors in folds:
        if len(errors) == 0:
            continue
        table = group_errors(errors)
        table.insert(0, "protocol", label)
        pieces.append(table)
    if not pieces:
        raise ConfigError("evaluation: headline_test: protocol: no fold has test models")
    out = pd.concat(pieces, ignore_index=True)
    keys = ["protocol", "suite", "n_train_models", "method", "group", "benchmark"]
    return out.sort_values(keys, kind="mergesort").reset_index(drop=True)


#: Columns of ``results/tables/protocol_mae.csv``.
MAE_COLUMNS = [
    "suite",
    "n_train_models",
    "method",
    "protocol",
    "n_groups",
    "mae_pp",
    "paper_mae_pp",
    "delta_pp",
]


def seed_mean_label(labels: Sequence[str]) -> str | None:
    """``<solver>_seedmean`` when every label is ``<solver>_s<k>`` of one solver and there are several."""
    solvers = {label.rsplit("_s", 1)[0] for label in labels}
    return f"{solvers.pop()}_seedmean" if len(labels) > 1 and len(solvers) == 1 else None


def with_ours(protocol_groups: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The refits' per-group errors, then their mean over seeds (``<solver>_seedmean``: the expected error of
    one run with a random seed), then our own fits of exactly the same settings, groups and methods
    (``protocol`` :data:`OURS`); the columns of ``protocol_groups``."""
    keys = ["suite", "n_train_models", "method", "group", "benchmark"]
    labels = list(dict.fromkeys(protocol_groups["protocol"]))
    parts = [protocol_groups]
    mean_label = seed_mean_label(labels)
    if mean_label is not None:
        mean = protocol_groups.groupby(keys, sort=True)[["mae_pp"]].mean().reset_index()
        mean.insert(0, "protocol", mean_label)
        parts.append(mean)
    cells = protocol_groups[keys].drop_duplicates()
    ours = groups.merge(cells, on=keys, how="inner")
    ours.insert(0, "protocol", OURS)
    parts.append(ours)
    return pd.concat(parts, ignore_index=True)[["protocol", *keys, "mae_pp"]]


def protocol_mae(table: pd.DataFrame, paper: Mapping[Any, Any], codes: Mapping[str, str]) -> pd.DataFrame:
    """Mean over held-out groups of each method's per-group MAE, per protocol and setting, next to the paper's
    number when the refits cover every group of the paper's setting (else NaN).  ``codes``: slug -> paper
    code; ``paper``: ``config/paper_mae.yaml``."""
    rows = []
    per_group = table.groupby(["protocol", "suite", "n_train_models", "method", "group"], sort=False)[
        "mae_pp"
    ].mean()
    for (label, suite, n, method), values in per_group.groupby(level=[0, 1, 2, 3], sort=False):
        entry = paper.get(suite, {}).get(int(n), {}) or paper.get(suite, {}).get(str(n), {})
        value = float("nan")
        if entry and len(values) == int(entry.get("n_test_groups", -1)):
            value = float(entry["mae_pp"].get(codes.get(method, ""), float("nan")))
        mae = float(values.mean())
        rows.append((suite, int(n), method, label, len(values), mae, value, mae - value))
    out = pd.DataFrame(rows, columns=MAE_COLUMNS)
    return out.sort_values(["suite", "n_train_models", "method"], kind="mergesort").reset_index(drop=True)
