"""Suites and held-out family groups of the leave-one-family-out experiment (paper §4.2).

A *suite* is a set of benchmarks (LB v1, LB v2 or both).  For a suite and a number ``n_train_models`` of
smallest models of the held-out families kept in training, the usable models are those with every benchmark
of the suite, a size and a token count, in variant families with at least ``n_train_models + 1`` such models.

A *group* is a list of variant families held out together (base, instruct and fine-tune lines of one
original family).  Every family of the group contributes its ``n_train_models`` smallest models to training
and the rest to test; every other family is fully in training.  Groups come either from the paper
(``config/paper_test_groups.yaml``) or are built automatically from the registry's original families.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slothpipe.errors import ConfigError, DataError

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: Columns of the dataset the evaluation needs besides the benchmarks.
DESIGN_COLUMNS = (
    "model",
    "family",
    "variant_family",
    "instruct",
    "params_b",
    "tokens_t",
    "log_params",
    "log_tokens",
)


@dataclass(frozen=True)
class Group:
    """A held-out group: its id (file-safe, from the first family) and its variant families."""

    id: str
    families: tuple[str, ...]
    expected_n_test: int | None = None

    @property
    def label(self) -> str:
        return "+".join(self.families)


def group_id(first_family: str) -> str:
    """File-safe id of a group, from its first family name (``open_llama_`` stays ``open_llama_``)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", first_family).strip("-")
    if not slug:
        raise ConfigError(f"cannot make a group id from family name {first_family!r}")
    return slug


def suite_frame(dataset: pd.DataFrame, benchmarks: list[str], n_train_models: int) -> pd.DataFrame:
    """Models usable in a suite, sorted by (variant family, size, model id) as in the paper's ``prep_data``.

    Keeps rows with every benchmark of the suite, size and tokens, then variant families with at least
    ``n_train_models + 1`` rows (``min_models`` in the authors' code).
    """
    missing = [c for c in (*DESIGN_COLUMNS, *benchmarks) if c not in dataset.columns]
    if missing:
        raise DataError(f"dataset: missing column(s) {missing}")
    frame = dataset.dropna(subset=["params_b", "tokens_t", *benchmarks]).copy()
    counts = frame.groupby("variant_family")["model"].transform("size")
    frame = frame[counts >= n_train_models + 1]
    frame = frame.sort_values(["variant_family", "params_b", "model"], kind="mergesort").reset_index(
        drop=True
    )
    return frame


def paper_groups(spec: dict[Any, Any], suite: str, n_train_models: int) -> list[Group]:
    """The paper's groups for ``suite`` and ``n_train_models`` from the parsed ``paper_test_groups.yaml``."""
    try:
        entries = spec[suite][n_train_models]
    except KeyError:
        raise ConfigError(
            f"paper test groups: no groups for suite {suite!r} with n_train_models={n_train_models} "
            f"(the file defines suites {sorted(spec)})"
        ) from None
    groups = []
    for i, entry in enumerate(entries):
        families = tuple(entry["families"])
        if not families:
            raise ConfigError(f"paper test groups: group {i} of {suite}/{n_train_models} has no families")
        groups.append(Group(group_id(families[0]), families, entry.get("n_test_models")))
    _check_unique(groups, f"{suite}/{n_train_models}")
    return groups


def auto_groups(frame: pd.DataFrame, n_train_models: int) -> list[Group]:
    """One group per original family whose variant families leave at least one model for testing.

    ``frame`` is a :func:`suite_frame`.  The group holds every variant family of that original family present
    in the frame (base first, then the others alphabetically); groups are ordered by id.
    """
    groups = []
    for family, sub in frame.groupby("family", sort=True):
        sizes = sub.groupby("variant_family")["model"].size()
        if int((sizes - n_train_models).clip(lower=0).sum()) == 0:
            continue
        variants = sorted(sizes.index, key=lambda v: (v != family, v))
        groups.append(Group(group_id(variants[0]), tuple(variants)))
    groups.sort(key=lambda g: g.id)
    _check_unique(groups, "auto")
    return groups


