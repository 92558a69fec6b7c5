"""Sloth and the per-benchmark scaling laws, as scikit-learn-style estimators (paper §3, §4.2).

All estimators here share one model family (see :mod:`slothpipe.models._core`)::

    skills  θ(s, t) = x(s, t) β + α_family                          (paper §3)
    scores  μ_j     = γ_j + (1 − γ_j) σ_j(Λ_j · θ + b_j)            (paper §3)

* :class:`SlothRegressor` — x = (u, v, u·v) with u = log params, v = log tokens (the caller logs them),
  d skills shared by all J benchmarks through the loadings Λ (J×d).  ``link="sigmoid", floor="fixed"`` is
  "Sloth basic"; ``link="monotone", floor="learned"`` warm-started from a fitted basic model
  (``init=basic.fitted_params()``) is "Sloth" (paper §3).
* :class:`PerBenchmarkLaw` — every benchmark its own one-skill law (Λ = I, d = J; Sloth code methods 0–7):
  x = log FLOPs F = log 6 + u + v ("flops"; with ``family_slopes`` F ⊙ one-hot(family), one slope per family)
  or x = (u, v, u·v) ("size_tokens").  Fitted jointly but with per-benchmark means, so the solution equals J
  separate fits (and restarts are chosen per benchmark).

Intercepts α are one per family seen in ``fit`` (``intercept="family"``, one-hot design) or a single shared
one (``intercept="shared"``).  Fitting minimises the mean SmoothL1 (Huber/δ, δ = 0.01) loss over the observed
entries of Y (NaN = missing) with scipy's L-BFGS-B and analytic gradients, from ``n_restarts`` random starts,
keeping the lowest training loss.  Internally the slope columns are centred and scaled (a reparametrisation:
the rows of the intercept design sum to one, so the function class is unchanged); the fitted attributes are
reported in the caller's units.
"""

from __future__ import annotations

from dataclasses import KW_ONLY
from numbers import Integral, Real
from typing import ClassVar

from slothpipe.models import _core
from slothpipe.models._core import Layout, Objective, logit_floor, run_adam_paper
from slothpipe.models._params import Estimator, Interval, StrOptions, hyperparameters
from slothpipe.models._validation import (
    check_chance,
    check_covariates,
    check_families,
    check_scores,
    one_hot,
)

import numpy as np

LOG6 = float(np.log(6.0))
SHARED_FAMILY = "(shared)"

#: Default number of random starts of a fit (measured with ``benchmarks/fit_speed.py --restarts-study``,
#: 10 seeds each, before the ridge term).  79-model interpretation set, d = 3: with one or two starts 1 seed
#: in 10 ends in a local optimum; with three or more, 10/10 reach the best loss.
DEFAULT_RESTARTS = 3
#: Safety cap on L-BFGS-B iterations per start.  Fits stop on the projected-gradient tolerance ``tol``
#: (:data:`slothpipe.models._core.GTOL`); ``converged_`` reports whether every run did.
DEFAULT_MAX_ITER = 20_000
#: Random starts are screened for ``screen_iter`` iterations before the promising ones are run to
#: convergence (:func:`slothpipe.models._core.minimise`).
DEFAULT_SCREEN_ITER = 150
DEFAULT_TOL = _core.GTOL
DEFAULT_RIDGE = _core.RIDGE
DEFAULT_LINK_RIDGE = _core.LINK_RIDGE
#: Monotone links are fitted in one stage by default.  A continuation (``link_ridge_start``, e.g. 3e-3) was
#: measured as a remedy for the spread across CPUs and not adopted (docs/numerics.md).
DEFAULT_LINK_RIDGE_START = None
#: Standard deviation of the random slopes/intercepts at a random start (standardised covariates).
INIT_SCALE = 0.3
#: Fitting procedures: ``"lbfgs"`` (ours: L-BFGS-B on standardised covariates, best of ``n_restarts``) and
#: ``"adam_paper"`` (the authors' ``fitFR``, Sloth code: raw log covariates, their initialisation, one start,
#: Adam over the learning rates 0.1/0.01/0.001 with ReduceLROnPlateau and early stopping on training MAE;
#: per-benchmark laws are fitted one benchmark at a time as the authors do).  Both minimise the same
#: objective with the same analytic gradient (:class:`slothpipe.models._core.Objective`).
SOLVERS = ("lbfgs", "adam_paper")


