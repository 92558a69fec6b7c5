"""The stage's output tables ``obsscaling_mse.csv`` and ``obsscaling_cutoff_sweep.csv`` (issue 12, item 5)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

MSE_COLUMNS = ["application", "target", "predictor", "n_train", "n_test", "mse_train", "mse_test"]
SWEEP_COLUMNS = ["application", "target", "predictor", "aue"]
APPLICATION_ORDER = ("emergent", "agentic", "post_training")
#: Row order of the predictors: compute baselines, PCs, then the Sloth predictors by kind and skills.
PREDICTOR_ORDER = (
    "size",
    "flops",
    "pc1",
    *(f"pc1-{k}" for k in range(2, 8)),
    *(f"sloth_skills_d{d}" for d in range(1, 8)),
    *(f"sloth_law_d{d}" for d in range(1, 8)),
)


def _ordered(frame: pd.DataFrame, targets: Sequence[str], predictors: Sequence[str]) -> pd.DataFrame:
    """Rows by application (fixed order), target (config order), predictor (PCs/baselines, then Sloth)."""
    app = {a: i for i, a in enumerate(APPLICATION_ORDER)}
    tgt = {t: i for i, t in enumerate(targets)}
    pred = {p: i for i, p in enumerate(predictors)}
    unknown = sorted(set(frame["predictor"]) - set(pred))
    pred.update({p: len(pred) + i for i, p in enumerate(unknown)})
    key = pd.DataFrame(
        {
            "a": frame["application"].map(app),
            "t": frame["target"].map(tgt),
            "p": frame["predictor"].map(pred),
        }
    )
    order = key.sort_values(["a", "t", "p"], kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)


def mse_table(summaries: Sequence[pd.DataFrame], targets: Sequence[str], predictors: Sequence[str]):
    """One row per application × target × predictor with the issue's columns."""
    frame = pd.concat(list(summaries), ignore_index=True)[MSE_COLUMNS]
    return _ordered(frame, targets, predictors)


def sweep_table(aues: Sequence[pd.DataFrame], targets: Sequence[str], predictors: Sequence[str]):
    """One row per application × target × predictor of the cutoff sweep: the area under the test-MSE curve."""
    frame = pd.concat(list(aues), ignore_index=True)[SWEEP_COLUMNS]
    return _ordered(frame, targets, predictors)
