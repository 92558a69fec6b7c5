"""Fitting the methods of :mod:`slothpipe.models.methods` on one training fold: the per-fold entry point.

:func:`fit_predict` fits any subset of the methods on one training fold and predicts the test rows through
:func:`fit_methods`, the one fit path (fold jobs, forecasts, link curves and :mod:`slothpipe.api`), with the
settings of one :class:`FitOptions`.  Warm starts are shared: a "Sloth" fit starts from the already fitted
"Sloth basic" of the same d and intercept, "Size and Tokens" from the per-benchmark sigmoid law, and so on
(Sloth code ``run_exp``), so a whole fold costs one fit per method.  Each method's random starts are seeded
from ``(random_state, paper_index)``.

When ``n_train_models == 2`` the FLOPs-based laws (idx 0–3) and PCA + FLOPs regress on F ⊙ one-hot(family)
instead of F (one slope per family), exactly as the authors' ``get_results`` does for ``min_models=3``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from slothpipe.models._params import validate_params
from slothpipe.models._validation import check_covariates, check_families, check_scores
from slothpipe.models.laws import DEFAULT_MAX_ITER, PerBenchmarkLaw, SlothRegressor
from slothpipe.models.method_settings import FIT_SPECS, FitSpec, chance_levels
from slothpipe.models.pca_flops import PCAFlopsRegressor

import numpy as np

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


#: The estimator of each method ``kind``: the one place that interprets a kind (see
#: :class:`~slothpipe.models.method_settings.FitSpec`).
ESTIMATORS: dict[str, type] = {
    "per_benchmark": PerBenchmarkLaw,
    "pca": PCAFlopsRegressor,
    "sloth": SlothRegressor,
}


@dataclass(frozen=True, kw_only=True)
class FitOptions:
    """How the methods are fitted: the settings a fold job, the API and a forecast pass on as one object.

    ``random_state`` : base seed (``evaluation: random_state``); each method's starts are seeded from it and
        the method's ``paper_index``, so the same inputs and seed give bit-identical outputs.
    ``n_restarts`` : random starts of every sigmoid fit (None = :data:`FOLD_RESTARTS`); warm-started fits
        use one.
    ``solver`` : ``"lbfgs"`` (our fitting, default) or ``"adam_paper"`` (the authors' Adam protocol, Sloth
        code ``fitFR``: one start per fit, so ``n_restarts`` is unused; see
        :data:`slothpipe.models.laws.SOLVERS`).  PCA + FLOPs is closed-form either way.

    The allowed values are the estimators' (:attr:`_parameter_constraints`), checked on construction.
    """

    random_state: int = 0
    n_restarts: int | None = None
    solver: str = "lbfgs"

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "random_state": ["seed"],
        "n_restarts": [*SlothRegressor._parameter_constraints["n_restarts"], None],
        "solver": SlothRegressor._parameter_constraints["solver"],
    }

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        validate_params(self._parameter_constraints, values, type(self).__name__)

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> FitOptions:
        """The options among ``settings`` (a rule's ``params``: ``random_state``, ``n_restarts`` and
        optionally ``solver``; other keys are ignored, missing ones take their defaults)."""
        return cls(**{f.name: settings[f.name] for f in dataclasses.fields(cls) if f.name in settings})


#: The defaults: seed 0, :data:`FOLD_RESTARTS` starts, L-BFGS-B.
DEFAULT_OPTIONS = FitOptions()


def _seed(random_state: int, spec: FitSpec) -> int:
    return int(np.random.SeedSequence([int(random_state), spec.paper_index]).generate_state(1)[0])


def warm_start_chain(methods: Iterable[str | FitSpec]) -> list[FitSpec]:
    """The specs of ``methods`` (slugs of :data:`FIT_SPECS` or specs) and of their warm-start ancestors,
    ancestors first, each once, in a fixed order.  An ancestor is looked up among the given specs first
    (e.g. the d > 4 specs :mod:`slothpipe.api` builds), then in :data:`FIT_SPECS`."""
    methods = list(methods)
    given = {m.name: m for m in methods if isinstance(m, FitSpec)}
    order: dict[str, FitSpec] = {}

    def visit(spec: FitSpec) -> None:
        if spec.warm_start is not None:
            visit(given[spec.warm_start] if spec.warm_start in given else FIT_SPECS[spec.warm_start])
        order.setdefault(spec.name, spec)

    for m in methods:
        visit(m if isinstance(m, FitSpec) else FIT_SPECS[m])
    return list(order.values())


def make_estimator(
    name: str | FitSpec,
    *,
    chance: np.ndarray,
    n_train_models: int = 1,
    init=None,
    options: FitOptions = DEFAULT_OPTIONS,
):
    """An unfitted estimator for method ``name`` with the fold's settings (see :func:`fit_predict`).

    ``name`` is a slug of :data:`FIT_SPECS` or a :class:`FitSpec` (e.g. a registry spec with another
    number of skills, as :mod:`slothpipe.api` builds for d > 4).  ``init`` is the warm start,
    ``fitted_params()`` of the fitted ``spec.warm_start`` method (unused by closed-form methods).
    """
    spec = name if isinstance(name, FitSpec) else FIT_SPECS[name]
    family_slopes = n_train_models == 2
    if not spec.random_starts:  # closed-form: no chance floors, seeds or warm starts
        return ESTIMATORS[spec.kind](family_slopes=family_slopes, **spec.settings)
    kwargs = dict(spec.settings)
    kwargs.update(chance=chance, random_state=_seed(options.random_state, spec), init=init)
    if options.solver != "lbfgs":
        kwargs["solver"] = options.solver
    if spec.warm_start is None:
        kwargs["n_restarts"] = FOLD_RESTARTS if options.n_restarts is None else int(options.n_restarts)
        kwargs["max_iter"] = FOLD_MAX_ITER
    else:
        kwargs["n_restarts"] = 1
        kwargs["max_iter"] = FOLD_LINK_MAX_ITER
        kwargs["link_init"] = FOLD_LINK_INIT
    if spec.settings.get("covariates") == "flops":  # per-benchmark laws in log FLOPs
        kwargs["family_slopes"] = family_slopes
    return ESTIMATORS[spec.kind](**kwargs)


def fit_methods(
    methods: Iterable[str | FitSpec],
    X: np.ndarray,
    Y: np.ndarray,
    families,
    *,
    chance: np.ndarray,
    n_train_models: int = 1,
    options: FitOptions = DEFAULT_OPTIONS,
) -> dict[str, object]:
    """Fit ``methods`` (slugs or specs) and their warm-start ancestors on one training set: the one fit path
    of the fold jobs, the forecasts and the API.

    Each method is built by :func:`make_estimator` and, when it has a ``warm_start``, started from that
    method's fit.  ``X``, ``Y``, ``families`` go to the estimators' ``fit`` as they are (the estimators check
    them).  Returns ``{name: fitted estimator}`` for every method fitted, ancestors included, in fit order
    (:func:`warm_start_chain`).
    """
    fitted: dict[str, object] = {}
    for spec in warm_start_chain(methods):
        init = None if spec.warm_start is None else fitted[spec.warm_start].fitted_params()
        est = make_estimator(spec, chance=chance, n_train_models=n_train_models, init=init, options=options)
        fitted[spec.name] = est.fit(X, Y, families)
    return fitted


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
    options: FitOptions = DEFAULT_OPTIONS,
) -> dict[str, np.ndarray]:
    """Fit each requested method on one training fold and predict the test rows.

    Parameters
    ----------
    methods : slugs of :data:`FIT_SPECS` (None = all 28, in registry order).
    X_train, X_test : (n, 2) arrays of [log params (B), log tokens (T)], natural log.
    family_train, family_test : family labels (strings), one per row.
    Y_train : (n_train, J) scores in [0, 1], NaN = missing.
    benchmarks : the J benchmark names, used to look up :data:`CHANCE_LEVELS`.
    n_train_models : models of each held-out family in training (1 or 2; 2 switches the FLOPs laws and
        PCA + FLOPs to family slopes, as the Sloth code).
    options : seed, restarts and solver (:class:`FitOptions`).

    Returns ``{slug: (n_test, J) predictions}`` for the requested methods, in the order requested.
    """
    names = list(FIT_SPECS) if methods is None else [str(m) for m in methods]
    unknown = [m for m in names if m not in FIT_SPECS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; valid names: {', '.join(FIT_SPECS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"methods contains duplicates: {names}")
    n_train_models = int(n_train_models)
    if n_train_models < 1:
        raise ValueError(f"n_train_models must be >= 1, got {n_train_models}")
    if not isinstance(options, FitOptions):
        raise TypeError(f"options must be a FitOptions, got {type(options).__name__}")
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
    fitted = fit_methods(
        names, X_train, Y_train, fam_train, chance=chance, n_train_models=n_train_models, options=options
    )
    return {name: fitted[name].predict(X_test, fam_test) for name in names}
