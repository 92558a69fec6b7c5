"""The headline comparison refitted under another fitting protocol (issue 27: why the ranking differs).

The pipeline's folds are fitted by our protocol (``lbfgs``: the paper's loss plus a small ridge term, L-BFGS-B
to convergence; ``docs/numerics.md``).  The authors fit by Adam with early stopping on the training MAE
(``solver="adam_paper"``), and one such run depends on its seed.  The ``protocol_comparison`` target
(``workflow/rules/evaluation.smk``, not part of the default run) refits a few methods on chosen held-out
groups under that solver with several seeds; this module names those runs and fits one fold
(:mod:`slothpipe.evaluation.protocol_tables` collects them, with a ``protocol`` column ``<solver>_s<seed>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from slothpipe.evaluation.folds import evaluate_fold
from slothpipe.evaluation.groups import find_group

import pandas as pd

if TYPE_CHECKING:
    from slothpipe.models.fitting import FitOptions

#: The protocol label of the pipeline's own fits (``results/evaluation/group_errors.parquet``).
OURS = "ours"


def protocol_label(solver: str, seed: int) -> str:
    """The ``protocol`` value of one refit: ``adam_paper_s0`` for solver ``adam_paper``, seed 0."""
    return f"{solver}_s{int(seed)}"


def protocol_runs(spec: Mapping[str, Any]) -> list[tuple[int, str, int, str]]:
    """Every fold of the comparison: ``(seed, suite, n_train_models, group)``, in config order.

    ``spec`` is the config's ``evaluation: headline_test: protocol`` (``seeds``, ``settings``: each a suite, a
    number of training models, a list of group ids and optionally its own ``seeds``).
    """
    runs = []
    for seed in spec["seeds"]:
        for setting in spec["settings"]:
            if int(seed) not in [int(k) for k in setting.get("seeds", spec["seeds"])]:
                continue
            for group in setting["groups"]:
                runs.append((int(seed), str(setting["suite"]), int(setting["n_train_models"]), str(group)))
    return runs


def protocol_fold(
    dataset: pd.DataFrame,
    plan: Mapping[str, Any],
    *,
    suite: str,
    benchmarks: Sequence[str],
    n_train_models: int,
    group: str,
    methods: Sequence[str],
    options: FitOptions,
) -> pd.DataFrame:
    """One fold's errors (the columns of :data:`slothpipe.evaluation.folds.FOLD_COLUMNS`) under
    ``options`` (a run's solver and seed, :func:`protocol_label`).

    The fold is the pipeline's (same split, same warm-start chains); a group absent from the plan raises
    ``ConfigError`` (:func:`slothpipe.evaluation.groups.find_group`).
    """
    found = find_group(dict(plan), suite, int(n_train_models), group)
    return evaluate_fold(
        dataset,
        suite=suite,
        benchmarks=list(benchmarks),
        n_train_models=int(n_train_models),
        group=found,
        methods=list(methods),
        options=options,
    )