def _check_unique(groups: list[Group], where: str) -> None:
    ids = [g.id for g in groups]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"test groups {where}: group ids {dupes} are not unique")


@dataclass(frozen=True)
class Split:
    """Row positions (into a suite frame) of the training and test models of one fold."""

    train: np.ndarray
    test: np.ndarray
    absent_families: tuple[str, ...]


def split_group(frame: pd.DataFrame, group: Group, n_train_models: int) -> Split:
    """Leave-one-group-out split: each family of the group keeps its ``n_train_models`` smallest models in
    training (the frame's order breaks ties); all other families are fully in training."""
    in_group = frame["variant_family"].isin(group.families).to_numpy()
    test_mask = np.zeros(len(frame), dtype=bool)
    for family in group.families:
        positions = np.flatnonzero(frame["variant_family"].to_numpy() == family)
        test_mask[positions[n_train_models:]] = True
    present = set(frame.loc[in_group, "variant_family"])
    absent = tuple(f for f in group.families if f not in present)
    if not present:
        raise DataError(
            f"test group {group.label}: none of its families is in the data of this suite "
            f"(families need at least {n_train_models + 1} models with every benchmark, size and tokens)"
        )
    return Split(np.flatnonzero(~test_mask), np.flatnonzero(test_mask), absent)


def plan(
    dataset: pd.DataFrame,
    *,
    suites: dict[str, list[str]],
    n_train_models: list[int],
    mode: str,
    paper_spec: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """The folds of the experiment: for every suite and setting, the groups with their test-model counts.

    ``mode`` is ``"paper"`` (groups of ``paper_spec``) or ``"auto"`` (:func:`auto_groups`).  Groups left with
    no test model are dropped with a warning.  The result is JSON-serialisable and ordered deterministically.
    """
    if mode not in ("paper", "auto"):
        raise ConfigError(f"evaluation.groups must be 'paper' or 'auto', not {mode!r}")
    if mode == "paper" and paper_spec is None:
        raise ConfigError("evaluation.groups is 'paper' but no paper groups file was given")
    settings = []
    for suite, benchmarks in suites.items():
        for n in n_train_models:
            frame = suite_frame(dataset, benchmarks, n)
            groups = paper_groups(paper_spec, suite, n) if mode == "paper" else auto_groups(frame, n)
            entries = []
            for group in groups:
                try:
                    split = split_group(frame, group, n)
                except DataError as exc:
                    log.warning("%s (suite %s, n_train_models=%d): group dropped", exc, suite, n)
                    continue
                if len(split.test) == 0:
                    log.warning(
                        "group %s (suite %s, n_train_models=%d) has no test model: dropped",
                        group.label,
                        suite,
                        n,
                    )
                    continue
                entries.append(
                    {
                        "id": group.id,
                        "families": list(group.families),
                        "n_train_models_in_group": int(
                            frame["variant_family"].isin(group.families).sum() - len(split.test)
                        ),
                        "n_test_models": len(split.test),
                        "paper_n_test_models": group.expected_n_test,
                        "absent_families": list(split.absent_families),
                        "test_models": frame["model"].iloc[split.test].tolist(),
                    }
                )
            settings.append(
                {
                    "suite": suite,
                    "n_train_models": n,
                    "benchmarks": list(benchmarks),
                    "n_models": len(frame),
                    "n_families": int(frame["variant_family"].nunique()),
                    "groups": entries,
                }
            )
    return {"mode": mode, "settings": settings}


def find_group(plan_: dict[str, Any], suite: str, n_train_models: int, group: str) -> Group:
    """The :class:`Group` of a plan entry (raises ConfigError if absent)."""
    for setting in plan_["settings"]:
        if setting["suite"] == suite and setting["n_train_models"] == n_train_models:
            for entry in setting["groups"]:
                if entry["id"] == group:
                    return Group(entry["id"], tuple(entry["families"]), entry.get("paper_n_test_models"))
    raise ConfigError(
        f"no group {group!r} for suite {suite!r} and n_train_models={n_train_models} in the plan"
    )
