"""The 28 methods of the paper's prediction experiments (paper §4.2) and the per-fold entry point.

``METHODS`` maps our stable slug to a :class:`MethodSpec`; it is ordered as the rows of the paper's heat-maps
(FLOPs (shared intercept), FLOPs, Size and Tokens, PCA + FLOPs d=1..4, Sloth basic/Sloth (shared intercept)
d=1..4, Sloth basic/Sloth d=1..4), followed by the five methods the authors fitted but never plotted, in
their code order.  ``paper_code`` is the authors' name (``definitions.methods_names``, as in
``paper_mae_summary.csv``) and ``paper_index`` its position 0–27 in their error arrays.

:func:`fit_predict` fits any subset of the methods on one training fold and predicts the test rows.  Warm
starts are shared: a "Sloth" fit starts from the already fitted "Sloth basic" of the same d and intercept,
"Size and Tokens" from the per-benchmark sigmoid law, and so on (Sloth code ``run_exp``), so a whole fold
costs one fit per method.  Each method's random starts are seeded from ``(random_state, paper_index)``.

When ``n_train_models == 2`` the FLOPs-based laws (idx 0–3) and PCA + FLOPs regress on F ⊙ one-hot(family)
instead of F (one slope per family), exactly as the authors' ``get_results`` does for ``min_models=3``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from slothpipe.benchmarks import CHANCE_LEVELS as _TABLE_CHANCE_LEVELS
from slothpipe.models._validation import check_covariates, check_families, check_scores
from slothpipe.models.laws import DEFAULT_MAX_ITER, SOLVERS, PerBenchmarkLaw, SlothRegressor
from slothpipe.models.pca_flops import PCAFlopsRegressor

#: Floors γ_j = chance levels (paper §4.2, footnote 4; Sloth code ``definitions.lower_bounds``), from the
#: benchmark table (:mod:`slothpipe.benchmarks`).
CHANCE_LEVELS: dict[str, float] = dict(_TABLE_CHANCE_LEVELS)

#: Random starts of the sigmoid ("basic") fits in :func:`fit_predict` when ``n_restarts`` is None.
FOLD_RESTARTS = 3
#: L-BFGS-B iteration caps in :func:`fit_predict` (sigmoid fits, warm-started monotone-link fits): safety caps
#: only.  Every fit runs to the projected-gradient tolerance of :data:`slothpipe.models._core.GTOL`, which the
#: ridge term makes reachable (docs/numerics.md); before it, caps of 1000 / 600 iterations decided where the
#: fits stopped, and that place moved with the CPU's rounding.
FOLD_MAX_ITER = FOLD_LINK_MAX_ITER = DEFAULT_MAX_ITER
#: How a warm-started monotone link starts: "random" (PyTorch-style init, as the paper) or "sigmoid"
#: (pre-fitted to the basic fit's sigmoid).  Same 12 folds: neither wins consistently (Sloth d=2/3/4 3.08 /
#: 3.67 / 3.28 vs 2.96 / 3.37 / 3.56; shared-intercept variants clearly better with "random"), and "random" is
#: faithful and 3 s per fold cheaper.
FOLD_LINK_INIT = "random"


#: The estimator of each method ``kind``: the one place that interprets a kind (see :class:`MethodSpec`).
ESTIMATORS: dict[str, type] = {
    "per_benchmark": PerBenchmarkLaw,
    "pca": PCAFlopsRegressor,
    "sloth": SlothRegressor,
}


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
        if self.kind not in ESTIMATORS:
            raise ValueError(
                f"method {self.name}: unknown kind {self.kind!r}; known: {', '.join(ESTIMATORS)}"
            )

    @property
    def estimator(self) -> type:
        """The estimator class of this method."""
        return ESTIMATORS[self.kind]

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


def _seed(random_state: int, spec: MethodSpec) -> int:
    return int(np.random.SeedSequence([int(random_state), spec.paper_index]).generate_state(1)[0])


def _dependencies(names: Iterable[str]) -> list[str]:
    """Requested methods plus their warm-start ancestors, ancestors first, in a fixed order."""
    order: list[str] = []

    def visit(name: str) -> None:
        spec = METHODS[name]
        if spec.warm_start is not None:
            visit(spec.warm_start)
        if name not in order:
            order.append(name)

    for name in names:
        visit(name)
    return order


def make_estimator(
    name: str | MethodSpec,
    *,
    chance: np.ndarray,
    n_train_models: int = 1,
    random_state: int = 0,
    n_restarts: int | None = None,
    init=None,
    solver: str = "lbfgs",
):
    """An unfitted estimator for method ``name`` with the fold's settings (see :func:`fit_predict`).

    ``name`` is a slug of :data:`METHODS` or a :class:`MethodSpec` (e.g. a registry spec with another
    number of skills, as :mod:`slothpipe.api` builds for d > 4).  ``init`` is the warm start,
    ``fitted_params()`` of the fitted ``spec.warm_start`` method (unused by closed-form methods).
    """
    spec = name if isinstance(name, MethodSpec) else METHODS[name]
    family_slopes = n_train_models == 2
    if not spec.random_starts:  # closed-form: no chance floors, seeds or warm starts
        return spec.estimator(family_slopes=family_slopes, **spec.settings)
    kwargs = dict(spec.settings)
    kwargs.update(chance=chance, random_state=_seed(random_state, spec), init=init)
    if solver != "lbfgs":
        kwargs["solver"] = solver
    if spec.warm_start is None:
        kwargs["n_restarts"] = FOLD_RESTARTS if n_restarts is None else int(n_restarts)
        kwargs["max_iter"] = FOLD_MAX_ITER
    else:
        kwargs["n_restarts"] = 1
        kwargs["max_iter"] = FOLD_LINK_MAX_ITER
        kwargs["link_init"] = FOLD_LINK_INIT
    if spec.settings.get("covariates") == "flops":  # per-benchmark laws in log FLOPs
        kwargs["family_slopes"] = family_slopes
    return spec.estimator(**kwargs)


def fit_predict(
    methods,
    X_train,
    family_train,
    Y_train,
    X_test,
    family_test,
    *,
    benchmarks,
    n_train_models,
    random_state=0,
    n_restarts=None,
    solver="lbfgs",
) -> dict[str, np.ndarray]:
    """Fit each requested method on one training fold and predict the test rows.

    Parameters
    ----------
    methods : slugs of :data:`METHODS` (None = all 28, in registry order).
    X_train, X_test : (n, 2) arrays of [log params (B), log tokens (T)], natural log.
    family_train, family_test : family labels (strings), one per row.
    Y_train : (n_train, J) scores in [0, 1], NaN = missing.
    benchmarks : the J benchmark names, used to look up :data:`CHANCE_LEVELS`.
    n_train_models : models of each held-out family in training (1 or 2; 2 switches the FLOPs laws and
        PCA + FLOPs to family slopes, as the Sloth code).
    random_state : base seed; the same inputs and seed give bit-identical outputs.
    n_restarts : random starts of every sigmoid fit (None = :data:`FOLD_RESTARTS`); warm-started fits use one.
    solver : ``"lbfgs"`` (our fitting, default) or ``"adam_paper"`` (the authors' Adam protocol, Sloth code
        ``fitFR``: one start per fit, so ``n_restarts`` is unused; see :data:`slothpipe.models.laws.SOLVERS`).
        PCA + FLOPs is closed-form either way.

    Returns ``{slug: (n_test, J) predictions}`` for the requested methods, in the order requested.
    """
    names = list(METHODS) if methods is None else [str(m) for m in methods]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; valid names: {', '.join(METHODS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"methods contains duplicates: {names}")
    n_train_models = int(n_train_models)
    if n_train_models < 1:
        raise ValueError(f"n_train_models must be >= 1, got {n_train_models}")
    if n_restarts is not None and int(n_restarts) < 1:
        raise ValueError(f"n_restarts must be >= 1 or None, got {n_restarts!r}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    X_train = check_covariates(X_train, "X_train")
    X_test = check_covariates(X_test, "X_test")
    benchmarks = [str(b) for b in benchmarks]
    shape = np.shape(Y_train)
    if len(shape) == 2 and shape[1] != len(benchmarks):
        raise ValueError(f"Y_train has {shape[1]} columns but {len(benchmarks)} benchmark names were given")
    Y_train = check_scores(Y_train, X_train.shape[0], "Y_train", benchmarks=benchmarks)
    chance = chance_levels(benchmarks)
    fam_train = check_families(family_train, X_train.shape[0], "family_train")
    fam_test = check_families(family_test, X_test.shape[0], "family_test")
    seen = set(fam_train.tolist())
    unseen = [f for f in dict.fromkeys(fam_test.tolist()) if f not in seen]
    if unseen:
        raise ValueError(
            f"family_test contains famil{'y' if len(unseen) == 1 else 'ies'} absent from family_train: "
            f"{', '.join(repr(f) for f in unseen)}; every held-out family needs its smallest model(s) in "
            "training"
        )

    fitted: dict[str, object] = {}
    for name in _dependencies(names):
        spec = METHODS[name]
        init = fitted[spec.warm_start].fitted_params() if spec.warm_start is not None else None
        est = make_estimator(
            name,
            chance=chance,
            n_train_models=n_train_models,
            random_state=random_state,
            n_restarts=n_restarts,
            init=init,
            solver=solver,
        )
        fitted[name] = est.fit(X_train, Y_train, fam_train)
    return {name: fitted[name].predict(X_test, fam_test) for name in names}
