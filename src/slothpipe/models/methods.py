"""The method table: the 28 methods of the paper's prediction experiments (paper §4.2).

``METHODS`` maps our stable slug to a :class:`MethodSpec`; it is ordered as the rows of the paper's heat-maps
(FLOPs (shared intercept), FLOPs, Size and Tokens, PCA + FLOPs d=1..4, Sloth basic/Sloth (shared intercept)
d=1..4, Sloth basic/Sloth d=1..4), followed by the five methods the authors fitted but never plotted, in
their code order.  ``paper_code`` is the authors' name (``definitions.methods_names``, as in
``paper_mae_summary.csv``) and ``paper_index`` its position 0–27 in their error arrays.

Plain data: fitting a method is :mod:`slothpipe.models.fitting`'s job, so code that only needs the methods'
names and labels (tables, figures) does not depend on the fitting engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from slothpipe.leaderboards import CHANCE_LEVELS as _TABLE_CHANCE_LEVELS

#: Floors γ_j = chance levels (paper §4.2, footnote 4; Sloth code ``definitions.lower_bounds``), from the
#: benchmark table (:mod:`slothpipe.leaderboards`).
CHANCE_LEVELS: dict[str, float] = dict(_TABLE_CHANCE_LEVELS)

#: The method kinds; :data:`slothpipe.models.fitting.ESTIMATORS` gives each its estimator class.
KINDS: tuple[str, ...] = ("per_benchmark", "pca", "sloth")


@dataclass(frozen=True)
class MethodSpec:
    """One method of the prediction experiments.

    ``kind`` is ``"per_benchmark"`` (:class:`~slothpipe.models.laws.PerBenchmarkLaw`), ``"pca"``
    (:class:`~slothpipe.models.pca_flops.PCAFlopsRegressor`) or ``"sloth"``
    (:class:`~slothpipe.models.laws.SlothRegressor`).  ``settings`` are the estimator's keyword arguments
    (without chance levels, seeds and restarts, which :func:`fit_predict` supplies); ``warm_start`` is the
    slug of the method whose fit initialises this one.  ``in_main_figures`` says whether the paper plots it
    at all; ``shown_n_train_models`` in which settings; ``complete_plot_only`` whether only in the "complete"
    heat-maps (the shared-intercept Sloth rows of Figures 11, 12 and the complete 16/17).
    """

    name: str
    paper_code: str
    paper_index: int
    label: str
    kind: str
    in_main_figures: bool
    settings: dict = field(default_factory=dict)
    warm_start: str | None = None
    shown_n_train_models: tuple[int, ...] = (1, 2)
    complete_plot_only: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"method {self.name}: unknown kind {self.kind!r}; known: {', '.join(KINDS)}")

    @property
    def random_starts(self) -> bool:
        """Whether the method is fitted from seeded random starts (PCA + FLOPs is closed-form)."""
        return self.kind != "pca"

    @property
    def dimension(self) -> str | None:
        """The hyper-parameter holding d (``n_skills``, ``n_components``); None for per-benchmark laws."""
        return {"pca": "n_components", "sloth": "n_skills"}.get(self.kind)


def _build_methods() -> dict[str, MethodSpec]:
    specs: list[MethodSpec] = []
    pb = "per_benchmark"
    specs.append(
        MethodSpec(
            "flops_shared",
            "logF_sigmoid",
            0,
            "FLOPs (shared intercept)",
            pb,
            True,
            dict(covariates="flops", intercept="shared", link="sigmoid", floor="learned"),
            shown_n_train_models=(1,),
        )
    )
    specs.append(
        MethodSpec(
            "flops",
            "logF_sigmoid_faminter",
            2,
            "FLOPs",
            pb,
            True,
            dict(covariates="flops", intercept="family", link="sigmoid", floor="learned"),
        )
    )
    specs.append(
        MethodSpec(
            "size_tokens",
            "logSlogT_trainlink_faminter",
            7,
            "Size and Tokens",
            pb,
            True,
            dict(covariates="size_tokens", intercept="family", link="monotone", floor="learned"),
            warm_start="size_tokens_basic",
        )
    )
    for d in range(1, 5):
        specs.append(
            MethodSpec(
                f"pca_flops_d{d}",
                f"pca_d={d}",
                7 + d,
                f"PCA + FLOPs (d={d})",
                "pca",
                True,
                dict(n_components=d),
            )
        )
    for d in range(1, 5):
        specs.append(
            MethodSpec(
                f"sloth_basic_shared_d{d}",
                f"factor_sigmoid_d={d}",
                11 + d,
                f"Sloth basic (d={d}) (shared intercept)",
                "sloth",
                True,
                dict(n_skills=d, intercept="shared", link="sigmoid", floor="fixed"),
                complete_plot_only=True,
            )
        )
    for d in range(1, 5):
        specs.append(
            MethodSpec(
                f"sloth_shared_d{d}",
                f"factor_trainlink_d={d}",
                15 + d,
                f"Sloth (d={d}) (shared intercept)",
                "sloth",
                True,
                dict(n_skills=d, intercept="shared", link="monotone", floor="learned"),
                warm_start=f"sloth_basic_shared_d{d}",
                complete_plot_only=True,
            )
        )
    for d in range(1, 5):
        specs.append(
            MethodSpec(
                f"sloth_basic_d{d}",
                f"factor_sigmoid_faminter_d={d}",
                19 + d,
                f"Sloth basic (d={d})",
                "sloth",
                True,
                dict(n_skills=d, intercept="family", link="sigmoid", floor="fixed"),
            )
        )
    for d in range(1, 5):
        specs.append(
            MethodSpec(
                f"sloth_d{d}",
                f"factor_trainlink_faminter_d={d}",
                23 + d,
                f"Sloth (d={d})",
                "sloth",
                True,
                dict(n_skills=d, intercept="family", link="monotone", floor="learned"),
                warm_start=f"sloth_basic_d{d}",
            )
        )
    # fitted by the authors, never plotted (labels are ours)
    hidden = dict(in_main_figures=False, shown_n_train_models=())
    specs.append(
        MethodSpec(
            "flops_shared_link",
            "logF_trainlink",
            1,
            "FLOPs (shared intercept, trainable link)",
            pb,
            settings=dict(covariates="flops", intercept="shared", link="monotone", floor="learned"),
            warm_start="flops_shared",
            **hidden,
        )
    )
    specs.append(
        MethodSpec(
            "flops_link",
            "logF_trainlink_faminter",
            3,
            "FLOPs (trainable link)",
            pb,
            settings=dict(covariates="flops", intercept="family", link="monotone", floor="learned"),
            warm_start="flops",
            **hidden,
        )
    )
    specs.append(
        MethodSpec(
            "size_tokens_basic_shared",
            "logSlogT_sigmoid",
            4,
            "Size and Tokens basic (shared intercept)",
            pb,
            settings=dict(covariates="size_tokens", intercept="shared", link="sigmoid", floor="fixed"),
            **hidden,
        )
    )
    specs.append(
        MethodSpec(
            "size_tokens_shared",
            "logSlogT_trainlink",
            5,
            "Size and Tokens (shared intercept)",
            pb,
            settings=dict(covariates="size_tokens", intercept="shared", link="monotone", floor="learned"),
            warm_start="size_tokens_basic_shared",
            **hidden,
        )
    )
    specs.append(
        MethodSpec(
            "size_tokens_basic",
            "logSlogT_sigmoid_faminter",
            6,
            "Size and Tokens basic",
            pb,
            settings=dict(covariates="size_tokens", intercept="family", link="sigmoid", floor="fixed"),
            **hidden,
        )
    )
    return {s.name: s for s in specs}


METHODS: dict[str, MethodSpec] = _build_methods()
#: Slugs in the authors' code order (``paper_index`` 0–27).
PAPER_ORDER: tuple[str, ...] = tuple(sorted(METHODS, key=lambda k: METHODS[k].paper_index))


def method_by_paper_code(code: str) -> MethodSpec:
    """The spec whose ``paper_code`` is ``code`` (e.g. ``"factor_trainlink_faminter_d=2"``)."""
    for spec in METHODS.values():
        if spec.paper_code == code:
            return spec
    raise ValueError(f"unknown paper method code {code!r}")


def chance_levels(benchmarks: Sequence[str]) -> np.ndarray:
    """γ_j for the benchmark names (paper §4.2, footnote 4); an unknown name raises ``ValueError``."""
    out = []
    for name in benchmarks:
        if name not in CHANCE_LEVELS:
            raise ValueError(
                f"no chance level for benchmark {name!r}; known benchmarks: {', '.join(CHANCE_LEVELS)}"
            )
        out.append(CHANCE_LEVELS[name])
    return np.array(out, dtype=float)


def fit_settings(names: Sequence[str]) -> dict[str, dict]:
    """What the fitted numbers of the methods ``names`` depend on in this table, as plain data.

    For each method and each of its warm-start ancestors (whose fits it starts from): the kind, the estimator
    settings, the seed index (``paper_index``) and the warm start.  Not the labels, codes and figure choices:
    the fold jobs' params hold this (workflow/rules/common.smk), so editing a label re-runs no fit while
    editing a setting re-runs exactly the folds of that method's bundle.
    """
    out: dict[str, dict] = {}
    todo = [str(n) for n in names]
    while todo:
        name = todo.pop(0)
        if name in out:
            continue
        spec = METHODS[name]
        out[name] = {
            "kind": spec.kind,
            "settings": dict(spec.settings),
            "paper_index": spec.paper_index,
            "warm_start": spec.warm_start,
        }
        if spec.warm_start is not None:
            todo.append(spec.warm_start)
    return dict(sorted(out.items()))