def translog_design(X: np.ndarray) -> np.ndarray:
    """x(s, t) = (u, v, u·v) from X = [u, v] (paper §3)."""
    return np.column_stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]])


def log_flops(X: np.ndarray) -> np.ndarray:
    """F = log(6·N·D) = log 6 + u + v (N in billions, D in trillions → FLOPs in units of 1e21)."""
    return LOG6 + X[:, 0] + X[:, 1]


@hyperparameters
class _LinkedLaw(Estimator):
    """Shared hyper-parameters and fitting machinery; subclasses define the slope design and the skills.

    The hyper-parameters common to both laws are declared here, once (keyword-only; see the subclasses'
    docstrings); a subclass adds its own and may override a default (``PerBenchmarkLaw.floor``).
    """

    _: KW_ONLY
    intercept: str = "family"
    link: str = "sigmoid"
    floor: str = "fixed"
    chance: object = None
    init: dict | None = None
    link_init: str = "random"
    n_restarts: int = DEFAULT_RESTARTS
    screen_iter: int | None = DEFAULT_SCREEN_ITER
    max_iter: int = DEFAULT_MAX_ITER
    tol: float = DEFAULT_TOL
    ridge: float = DEFAULT_RIDGE
    link_ridge: float = DEFAULT_LINK_RIDGE
    link_ridge_start: float | None = DEFAULT_LINK_RIDGE_START
    random_state: int | None = 0
    solver: str = "lbfgs"

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "intercept": [StrOptions(("family", "shared"))],
        "link": [StrOptions(_core.LINKS)],
        "floor": [StrOptions(("fixed", "learned"))],
        "chance": ["no_validation"],  # against Y's benchmarks in fit (check_chance)
        "init": ["no_validation"],  # against the fit's layout and families (_warm_start)
        "link_init": [StrOptions(("random", "sigmoid"))],
        "n_restarts": [Interval(Integral, 1, None, closed="left")],
        "screen_iter": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "ridge": [Interval(Real, 0, None, closed="left")],
        "link_ridge": [Interval(Real, 0, None, closed="left")],
        "link_ridge_start": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["seed", None],
        "solver": [StrOptions(SOLVERS)],
    }
    _repr_skip = ("init",)
    _fitted_attribute = "slopes_"
    _sklearn_type = "regressor"
    _diagonal = False
    _sklearn_single_output = False  # Y is an (n, J) matrix of benchmark scores

    # -- to be provided by subclasses ----------------------------------------------------------------------
    @property
    def needs_families(self) -> bool:
        """Whether ``fit`` and ``predict`` need family labels (family intercepts or slopes)."""
        raise NotImplementedError

    def _slope_design(self, X: np.ndarray, fam_onehot: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _n_skills(self, n_bench: int) -> int:
        raise NotImplementedError

    # -- designs -------------------------------------------------------------------------------------------
    def _designs(self, X: np.ndarray, families, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(slope design T, intercept design D) for rows X with the fitted family encoding."""
        fam_onehot = None
        if self.needs_families:
            fam = check_families(families, X.shape[0], name=name)
            fam_onehot = one_hot(fam, self.families_, name)
        T = self._slope_design(X, fam_onehot)
        D = fam_onehot if self.intercept == "family" else np.ones((X.shape[0], 1))
        return T, D

    # -- fitting -------------------------------------------------------------------------------------------
    def _continuation(self, layout: Layout) -> float | None:
        """The link ridge of the first stage of a continued fit, or None for a fit in one stage."""
        if layout.link != "monotone" or self.link_ridge_start is None:
            return None
        start = float(self.link_ridge_start)
        return start if start > float(self.link_ridge) else None

    def fit(self, X, Y, families=None):
        """Fit on covariates X = [log params, log tokens] (n×2), scores Y (n×J, NaN = missing).

        ``families`` (n labels) is required for family intercepts or family slopes.  Returns ``self``.
        """
        self._validate_params()
        X, Y, gamma0 = self._fit_inputs(X, Y, families)
        T, D = self._designs(X, families, "families")
        if self.solver == "adam_paper":
            return self._fit_adam_paper(T, D, Y, gamma0)
        Xs, mean, scale, constant = self._standardise(T, D)
        layout = Layout(
            n_slopes=T.shape[1],
            n_intercepts=D.shape[1],
            n_skills=self._n_skills(Y.shape[1]),
            n_bench=Y.shape[1],
            diagonal=self._diagonal,
            link=self.link,
            learn_floor=self.floor == "learned",
        )
        objective = self._objective(layout, Xs, D, Y, gamma0, float(self.link_ridge))
        rng = np.random.default_rng(self.random_state)
        starts = self._starting_points(layout, objective, rng, gamma0, mean, scale, constant, X, D)
        continued = self._continuation(layout)
        first_stage = None if continued is None else self._objective(layout, Xs, D, Y, gamma0, continued)
        best = self._minimise(objective, starts, first_stage)
        theta = best.theta
        loss = float(objective.data_loss(theta))
        return self._set_fitted(
            layout,
            theta,
            (mean, scale, gamma0),
            (T, D, Y),
            restart_losses=best.start_losses,
            n_iter=best.n_iter,
            converged=best.converged,
            loss=loss,
            objective=loss + objective.penalty(theta)[0] if objective.penalised else loss,
        )

    def _fit_inputs(self, X, Y, families) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Checked (X, Y, chance floors γ); sets ``families_`` (the rows of ``intercepts_``)."""
        X = check_covariates(X, "X")
        Y = check_scores(Y, X.shape[0], "Y")
        n, J = Y.shape
        gamma0 = check_chance(self.chance, J)
        if self.needs_families:
            fam = check_families(families, n, "families")
            self.families_ = np.unique(fam)
        else:
            self.families_ = np.array([SHARED_FAMILY])
        return X, Y, gamma0

    def _standardise(self, T: np.ndarray, D: np.ndarray):
        """(standardised slope design, its column means, scales, constant-column mask).

        Per-family slopes with per-family intercepts centre each family's column on that family's rows only
        (``mean`` is then f×p offsets), so a slope and its own family's intercept are decoupled from every
        other family; global centring would make every intercept move with every slope.
        """
        if self._centre_within_families():
            mean = (D.T @ T) / D.sum(axis=0)[:, None]
            centred = T - D @ mean
            scale = centred.std(axis=0)
            constant = scale <= 1e-12 * np.maximum(1.0, np.abs(mean).max(axis=0))
        else:
            mean = T.mean(axis=0)
            centred = T - mean
            scale = T.std(axis=0)
            constant = scale <= 1e-12 * np.maximum(1.0, np.abs(mean))
        scale = np.where(constant, 1.0, scale)
        return centred / scale, mean, scale, constant

    def _objective(self, layout: Layout, Xs, D, Y, gamma0, link_ridge: float) -> Objective:
        return Objective(layout, Xs, D, Y, gamma0, ridge=float(self.ridge), link_ridge=link_ridge)

    def _minimise(self, objective: Objective, starts, first_stage: Objective | None) -> _core.Minimum:
        """The best of ``starts`` (:func:`~slothpipe.models._core.minimise`); with a ``first_stage`` (the
        link with the stronger ridge of ``link_ridge_start``), minimised there first and continued from that
        optimum on ``objective``."""
        settings = dict(
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            screen_iter=None if self.screen_iter is None else int(self.screen_iter),
        )
        if first_stage is None:
            return _core.minimise(objective, starts, **settings)
        first = _core.minimise(first_stage, starts, **settings)
        final = _core.minimise(objective, [first.theta], **settings)
        n_iter, converged = first.n_iter + final.n_iter, first.converged and final.converged
        return _core.Minimum(final.theta, first.start_losses, n_iter, converged)

    def _set_fitted(
        self, layout, theta, units, data, *, restart_losses, n_iter, converged, loss, objective
    ) -> _LinkedLaw:
        """Set the fitted attributes from the optimum ``theta`` of either solver and return ``self``.

        ``units`` = (mean, scale, chance floors) of the slope design ``theta`` is in; ``data`` = (T, D, Y),
        the designs and scores fitted (for ``train_mae_``); ``loss`` and ``objective`` are the training loss
        and the minimised objective at ``theta``.
        """
        mean, scale, gamma0 = units
        T, D, Y = data
        self.n_features_in_ = 2
        self.n_outputs_ = layout.n_bench
        self.n_skills_ = layout.n_skills
        self.restart_losses_ = restart_losses
        self.n_iter_ = n_iter
        self.converged_ = converged
        self._layout = layout
        self._set_params_from_theta(theta, layout, mean, scale, gamma0)
        self.loss_ = loss
        self.objective_ = objective
        pred = self._predict_designs(T, D)
        mask = ~np.isnan(Y)
        self.train_mae_ = float(np.abs(pred - Y)[mask].mean())
        return self

    # -- the authors' protocol (solver="adam_paper") --------------------------------------------------------
    def _fit_adam_paper(self, T: np.ndarray, D: np.ndarray, Y: np.ndarray, gamma0: np.ndarray):
        """Fit with :func:`~slothpipe.models._core.run_adam_paper` on the raw design (Sloth code ``fitFR``).

        A diagonal (per-benchmark) law is fitted as J separate one-benchmark models with a trained scalar
        loading (the authors' J = 1 case: ``W2 = ones(1, 1)``, still optimised) and bias, each with its own
        learning-rate choice and early stopping; the fitted loading and bias are folded into the slopes and
        intercepts (exact: the rows of D sum to one).
        """
        if self._diagonal:
            layout, theta, results = self._adam_per_benchmark(T, D, Y, gamma0)
        else:
            J, learn_floor = Y.shape[1], self.floor == "learned"
            layout = Layout(T.shape[1], D.shape[1], self._n_skills(J), J, False, self.link, learn_floor)
            objective = Objective(layout, T, D, Y, gamma0)
            rng = np.random.default_rng(self.random_state)
            theta0 = layout.pack(self._paper_start(layout, rng, gamma0, None))
            results = [run_adam_paper(objective, theta0)]
            theta = results[0].theta
        self.adam_lrs_ = np.array([r.lr for r in results])
        self.adam_best_mae_ = np.array([r.best_mae for r in results])
        loss = float(Objective(layout, T, D, Y, gamma0)(theta)[0])
        return self._set_fitted(
            layout,
            theta,
            (np.zeros(T.shape[1]), np.ones(T.shape[1]), gamma0),  # the raw design: no standardisation
            (T, D, Y),
            restart_losses=np.array([r.loss for r in results]),
            n_iter=int(sum(r.n_epochs for r in results)),
            converged=bool(all(n < _core.PAPER_MAX_EPOCHS for r in results for n in r.epochs_per_lr)),
            loss=loss,
            objective=loss,  # the authors' protocol minimises the paper's objective (no ridge)
        )

    def _adam_per_benchmark(self, T, D, Y, gamma0):
        """(layout, θ, runs) of J one-benchmark Adam fits, folded into one diagonal law."""
        J = Y.shape[1]
        learn_floor = self.floor == "learned"
        results = []
        blocks = []
        for j in range(J):
            layout = Layout(T.shape[1], D.shape[1], 1, 1, False, self.link, learn_floor)
            keep = ~np.isnan(Y[:, j])
            objective = Objective(layout, T[keep], D[keep], Y[keep][:, [j]], gamma0[[j]])
            # every benchmark's fit re-seeds, as each of the authors' fitFR calls does
            rng = np.random.default_rng(self.random_state)
            theta0 = layout.pack(self._paper_start(layout, rng, gamma0[[j]], j))
            res = run_adam_paper(objective, theta0)
            results.append(res)
            blocks.append(layout.unpack(res.theta))
        layout = Layout(T.shape[1], D.shape[1], J, J, True, self.link, learn_floor)
        params = {
            "beta": np.column_stack([b["beta"][:, 0] * b["lam"][0, 0] for b in blocks]),
            "alpha": np.column_stack([b["alpha"][:, 0] * b["lam"][0, 0] + b["b"][0] for b in blocks]),
        }
        if learn_floor:
            params["c"] = np.concatenate([b["c"] for b in blocks])
        if self.link == "monotone":
            for key in _core.LINK_KEYS:
                params[key] = np.concatenate([b[key] for b in blocks])
        return layout, layout.pack(params), results

    def _paper_start(self, layout: Layout, rng, gamma0: np.ndarray, column: int | None) -> dict:
        """The authors' initialisation (``fitFR``): |N(0,1)| slopes and loadings, N(0,1) intercepts and bias,
        floors at logit(γ) (eps 1e-5, not clipped), PyTorch-style |init| link weights; with ``init`` the
        warm start of experiment.py (slopes, intercepts, loadings, bias and floors of the fitted model, fresh
        links; a one-benchmark model keeps loading 1, bias 0).  ``column`` selects one benchmark of a
        diagonal law."""
        p, f, d, J = layout.n_slopes, layout.n_intercepts, layout.n_skills, layout.n_bench
        params: dict[str, np.ndarray] = {
            "beta": np.abs(rng.normal(0.0, 1.0, (p, d))),
            "alpha": rng.normal(0.0, 1.0, (f, d)),
            "b": rng.normal(0.0, 1.0, J),
            "lam": np.abs(rng.normal(0.0, 1.0, (J, d))) if J > 1 else np.ones((J, d)),
        }
        if layout.link == "monotone":
            params.update(_core.random_link_params(rng, J, layout.hidden))
        floors = gamma0
        if self.init is not None:
            init = self._warm_start(layout, whole=column is None)
            sel = slice(None) if column is None else [column]
            params["beta"] = init["slopes"][:, sel].copy()
            params["alpha"] = init["intercepts"][:, sel].copy()
            if column is None:
                params["lam"] = init["loadings"].copy()
                params["b"] = init["bias"].copy()
            else:
                params["lam"] = np.ones((1, 1))
                params["b"] = np.zeros(1)
            floors = init["floors"][sel]
            if init["link_params"] is not None:
                params.update({k: v[sel].copy() for k, v in init["link_params"].items()})
        if layout.learn_floor:
            params["c"] = logit_floor(floors)
        return {k: params[k] for k in layout.shapes}

    def fitted_params(self) -> dict:
        """This fitted model's parameters, the value of another fit's ``init`` (a warm start).

        A dict of copies: ``families``, ``slopes``, ``intercepts``, ``loadings``, ``bias``, ``floors`` (as
        the fitted attributes) and ``link_params`` (None for a sigmoid link).  Being plain arrays, a warm
        start survives ``sklearn.clone`` (which would return an *unfitted* copy of an estimator).
        """
        self._check_fitted()
        return {
            "families": self.families_.copy(),
            "slopes": self.slopes_.copy(),
            "intercepts": self.intercepts_.copy(),
            "loadings": self.loadings_.copy(),
            "bias": self.bias_.copy(),
            "floors": self.floors_.copy(),
            "link_params": None
            if self.link_params_ is None
            else {k: v.copy() for k, v in self.link_params_.items()},
        }

    def _warm_start(self, layout: Layout, whole: bool = True) -> dict:
        """``init`` checked against this fit (``whole``: the number of benchmarks and skills too)."""
        init = self.init
        if isinstance(init, Estimator):
            raise ValueError(
                f"init must be the parameters of a fitted model, init=model.fitted_params(), not the "
                f"{type(init).__name__} itself (an estimator parameter would be refitted or lost by clone)"
            )
        keys = ("families", "slopes", "intercepts", "loadings", "bias", "floors", "link_params")
        missing = [k for k in keys if not isinstance(init, dict) or k not in init]
        if missing:
            raise ValueError(f"init must be a dict from fitted_params(); missing {', '.join(missing)}")
        out = {k: np.asarray(init[k], dtype=float) for k in keys[1:-1]}
        out["families"] = np.asarray(init["families"])
        links = init["link_params"]
        out["link_params"] = (
            None if links is None else {k: np.asarray(v, dtype=float) for k, v in links.items()}
        )
        n_bench, n_skills = out["loadings"].shape
        if whole and (n_bench != layout.n_bench or n_skills != layout.n_skills):
            raise ValueError(
                f"init has {n_bench} benchmarks and {n_skills} skills; this fit needs "
                f"{layout.n_bench} and {layout.n_skills}"
            )
        if out["intercepts"].shape[0] != layout.n_intercepts or not np.array_equal(
            out["families"], self.families_
        ):
            raise ValueError("init was fitted with different intercepts or families than this fit")
        if out["slopes"].shape[0] != layout.n_slopes:
            raise ValueError("init was fitted with a different covariate design than this fit")
        return out

    def _starting_points(self, layout, objective, rng, gamma0, mean, scale, constant, X, D):
        J, d = layout.n_bench, layout.n_skills
        p, f = layout.n_slopes, layout.n_intercepts
        starts = []
        if self.init is not None:
            warm = self._warm_params(layout, objective, rng, mean, scale)
            starts.append(layout.pack(warm))
            n_more = int(self.n_restarts) - 1
            for _ in range(n_more):
                params = dict(warm)
                params.update(
                    _core.random_link_params(rng, J, layout.hidden) if layout.link == "monotone" else {}
                )
                starts.append(layout.pack(params))
            return starts
        for _ in range(int(self.n_restarts)):
            params: dict[str, np.ndarray] = {
                "beta": np.abs(rng.normal(0.0, INIT_SCALE, (p, d))),
                "alpha": rng.normal(0.0, INIT_SCALE, (f, d)),
            }
            params["beta"][constant] = 0.0  # no gradient reaches a constant column: keep its slope at 0
            if not layout.diagonal:
                params["lam"] = np.abs(rng.normal(0.0, 1.0, (J, d)))
                params["b"] = rng.normal(0.0, 1.0, J)
            if layout.learn_floor:
                params["c"] = _core.floor_start_logit(gamma0)
            if layout.link == "monotone":
                params.update(_core.random_link_params(rng, J, layout.hidden))
            starts.append(layout.pack(params))
        return starts

    def _warm_params(self, layout, objective, rng, mean, scale) -> dict[str, np.ndarray]:
        """The fitted ``init`` model's parameters in this fit's coordinates, plus a starting link."""
        init = self._warm_start(layout)
        beta_s = init["slopes"] * scale[:, None]
        alpha_s = init["intercepts"] + (
            mean @ init["slopes"] if mean.ndim == 2 else (mean @ init["slopes"])[None, :]
        )
        params: dict[str, np.ndarray] = {"beta": beta_s, "alpha": alpha_s}
        if not layout.diagonal:
            params["lam"] = init["loadings"].copy()
            params["b"] = init["bias"].copy()
        if layout.learn_floor:
            params["c"] = _core.floor_start_logit(init["floors"])
        if layout.link == "monotone":
            if init["link_params"] is not None:
                params.update({k: v.copy() for k, v in init["link_params"].items()})
            elif self.link_init == "random":
                params.update(_core.random_link_params(rng, layout.n_bench, layout.hidden))
            else:
                z1 = objective.Xs @ beta_s + objective.D @ alpha_s
                eta = z1 if layout.diagonal else z1 @ params["lam"].T + params["b"][None, :]
                params.update(_fit_link_to_sigmoid(eta, rng, layout.hidden))
        return params

    def _set_params_from_theta(self, theta, layout, mean, scale, gamma0) -> None:
        params = layout.unpack(theta)
        beta_s, alpha_s = params["beta"], params["alpha"]
        self.slopes_ = beta_s / scale[:, None]
        if mean.ndim == 2:  # per-family offsets (f x p), see fit
            self.intercepts_ = alpha_s - (mean / scale[None, :]) @ beta_s
        else:
            self.intercepts_ = alpha_s - ((mean / scale) @ beta_s)[None, :]
        J = layout.n_bench
        if layout.diagonal:
            self.loadings_ = np.eye(J)
            self.bias_ = np.zeros(J)
        else:
            self.loadings_ = params["lam"].copy()
            self.bias_ = params["b"].copy()
        self.floors_ = _core.sigmoid(params["c"]) if layout.learn_floor else gamma0.copy()
        if layout.link == "monotone":
            self.link_params_ = {k: params[k].copy() for k in _core.LINK_KEYS}
        else:
            self.link_params_ = None

    # -- prediction ----------------------------------------------------------------------------------------
    def _predict_designs(self, T: np.ndarray, D: np.ndarray) -> np.ndarray:
        eta = self._eta(T, D)
        s = _core.link_forward(eta, self.link_params_)[0] if self.link == "monotone" else _core.sigmoid(eta)
        return self.floors_[None, :] + (1.0 - self.floors_[None, :]) * s

    def _eta(self, T: np.ndarray, D: np.ndarray) -> np.ndarray:
        z1 = T @ self.slopes_ + D @ self.intercepts_
        return z1 @ self.loadings_.T + self.bias_[None, :]

    def predict(self, X, families=None) -> np.ndarray:
        """Predicted scores μ (m×J) for covariates X = [log params, log tokens] and family labels."""
        self._check_fitted()
        X = check_covariates(X, "X")
        T, D = self._designs(X, families, "families")
        return self._predict_designs(T, D)


def _fit_link_to_sigmoid(eta: np.ndarray, rng: np.random.Generator, hidden: int) -> dict[str, np.ndarray]:
    """Monotone-network parameters (per column of ``eta``) approximating the logistic sigmoid on ``eta``.

    Least squares on the training values of η and a 40-point grid spanning them; this makes the warm-started
    Sloth fit start from (approximately) the basic fit's predictions instead of a random link.
    """
    J = eta.shape[1]
    lo, hi = eta.min(axis=0), eta.max(axis=0)
    grid = lo[None, :] + (hi - lo)[None, :] * np.linspace(0.0, 1.0, 40)[:, None]
    x = np.vstack([eta, grid])
    target = _core.sigmoid(x)
    layout = Layout(1, 1, 1, 1, False, "monotone", False, hidden)  # used only for the link blocks
    keys = _core.LINK_KEYS
    shapes = {k: (J, *layout.shapes[k][1:]) for k in keys}
    sizes = [int(np.prod(shapes[k])) for k in keys]
    offsets = np.cumsum([0, *sizes])

    def unpack(th):
        return {k: th[offsets[i] : offsets[i + 1]].reshape(shapes[k]) for i, k in enumerate(keys)}

    def fun(th):
        p = unpack(th)
        s, cache = _core.link_forward(x, p)
        r = s - target
        val = 0.5 * float(np.sum(r * r)) / x.shape[0]
        _, grads = _core.link_backward(r / x.shape[0], p, cache)
        return val, np.concatenate([grads[k].ravel() for k in keys])

    p0 = _core.random_link_params(rng, J, hidden)
    th0 = np.concatenate([p0[k].ravel() for k in keys])
    lo_b = np.full(th0.size, -np.inf)
    for i, k in enumerate(keys):
        if k in _core.NONNEG_LINK_KEYS:
            lo_b[offsets[i] : offsets[i + 1]] = 0.0
    from scipy.optimize import minimize

    res = minimize(
        fun,
        th0,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lo_b, np.full(th0.size, np.inf), strict=True)),
        options={"maxiter": 500, "ftol": 1e-12, "gtol": 1e-10},
    )
    return {k: v.copy() for k, v in unpack(np.asarray(res.x, dtype=float)).items()}


