"""What the fits of the paper's 28 methods depend on: kind, estimator settings, seed index and warm start.

The numeric half of the method table.  :mod:`slothpipe.models.methods` adds what the figures and tables
show (labels, the paper's code names, which heat-maps show a method) to the same slugs; the fitting engine
(:mod:`slothpipe.models.fitting`) reads only this module, so editing a label re-runs no fit: the workflow's
code inputs follow imports (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from slothpipe.leaderboards import CHANCE_LEVELS as _TABLE_CHANCE_LEVELS

import numpy as np

#: Floors γ_j = chance levels (paper §4.2, footnote 4; Sloth code ``definitions.lower_bounds``), from the
#: benchmark table (:mod:`slothpipe.leaderboards`).
CHANCE_LEVELS: dict[str, float] = dict(_TABLE_CHANCE_LEVELS)

#: The method kinds; :data:`slothpipe.models.fitting.ESTIMATORS` gives each its estimator class.
KINDS: tuple[str, ...] = ("per_benchmark", "pca", "sloth")


@dataclass(frozen=True, kw_only=True)
class FitSpec:
    """How one method is fitted.

    ``kind`` is ``"per_benchmark"`` (:class:`~slothpipe.models.laws.PerBenchmarkLaw`), ``"pca"``
    (:class:`~slothpipe.models.pca_flops.PCAFlopsRegressor`) or ``"sloth"``
    (:class:`~slothpipe.models.laws.SlothRegressor`).  ``settings`` are the estimator's keyword arguments
    (without chance levels, seeds and restarts, which :func:`~slothpipe.models.fitting.fit_predict` supplies);
    ``paper_index`` is the method's position 0–27 in the authors' error arrays, which also seeds its random
    starts; ``warm_start`` is the slug of the method whose fit initialises this one.
    """

    name: str
    kind: str
    paper_index: int
    settings: dict = field(default_factory=dict)
    warm_start: str | None = None

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


#: The Sloth rows: (intercept, first paper index, slug suffix) x (link, index offset, slug stem), d = 1..4.
SLOTH_INTERCEPTS = (("shared", 12, "_shared"), ("family", 20, ""))
SLOTH_LINKS = (("sigmoid", 0, "sloth_basic"), ("monotone", 4, "sloth"))
#: The per-benchmark laws the authors fitted but never plotted: slug, paper index, settings, warm start.
UNPLOTTED_LAWS = (
    ("flops_shared_link", 1, _law("flops", "shared", "monotone", "learned"), "flops_shared"),
    ("flops_link", 3, _law("flops", "family", "monotone", "learned"), "flops"),
    ("size_tokens_basic_shared", 4, _law("size_tokens", "shared", "sigmoid", "fixed"), None),
    (
        "size_tokens_shared",
        5,
        _law("size_tokens", "shared", "monotone", "learned"),
        "size_tokens_basic_shared",
    ),
    ("size_tokens_basic", 6, _law("size_tokens", "family", "sigmoid", "fixed"), None),
)


def _build_fit_specs() -> dict[str, FitSpec]:
    """Every method, in the rows' order of the paper's heat-maps, then the five unplotted laws."""
    pb = "per_benchmark"
    specs = [
        FitSpec(
            name="flops_shared",
            kind=pb,
            paper_index=0,
            settings=_law("flops", "shared", "sigmoid", "learned"),
        ),
        FitSpec(name="flops", kind=pb, paper_index=2, settings=_law("flops", "family", "sigmoid", "learned")),
        FitSpec(
            name="size_tokens",
            kind=pb,
            paper_index=7,
            settings=_law("size_tokens", "family", "monotone", "learned"),
            warm_start="size_tokens_basic",
        ),
    ]
    specs += [
        FitSpec(name=f"pca_flops_d{d}", kind="pca", paper_index=7 + d, settings=dict(n_components=d))
        for d in range(1, 5)
    ]
    for intercept, first_index, suffix in SLOTH_INTERCEPTS:
        for link, offset, stem in SLOTH_LINKS:
            for d in range(1, 5):
                floor = "fixed" if link == "sigmoid" else "learned"
                specs.append(
                    FitSpec(
                        name=f"{stem}{suffix}_d{d}",
                        kind="sloth",
                        paper_index=first_index + offset + d - 1,
                        settings=dict(n_skills=d, intercept=intercept, link=link, floor=floor),
                        warm_start=None if link == "sigmoid" else f"sloth_basic{suffix}_d{d}",
                    )
                )
    for name, paper_index, settings, warm_start in UNPLOTTED_LAWS:
        specs.append(
            FitSpec(name=name, kind=pb, paper_index=paper_index, settings=settings, warm_start=warm_start)
        )
    return {s.name: s for s in specs}


FIT_SPECS: dict[str, FitSpec] = _build_fit_specs()


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
        spec = FIT_SPECS[name]
        out[name] = {
            "kind": spec.kind,
            "settings": dict(spec.settings),
            "paper_index": spec.paper_index,
            "warm_start": spec.warm_start,
        }
        if spec.warm_start is not None:
            todo.append(spec.warm_start)
    return dict(sorted(out.items()))
