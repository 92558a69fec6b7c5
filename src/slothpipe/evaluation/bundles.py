"""Which methods share a fold job.

A fold job fits a *bundle* of methods on one held-out group.  Bundles follow the warm-start chains of the
model registry (a "Sloth" fit starts from the "Sloth basic" fit of the same d, so both live in one job) and
the kind of model, so that changing the selection or settings of one kind of method re-runs only that
kind's jobs:

``baselines``  per-benchmark laws (FLOPs, FLOPs (shared intercept), Size and Tokens and their variants)
               and PCA + FLOPs (d=1..4)
``sloth``      Sloth basic / Sloth, with family intercepts and with one shared intercept (d=1..4)

Two jobs per fold rather than one per kind of method: every job pays about 1.3 s of interpreter, import and
scheduling start-up, which for the 73 folds of the paper's grid is worth more than a finer re-run
granularity (measured on 2 cores: 5 bundles per fold spent 440 of 1031 CPU-seconds in start-up; with 3
bundles -- shared-intercept Sloth apart -- the grid took 612 s, with these 2 it takes less; see
benchmarks/grid.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BUNDLE_ORDER = ("baselines", "sloth")


def bundle_of(spec: Any) -> str:
    """The bundle of a registry :class:`~slothpipe.models.methods.MethodSpec`."""
    return "sloth" if spec.kind == "sloth" else "baselines"


def method_bundles(names: Sequence[str], registry: Mapping[str, Any]) -> dict[str, list[str]]:
    """Bundle -> selected method names (registry order within a bundle), only non-empty bundles, in
    :data:`BUNDLE_ORDER`.  Unknown names raise ``ValueError`` listing the known ones."""
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; known methods: {', '.join(registry)}")
    chosen = set(names)
    out: dict[str, list[str]] = {}
    for name, spec in registry.items():
        if name in chosen:
            out.setdefault(bundle_of(spec), []).append(name)
    return {b: out[b] for b in BUNDLE_ORDER if b in out}


def uses_random_starts(names: Sequence[str], registry: Mapping[str, Any]) -> bool:
    """Whether any of the methods is fitted from random starts (PCA + FLOPs is closed-form)."""
    return any(registry[n].random_starts for n in names)