@hyperparameters
class SlothRegressor(_LinkedLaw):
    """Sloth: skills θ = [u, v, u·v] β + α, scores μ_j = γ_j + (1 − γ_j) σ_j(Λ_j θ + b_j) (paper §3).

    Parameters
    ----------
    n_skills : d, the number of latent skills (≤ J).
    intercept : ``"family"`` (α per family seen in fit) or ``"shared"`` (one α per skill).
    link : ``"sigmoid"`` (Sloth basic) or ``"monotone"`` (per-benchmark monotone network, paper §3).
    floor : ``"fixed"`` (γ = ``chance``) or ``"learned"`` (γ = sigmoid(c), started at ``chance``).
    chance : length-J floors γ_j (chance levels, :data:`slothpipe.models.methods.CHANCE_LEVELS`); None = 0.
    init : a warm start, :meth:`fitted_params` of a fitted model with the same d, intercepts and families
        (the authors warm-start Sloth from Sloth basic, Sloth code ``run_exp``); a sigmoid link is replaced
        by a starting monotone network (``link_init``).  Plain arrays, so ``sklearn.clone`` keeps the warm
        start.
    link_init : ``"random"`` (a random monotone network) or ``"sigmoid"`` (one pre-fitted to the sigmoid on
        the training η) when ``init`` has a sigmoid link.
    n_restarts : random starts (with ``init``: extra starts with random links); the lowest training loss wins.
    max_iter, tol : L-BFGS-B iteration cap (a safety limit) and projected-gradient tolerance.
    ridge, link_ridge : strengths of the ridge term on the parameters and on a monotone link's weights
        (docs/numerics.md; 0 and 0 give the paper's objective).
    link_ridge_start : None (default) fits a monotone link in one stage; a value above ``link_ridge`` first
        fits it with that stronger link ridge and then continues from there with ``link_ridge`` (a
        continuation; measured in docs/numerics.md, not the pipeline's protocol).
    random_state : seed of the random starts.
    solver : ``"lbfgs"`` (default) or ``"adam_paper"``, the authors' Adam protocol (:data:`SOLVERS`); with
        ``"adam_paper"``, ``n_restarts``, ``screen_iter``, ``max_iter``, ``tol``, ``link_init`` and the ridge
        settings ``ridge``, ``link_ridge``, ``link_ridge_start`` are unused (the authors' objective has none).

    Fitted attributes: ``families_`` (row labels of ``intercepts_``), ``slopes_`` (3×d, rows u, v, u·v),
    ``intercepts_`` (f×d), ``loadings_`` (J×d), ``bias_`` (J), ``floors_`` (J), ``link_params_`` (dict or
    None), ``loss_`` (training SmoothL1), ``train_mae_``, ``restart_losses_``, ``n_iter_``.
    """

    n_skills: int = 2

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_LinkedLaw._parameter_constraints,
        "n_skills": [Interval(Integral, 1, None, closed="left")],  # <= J: checked in fit
    }

    @property
    def needs_families(self) -> bool:
        return self.intercept == "family"

    def _centre_within_families(self) -> bool:
        return False

    def _slope_design(self, X, fam_onehot):
        return translog_design(X)

    def _n_skills(self, n_bench: int) -> int:
        d = int(self.n_skills)
        if d > n_bench:
            raise ValueError(f"n_skills={d} exceeds the number of benchmarks J={n_bench}")
        return d

    def skills(self, X, families=None) -> np.ndarray:
        """Fitted skills θ (m×d) = [u, v, u·v] β + α at covariates X (paper §3)."""
        self._check_fitted()
        X = check_covariates(X, "X")
        T, D = self._designs(X, families, "families")
        return T @ self.slopes_ + D @ self.intercepts_


