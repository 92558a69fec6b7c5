"""The skills model of the paper's interpretation analyses (paper section 4.3, App. A.1 / I; digest §9.1).

Sloth basic (sigmoid link, floors fixed at chance, family intercepts) fitted on every model that has all the
benchmarks, a size and a token count (no minimum family size: 79 models and 31 families on the paper's
data), in **log10** units of params (B) and tokens (T) as the authors' notebooks, best of several random
starts; then whitened, geomin-oblique rotated, sign-fixed by an anchor covariate and centred
(:func:`slothpipe.models.interpret.interpret`).  The downstream, link-function and test-time analyses reuse
it with some models left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from slothpipe.errors import DataError
from slothpipe.models.interpret import Interpretation, interpret, name_skills
from slothpipe.models.laws import SlothRegressor
from slothpipe.models.registry import chance_levels

#: The 12 benchmarks in the column order of the paper's loadings figures (digest §6.2).
PLOT_ORDER = [
    "GSM8K",
    "MATH Lvl 5",
    "GPQA",
    "MMLU",
    "MMLU-PRO",
    "BBH",
    "MUSR",
    "TruthfulQA",
    "ARC",
    "HellaSwag",
    "Winogrande",
    "IFEval",
]


def skills_frame(
    dataset: pd.DataFrame, benchmarks: Sequence[str], *, exclude: Iterable[str] = (), log_base: float = 10.0
) -> pd.DataFrame:
    """Models with every benchmark, size and tokens (minus ``exclude``), sorted by model id.

    Adds ``u`` = log_base(params_b) and ``v`` = log_base(tokens_t).  ``exclude`` must name dataset models.
    """
    exclude = list(exclude)
    unknown = sorted(set(exclude) - set(dataset["model"]))
    if unknown:
        raise DataError(f"dataset: no model(s) {unknown} to exclude")
    missing = [b for b in benchmarks if b not in dataset.columns]
    if missing:
        raise DataError(f"dataset: missing benchmark column(s) {missing}")
    frame = dataset.dropna(subset=["params_b", "tokens_t", *benchmarks])
    frame = frame[~frame["model"].isin(exclude)].sort_values("model", kind="mergesort").reset_index(drop=True)
    frame = frame.assign(
        u=np.log(frame["params_b"]) / np.log(log_base), v=np.log(frame["tokens_t"]) / np.log(log_base)
    )
    return frame


@dataclass(frozen=True)
class SkillsFit:
    """A fitted skills model, its interpretation and the rows it was fitted on."""

    model: SlothRegressor
    interpretation: Interpretation
    frame: pd.DataFrame
    benchmarks: list[str]
    names: list[str]

    @property
    def loadings(self) -> pd.DataFrame:
        """d x J loadings, rows named by content, columns = benchmarks."""
        return pd.DataFrame(self.interpretation.loadings, index=self.names, columns=self.benchmarks)

    @property
    def skills(self) -> pd.DataFrame:
        """Centred rotated skills of the training rows (index = model id)."""
        index = self.frame["model"].to_numpy()
        return pd.DataFrame(self.interpretation.skills, index=index, columns=self.names)


def fit_skills(
    frame: pd.DataFrame,
    benchmarks: Sequence[str],
    *,
    n_skills: int,
    n_restarts: int = 20,
    random_state: int = 0,
    intercept: str = "family",
    anchor: int = 0,
    **estimator_kwargs,
) -> SkillsFit:
    """Fit Sloth basic on ``frame`` (from :func:`skills_frame`), best of ``n_restarts`` starts, and interpret.

    ``estimator_kwargs`` go to :class:`SlothRegressor` (e.g. ``max_iter``).
    """
    benchmarks = list(benchmarks)
    X = frame[["u", "v"]].to_numpy(dtype=float)
    families = frame["variant_family"].to_numpy(dtype=str) if intercept == "family" else None
    model = SlothRegressor(
        n_skills,
        intercept=intercept,
        link="sigmoid",
        floor="fixed",
        chance=chance_levels(benchmarks),
        n_restarts=n_restarts,
        random_state=random_state,
        **estimator_kwargs,
    ).fit(X, frame[benchmarks].to_numpy(dtype=float), families)
    interpretation = interpret(model, X, families, anchor=anchor)
    names = name_skills(interpretation.loadings, benchmarks)
    return SkillsFit(model, interpretation, frame, benchmarks, list(names))
