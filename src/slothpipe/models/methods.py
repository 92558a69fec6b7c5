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


@dataclass(frozen=True, kw_only=True)
class MethodSpec:
    """One method of the prediction experiments.

    ``kind`` is ``"per_benchmark"`` (:class:`~slothpipe.models.laws.PerBenchmarkLaw`), ``"pca"``
    (:class:`~slothpipe.models.pca_flops.PCAFlopsRegressor`) or ``"sloth"``
    (:class:`~slothpipe.models.laws.SlothRegressor`).  ``settings`` are the estimator's keyword arguments
    (without chance levels, seeds and restarts, which :func:`fit_predict` supplies); ``warm_start`` is the
    slug of the method whose fit initialises this one.  ``in_main_figures`` says whether the paper plots it
    at all; ``shown_n_train_models`` in which settings; ``complete_plot_only`` whether only in the "complete"
    heat-maps (the shared-intercept Sloth rows of Figures 11, 12 and the complete 16/17).  Built with keywords
    only.
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


def _law(covariates: str, intercept: str, link: str, floor: str) -> dict:
    """The settings of a per-benchmark law (:class:`~slothpipe.models.laws.PerBenchmarkLaw`)."""
    return dict(covariates=covariates, intercept=intercept, link=link, floor=floor)


def _build_methods() -> dict[str, MethodSpec]:
    pb = "per_benchmark"
    specs = [
        MethodSpec(
            name="flops_shared",
            paper_code="logF_sigmoid",
            paper_index=0,
            label="FLOPs (shared intercept)",
            kind=pb,
            in_main_figures=True,
            settings=_law("flops", "shared", "sigmoid", "learned"),
            shown_n_train_models=(1,),
        ),
        MethodSpec(
            name="flops",
            paper_code="logF_sigmoid_faminter",
            paper_index=2,
            label="FLOPs",
            kind=pb,
            in_main_figures=True,
            settings=_law("flops", "family", "sigmoid", "learned"),
        ),
        MethodSpec(
            name="size_tokens",
            paper_code="logSlogT_trainlink_faminter",
            paper_index=7,
            label="Size and Tokens",
            kind=pb,
            in_main_figures=True,
            settings=_law("size_tokens", "family", "monotone", "learned"),
            warm_start="size_tokens_basic",
        ),
    ]
    for d in range(1, 5):
        specs.append(
            MethodSpec(
                name=f"pca_flops_d{d}",
                paper_code=f"pca_d={d}",
                paper_index=7 + d,
                label=f"PCA + FLOPs (d={d})",
                kind="pca",
                in_main_figures=True,
                settings=dict(n_components=d),
            )
        )
    # Sloth basic and Sloth, shared intercept (the "complete" heat-maps only), then family intercepts
    for intercept, first_index, suffix, code_suffix, name_suffix in (
        ("shared", 12, "_shared", "", " (shared intercept)"),
        ("family", 20, "", "_faminter", ""),
    ):
        for link, offset, stem, code, label in (
            ("sigmoid", 0, "sloth_basic", "factor_sigmoid", "Sloth basic"),
            ("monotone", 4, "sloth", "factor_trainlink", "Sloth"),
        ):
            for d in range(1, 5):
                specs.append(
                    MethodSpec(
                        name=f"{stem}{suffix}_d{d}",
                        paper_code=f"{code}{code_suffix}_d={d}",
                        paper_index=first_index + offset + d - 1,
                        label=f"{label} (d={d}){name_suffix}",
                        kind="sloth",
                        in_main_figures=True,
                        settings=dict(
                            n_skills=d,
                            intercept=intercept,
                            link=link,
                            floor="fixed" if link == "sigmoid" else "learned",
                        ),
                        warm_start=None if link == "sigmoid" else f"sloth_basic{suffix}_d{d}",
                        complete_plot_only=intercept == "shared",
                    )
                )
    # fitted by the authors, never plotted (labels are ours)
    for name, paper_code, paper_index, label, settings, warm_start in (
        (
            "flops_shared_link",
            "logF_trainlink",
            1,
            "FLOPs (shared intercept, trainable link)",
            _law("flops", "shared", "monotone", "learned"),
            "flops_shared",
        ),
        (
            "flops_link",
            "logF_trainlink_faminter",
            3,
            "FLOPs (trainable link)",
            _law("flops", "family", "monotone", "learned"),
            "flops",
        ),
        (
            "size_tokens_basic_shared",
            "logSlogT_sigmoid",
            4,
            "Size and Tokens basic (shared intercept)",
            _law("size_tokens", "shared", "sigmoid", "fixed"),
            None,
        ),
        (
            "size_tokens_shared",
            "logSlogT_trainlink",
            5,
            "Size and Tokens (shared intercept)",
            _law("size_tokens", "shared", "monotone", "learned"),
            "size_tokens_basic_shared",
        ),
        (
            "size_tokens_basic",
            "logSlogT_sigmoid_faminter",
            6,
            "Size and Tokens basic",
            _law("size_tokens", "family", "sigmoid", "fixed"),
            None,
        ),
    ):
        specs.append(
            MethodSpec(
                name=name,
                paper_code=paper_code,
                paper_index=paper_index,
                label=label,
                kind=pb,
                in_main_figures=False,
                settings=settings,
                warm_start=warm_start,
                shown_n_train_models=(),
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