@hyperparameters
class PerBenchmarkLaw(_LinkedLaw):
    """One scaling law per benchmark (Sloth code methods 0–7): μ_j = γ_j + (1 − γ_j) σ_j(x β_j + α_j).

    Parameters
    ----------
    covariates : ``"flops"`` (x = F = log 6 + u + v; Owen 2024 and the paper's "FLOPs" laws) or
        ``"size_tokens"`` (x = (u, v, u·v); the paper's "Size and Tokens" = Sloth with Λ = I).
    family_slopes : with ``"flops"``, use F ⊙ one-hot(family): one slope per family (the paper's setting
        with two training models of the held-out family, as the Sloth code).  Needs family labels.
    intercept, link, floor, chance, init, n_restarts, max_iter, tol, ridge, link_ridge, link_ridge_start,
    random_state, solver : as :class:`SlothRegressor`; restarts are selected per benchmark.

    Fitted attributes as :class:`SlothRegressor` with ``loadings_ = I`` and ``bias_ = 0``; ``slopes_`` has
    one column per benchmark.
    """

    covariates: str = "flops"
    _: KW_ONLY
    family_slopes: bool = False
    floor: str = "learned"

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_LinkedLaw._parameter_constraints,
        "covariates": [StrOptions(("flops", "size_tokens"))],
        "family_slopes": ["boolean"],
    }
    _diagonal = True

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.family_slopes and self.covariates != "flops":
            raise ValueError("family_slopes applies to covariates='flops' only")

    @property
    def needs_families(self) -> bool:
        return self.intercept == "family" or bool(self.family_slopes)

    def _centre_within_families(self) -> bool:
        return bool(self.family_slopes) and self.intercept == "family"

    def _slope_design(self, X, fam_onehot):
        if self.covariates == "size_tokens":
            return translog_design(X)
        F = log_flops(X)
        if self.family_slopes:
            return F[:, None] * fam_onehot
        return F[:, None]

    def _n_skills(self, n_bench: int) -> int:
        return n_bench

    def _eta(self, T: np.ndarray, D: np.ndarray) -> np.ndarray:
        return T @ self.slopes_ + D @ self.intercepts_
