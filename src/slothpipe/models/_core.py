"""Numerical core shared by every skill/benchmark law: objective, analytic gradient, L-BFGS-B driver.

The model family (paper §3) is, for a slope design ``Xs`` (n×p), an intercept design ``D`` (n×f,
rows summing to one: one-hot families or a single column of ones) and J benchmarks::

    Z1 = Xs β + D α                       skills, n×d               (eq. 3.2)
    η  = Z1 Λᵀ + b                        n×J                       (eq. 3.1)
    μ  = γ + (1 − γ) σ_j(η)               γ_j = sigmoid(c_j)        (eq. 3.3)

``diagonal=True`` is the per-benchmark special case Λ = I, b = 0, d = J (every benchmark its own skill; b is
then redundant with α because the rows of D sum to one).  The link σ_j is the logistic sigmoid or the
monotone network of paper §3 (the Sloth code's ``IncreasingNN``: tanh input squash, two hidden tanh layers
of ``HIDDEN`` units with non-negative weights, sigmoid output), kept monotone by L-BFGS-B bounds (the paper
clamps after each Adam step; bounds are the exact projected version of that).

The objective is torch's ``SmoothL1Loss(beta=δ)`` = Huber/δ, averaged over the observed entries (as
``fitFR`` of the Sloth code):
``ℓ(r) = r²/(2δ)`` for ``|r| < δ`` and ``|r| − δ/2`` otherwise.  In diagonal mode each benchmark's mean is
taken separately and the J means are summed, so the joint minimiser is exactly the set of per-benchmark
minimisers (the paper fits each benchmark on its own).

**Ridge term (our deviation from the paper, docs/numerics.md).**  The paper's objective has no minimiser on
the leaderboard data: a score at or below its floor γ_j (a score of 0 with γ = 0, 0.29 below a
multiple-choice floor of 0.3407, ...)
is fitted ever better as η → −∞, and a monotone link is free beyond the η range of its training data.  An
optimiser then stops wherever its iteration cap or a rounding-level line-search decision happens to fall,
which differs from one CPU to the next.  :class:`Objective` therefore adds
``½ Σ_i λ_i (θ_i − θ_ref,i)²`` on the internal (standardised) parametrisation, with λ = ``ridge`` for the
slopes, intercepts, loadings, biases and floor logits and λ = ``link_ridge`` for the weights of a monotone
link (141 per benchmark for a one-dimensional function: without a stronger ridge the fit creeps along their
flat directions for tens of thousands of iterations); the reference is the chance floor clipped to
[FLOOR_START_MIN, 1 − FLOOR_START_MIN] for floor logits and 0 for everything else.  The objective becomes
coercive, so a minimiser exists, and the fits run to a projected-gradient tolerance instead of stopping on a
cap.  ``ridge = link_ridge = 0`` is the paper's objective.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

# scipy is imported on first use: the report, table and figure jobs import this package for its method
# registry, and importing scipy.optimize would add about a second to each of those short jobs.  ``expit`` is
# bound once (an import statement in sigmoid() itself cost ~1.3 µs per call on the objective's hot path).
_expit = None


def _load_expit():
    global _expit
    from scipy.special import expit

    _expit = expit
    return expit


HUBER_DELTA = 0.01
HIDDEN = 10
LOGIT_EPS = 1e-5  # as the authors' ``logit`` (Sloth code, sloth/sloth.py)

LINKS = ("sigmoid", "monotone")
#: A learned floor starts (and its ridge is centred) at its chance level clipped to [FLOOR_START_MIN,
#: 1 − FLOOR_START_MIN].  The authors start at logit(γ + 1e-5), i.e. c ≈ −11.5 for γ = 0, where ∂μ/∂c ≈ 1e-5:
#: Adam's normalised steps still move it, L-BFGS does not (a noiseless floor of 0.05 is then never found).
FLOOR_START_MIN = 0.01
#: Default ridge strength (docs/numerics.md measures it).
RIDGE = 1e-4
LINK_RIDGE = 1e-3
#: Default stopping rule of L-BFGS-B: the projected gradient's largest component.
GTOL = 1e-6


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    return (_expit or _load_expit())(x)


def _tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x) = 2·sigmoid(2x) − 1 (about twice as fast as ``np.tanh`` here, equal to ~1 ulp)."""
    out = np.multiply(x, 2.0)
    (_expit or _load_expit())(out, out=out)
    out *= 2.0
    out -= 1.0
    return out


def logit_floor(gamma: np.ndarray) -> np.ndarray:
    """``log((γ+ε)/(1−γ+ε))``, the authors' parametrisation of a floor given as a probability."""
    gamma = np.asarray(gamma, dtype=float)
    return np.log((gamma + LOGIT_EPS) / (1.0 - gamma + LOGIT_EPS))


def floor_start_logit(gamma: np.ndarray) -> np.ndarray:
    """Floor logit c of a learned floor at ``gamma`` clipped to [FLOOR_START_MIN, 1 − FLOOR_START_MIN]: the
    start of a fit and the centre of its ridge term."""
    return logit_floor(np.clip(gamma, FLOOR_START_MIN, 1.0 - FLOOR_START_MIN))


def huber(r: np.ndarray, delta: float = HUBER_DELTA) -> tuple[np.ndarray, np.ndarray]:
    """SmoothL1 (Huber/δ) value and derivative, elementwise."""
    der = np.clip(r / delta, -1.0, 1.0)
    # r²/(2δ) inside, |r| − δ/2 outside: both equal der·(r − δ·der/2)
    val = der * (r - 0.5 * delta * der)
    return val, der


# ----------------------------------------------------------------------------------------------------------
# Monotone link network, vectorised over benchmarks: arrays are laid out (J, n, H).


def link_forward(eta: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, tuple]:
    """σ_j(η_j) for every column j of ``eta`` (n×J); returns (s, cache) with s of shape (n, J)."""
    h0 = _tanh(eta.T)  # (J, n)
    h1 = _tanh(h0[:, :, None] * p["w1"][:, None, :] + p["c1"][:, None, :])  # (J, n, H)
    # a2[j, n, k] = Σ_h h1[j, n, h] W2[j, k, h]
    h2 = _tanh(np.matmul(h1, np.swapaxes(p["w2"], 1, 2)) + p["c2"][:, None, :])
    a3 = np.matmul(h2, p["w3"][:, :, None])[:, :, 0] + p["c3"][:, None]  # (J, n)
    s = sigmoid(a3)
    return s.T, (h0, h1, h2, s)


def link_backward(
    g_s: np.ndarray, p: dict[str, np.ndarray], cache: tuple
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Back-propagate ``g_s = ∂L/∂s`` (n×J) through the link; returns (∂L/∂η, parameter gradients)."""
    h0, h1, h2, s = cache
    g_a3 = g_s.T * s * (1.0 - s)  # (J, n)
    grads = {
        "w3": np.matmul(g_a3[:, None, :], h2)[:, 0, :],
        "c3": g_a3.sum(axis=1),
    }
    g_a2 = g_a3[:, :, None] * p["w3"][:, None, :] * (1.0 - h2 * h2)  # (J, n, H)
    grads["w2"] = np.matmul(np.swapaxes(g_a2, 1, 2), h1)  # (J, H, H): [j, k, h]
    grads["c2"] = g_a2.sum(axis=1)
    g_a1 = np.matmul(g_a2, p["w2"]) * (1.0 - h1 * h1)  # (J, n, H)
    grads["w1"] = np.matmul(g_a1.transpose(0, 2, 1), h0[:, :, None])[:, :, 0]
    grads["c1"] = g_a1.sum(axis=1)
    g_h0 = np.matmul(g_a1, p["w1"][:, :, None])[:, :, 0]  # (J, n)
    g_eta = (g_h0 * (1.0 - h0 * h0)).T
    return g_eta, grads


def random_link_params(rng: np.random.Generator, n_bench: int, hidden: int = HIDDEN) -> dict[str, np.ndarray]:
    """PyTorch's default ``nn.Linear`` initialisation with absolute-valued weights (``IncreasingNN``)."""
    b2 = 1.0 / np.sqrt(hidden)
    return {
        "w1": np.abs(rng.uniform(-1.0, 1.0, (n_bench, hidden))),
        "c1": rng.uniform(-1.0, 1.0, (n_bench, hidden)),
        "w2": np.abs(rng.uniform(-b2, b2, (n_bench, hidden, hidden))),
        "c2": rng.uniform(-b2, b2, (n_bench, hidden)),
        "w3": np.abs(rng.uniform(-b2, b2, (n_bench, hidden))),
        "c3": rng.uniform(-b2, b2, n_bench),
    }


LINK_KEYS = ("w1", "c1", "w2", "c2", "w3", "c3")
NONNEG_LINK_KEYS = ("w1", "w2", "w3")


# ----------------------------------------------------------------------------------------------------------
# Parameter layout


class Layout:
    """Where each parameter block lives in the flat vector optimised by L-BFGS-B."""

    def __init__(
        self,
        n_slopes: int,
        n_intercepts: int,
        n_skills: int,
        n_bench: int,
        diagonal: bool,
        link: str,
        learn_floor: bool,
        hidden: int = HIDDEN,
    ):
        if link not in LINKS:
            raise ValueError(f"link must be one of {LINKS}, got {link!r}")
        if diagonal and n_skills != n_bench:
            raise ValueError("a diagonal (per-benchmark) layout needs n_skills == n_bench")
        self.n_slopes, self.n_intercepts, self.n_skills, self.n_bench = (
            n_slopes,
            n_intercepts,
            n_skills,
            n_bench,
        )
        self.diagonal, self.link, self.learn_floor, self.hidden = diagonal, link, learn_floor, hidden
        p, f, d, J, H = n_slopes, n_intercepts, n_skills, n_bench, hidden
        shapes: dict[str, tuple[int, ...]] = {"beta": (p, d), "alpha": (f, d)}
        if not diagonal:
            shapes["lam"] = (J, d)
            shapes["b"] = (J,)
        if learn_floor:
            shapes["c"] = (J,)
        if link == "monotone":
            shapes.update(w1=(J, H), c1=(J, H), w2=(J, H, H), c2=(J, H), w3=(J, H), c3=(J,))
        self.shapes = shapes
        self.slices: dict[str, slice] = {}
        start = 0
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start

    def unpack(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Views into ``theta`` (no copies), one per parameter block."""
        return {name: theta[sl].reshape(self.shapes[name]) for name, sl in self.slices.items()}

    def pack(self, params: dict[str, np.ndarray]) -> np.ndarray:
        theta = np.empty(self.size)
        for name, sl in self.slices.items():
            theta[sl] = np.broadcast_to(np.asarray(params[name], dtype=float), self.shapes[name]).ravel()
        return theta

    def penalty(self, ridge: float, link_ridge: float) -> np.ndarray:
        """Per-coordinate ridge strength: ``link_ridge`` on the monotone link's weights, else ``ridge``."""
        lam = np.full(self.size, float(ridge))
        if self.link == "monotone":
            for key in LINK_KEYS:
                lam[self.slices[key]] = float(link_ridge)
        return lam

    def reference(self, gamma: np.ndarray) -> np.ndarray:
        """Ridge centre θ_ref: 0, except floor logits at the clipped chance floors ``gamma``."""
        ref = np.zeros(self.size)
        if self.learn_floor:
            ref[self.slices["c"]] = floor_start_logit(gamma)
        return ref

    def owner(self) -> np.ndarray:
        """For a diagonal layout, the benchmark each coordinate belongs to (the blocks are separable)."""
        if not self.diagonal:
            raise ValueError("only a diagonal layout has separable per-benchmark blocks")
        out = np.empty(self.size)
        params = self.unpack(out)
        J = self.n_bench
        for name, arr in params.items():
            if name in ("beta", "alpha"):
                arr[...] = np.arange(J)[None, :]
            else:
                arr[...] = np.arange(J).reshape((J,) + (1,) * (arr.ndim - 1))
        return out.astype(np.intp)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.full(self.size, -np.inf)
        hi = np.full(self.size, np.inf)
        if self.link == "monotone":
            for key in NONNEG_LINK_KEYS:
                lo[self.slices[key]] = 0.0
        return lo, hi


# ----------------------------------------------------------------------------------------------------------
# Objective


class Objective:
    """Mean SmoothL1 loss of the model on the observed entries of ``Y`` and its gradient."""

    def __init__(
        self,
        layout: Layout,
        Xs: np.ndarray,
        D: np.ndarray,
        Y: np.ndarray,
        gamma_fixed: np.ndarray,
        delta: float = HUBER_DELTA,
        ridge: float = 0.0,
        link_ridge: float = 0.0,
    ):
        self.layout = layout
        self.Xs = np.ascontiguousarray(Xs, dtype=float)
        self.D = np.ascontiguousarray(D, dtype=float)
        self.XsT = np.ascontiguousarray(self.Xs.T)
        self.DT = np.ascontiguousarray(self.D.T)
        mask = ~np.isnan(Y)
        self.mask = mask
        self.Y = np.where(mask, Y, 0.0)
        counts = mask.sum(axis=0).astype(float)
        if layout.diagonal:
            # per-benchmark means, summed: the joint minimiser = the separate per-benchmark minimisers
            self.weights = mask / np.maximum(counts, 1.0)[None, :]
        else:
            self.weights = mask / max(float(mask.sum()), 1.0)
        self.gamma_fixed = np.asarray(gamma_fixed, dtype=float)
        self.delta = delta
        self.ridge, self.link_ridge = float(ridge), float(link_ridge)
        self.lam = layout.penalty(ridge, link_ridge)
        self.ref = layout.reference(self.gamma_fixed)
        self.penalised = bool(np.any(self.lam > 0))

    # -- forward pieces ------------------------------------------------------------------------------------
    def gamma(self, params: dict[str, np.ndarray]) -> np.ndarray:
        if self.layout.learn_floor:
            return sigmoid(params["c"])
        return self.gamma_fixed

    def eta(self, params: dict[str, np.ndarray], Xs: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, ...]:
        z1 = Xs @ params["beta"] + D @ params["alpha"]
        if self.layout.diagonal:
            return z1, z1
        return z1, z1 @ params["lam"].T + params["b"][None, :]

    def link(self, params: dict[str, np.ndarray], eta: np.ndarray) -> np.ndarray:
        if self.layout.link == "monotone":
            return link_forward(eta, params)[0]
        return sigmoid(eta)

    def predict(self, theta: np.ndarray, Xs: np.ndarray, D: np.ndarray) -> np.ndarray:
        params = self.layout.unpack(theta)
        _, eta = self.eta(params, Xs, D)
        s = self.link(params, eta)
        g = self.gamma(params)
        return g[None, :] + (1.0 - g[None, :]) * s

    # -- loss and gradient ---------------------------------------------------------------------------------
    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Penalised loss and its gradient at ``theta`` (the function L-BFGS-B minimises)."""
        loss, grad, _ = self.evaluate(theta)
        if self.penalised:
            value, pgrad = self.penalty(theta)
            loss += value
            grad += pgrad
        return loss, grad

    def penalty(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """The ridge term ``½ Σ λ_i (θ_i − θ_ref,i)²`` at ``theta`` and its gradient."""
        dev = theta - self.ref
        scaled = self.lam * dev
        return 0.5 * float(scaled @ dev), scaled

    def single(self, j: int) -> Objective:
        """The objective of benchmark ``j`` alone (diagonal layouts): its block of θ is ``θ[owner == j]``."""
        lay = self.layout
        sub = Layout(lay.n_slopes, lay.n_intercepts, 1, 1, True, lay.link, lay.learn_floor, lay.hidden)
        Y = np.where(self.mask[:, [j]], self.Y[:, [j]], np.nan)
        gamma = self.gamma_fixed[[j]]
        return Objective(sub, self.Xs, self.D, Y, gamma, self.delta, self.ridge, self.link_ridge)

    def data_loss(self, theta: np.ndarray) -> float:
        """The paper's objective (mean SmoothL1 over the observed entries), without the ridge term."""
        return self.evaluate(theta)[0]

    def evaluate(self, theta: np.ndarray, mae: bool = False) -> tuple[float, np.ndarray, float | None]:
        """(loss, gradient, training MAE or None) at ``theta`` from one forward/backward pass.

        ``mae=True`` also returns the mean absolute error over the observed entries, which the paper-protocol
        Adam solver needs at every epoch for its early stopping (Sloth code ``fitFR``).
        """
        lay = self.layout
        params = lay.unpack(theta)
        z1, eta = self.eta(params, self.Xs, self.D)
        if lay.link == "monotone":
            s, cache = link_forward(eta, params)
        else:
            s = sigmoid(eta)
        gamma = self.gamma(params)
        mu = gamma[None, :] + (1.0 - gamma[None, :]) * s
        resid = mu - self.Y
        val, der = huber(resid, self.delta)
        loss = float(np.sum(self.weights * val))
        g_mu = self.weights * der
        train_mae = float(np.abs(resid)[self.mask].mean()) if mae else None

        grad = np.empty(lay.size)
        grads = lay.unpack(grad)
        if lay.learn_floor:
            grads["c"][...] = np.sum(g_mu * (1.0 - s), axis=0) * gamma * (1.0 - gamma)
        g_s = g_mu * (1.0 - gamma)[None, :]
        if lay.link == "monotone":
            g_eta, link_grads = link_backward(g_s, params, cache)
            for key in LINK_KEYS:
                grads[key][...] = link_grads[key]
        else:
            g_eta = g_s * s * (1.0 - s)
        if lay.diagonal:
            g_z1 = g_eta
        else:
            grads["b"][...] = g_eta.sum(axis=0)
            grads["lam"][...] = g_eta.T @ z1
            g_z1 = g_eta @ params["lam"]
        grads["beta"][...] = self.XsT @ g_z1
        grads["alpha"][...] = self.DT @ g_z1
        return loss, grad, train_mae

    def mae(self, theta: np.ndarray) -> float:
        """Mean absolute error over observed entries (all entries pooled)."""
        mu = self.predict(theta, self.Xs, self.D)
        return float(np.abs(mu - self.Y)[self.mask].mean())


@dataclass(frozen=True)
class OptimResult:
    theta: np.ndarray
    loss: float  # the minimised (penalised) objective at theta
    n_iter: int
    converged: bool  # the projected gradient reached the tolerance (not the iteration cap)


def run_lbfgs(objective: Objective, theta0: np.ndarray, max_iter: int, tol: float = GTOL) -> OptimResult:
    """Minimise ``objective`` from ``theta0`` with scipy's L-BFGS-B (bounds keep link weights ≥ 0).

    The stopping rule is the projected gradient: its largest component ≤ ``tol``.  The relative-decrease
    test (``ftol``) is off: on the flat stretches of these objectives it stops runs at a point decided by
    the rounding of a single step.  A run that can no longer decrease the objective in floating point
    (L-BFGS-B's "abnormal termination in line search") counts as converged when its projected gradient is
    within 100 × ``tol``.
    """
    lo, hi = objective.layout.bounds()
    theta0 = np.clip(theta0, lo, hi)
    theta, loss, grad, n_iter = lbfgsb(
        objective, theta0, lo, hi, max_iter=max_iter, max_fun=2 * max_iter, tol=tol
    )
    # projected gradient: a coordinate at its lower bound with a positive gradient is stationary
    at_lo = theta <= lo
    pg = np.where(at_lo, np.minimum(grad, 0.0), grad)
    pg_max = float(np.abs(pg).max()) if pg.size else 0.0
    converged = pg_max <= tol or (n_iter < max_iter and pg_max <= 100.0 * tol)
    return OptimResult(theta=theta, loss=loss, n_iter=n_iter, converged=bool(converged))


#: Limited-memory corrections of L-BFGS-B and its line-search budget (scipy's ``maxcor``, ``maxls``).
LBFGSB_MAXCOR = 20
LBFGSB_MAXLS = 20


def lbfgsb(
    fun, x0: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, max_iter: int, max_fun: int, tol: float
) -> tuple[np.ndarray, float, np.ndarray, int]:
    """L-BFGS-B on ``fun(x) -> (value, gradient)``: (x, value, gradient, iterations) of the last iterate.

    The same iterates as ``scipy.optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=...,
    options={"maxiter": max_iter, "maxfun": max_fun, "ftol": 0, "gtol": tol, "maxcor": 20})``, bit for
    bit: the same routine (scipy's ``setulb``) driven by the same loop, without the wrapper's bookkeeping
    (memoisation, array-API checks, result objects), which cost about 12 % of a fold's fit time on these small
    problems (docs/speed.md).  ``tests/models/test_lbfgsb.py`` holds it to ``minimize``.  With a scipy older
    than 1.15, whose routine takes other arguments, ``minimize`` itself runs.
    """
    _lbfgsb = _direct_lbfgsb()
    if _lbfgsb is None:  # pragma: no cover - another scipy
        return _lbfgsb_by_minimize(fun, x0, lo, hi, max_iter=max_iter, max_fun=max_fun, tol=tol)
    n = x0.size
    m = LBFGSB_MAXCOR
    nbd = np.zeros(n, np.int32)
    low_bnd = np.zeros(n)
    upper_bnd = np.zeros(n)
    has_lo, has_hi = ~np.isinf(lo), ~np.isinf(hi)
    low_bnd[has_lo] = lo[has_lo]
    upper_bnd[has_hi] = hi[has_hi]
    nbd[has_lo & ~has_hi] = 1
    nbd[has_lo & has_hi] = 2
    nbd[~has_lo & has_hi] = 3
    x = np.array(x0, dtype=np.float64)
    # the wrapper evaluates at x0 first, then answers L-BFGS-B's requests, re-evaluating only at a new point
    last_x = x.copy()
    value, gradient = fun(last_x.copy())
    n_fun = 1
    f = np.array(0.0, dtype=np.float64)
    g = np.zeros(n, dtype=np.float64)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m, np.float64)
    iwa = np.zeros(3 * n, dtype=np.int32)
    task = np.zeros(2, dtype=np.int32)
    ln_task = np.zeros(2, dtype=np.int32)
    lsave = np.zeros(4, dtype=np.int32)
    isave = np.zeros(44, dtype=np.int32)
    dsave = np.zeros(29, dtype=np.float64)
    n_iter = 0
    while True:
        g = g.astype(np.float64)
        _lbfgsb.setulb(m, x, low_bnd, upper_bnd, nbd, f, g, 0.0, tol, wa, iwa, task, lsave, isave, dsave,
                       LBFGSB_MAXLS, ln_task)  # fmt: skip
        if task[0] == 3:  # f and g at x
            if not np.array_equal(x, last_x):
                last_x = x.copy()
                value, gradient = fun(last_x.copy())
                n_fun += 1
            f, g = float(value), np.asarray(gradient, dtype=np.float64)
        elif task[0] == 1:  # a new iterate
            n_iter += 1
            if n_iter >= max_iter:
                task[0], task[1] = 5, 504
            elif n_fun > max_fun:
                task[0], task[1] = 5, 502
        else:
            break
    return x, float(f), np.asarray(g, dtype=np.float64), n_iter


@cache
def _direct_lbfgsb():
    """scipy's L-BFGS-B module when its routine has the interface :func:`lbfgsb` drives, else None.

    scipy 1.15 made the routine C, called as ``setulb(m, x, l, u, nbd, f, g, factr, pgtol, wa, iwa, task,
    lsave, isave, dsave, maxls, ln_task)``; older versions' Fortran routine takes other arguments."""
    import scipy

    major, minor = (int(part) for part in scipy.__version__.split(".")[:2])
    if (major, minor) < (1, 15):  # pragma: no cover - the lock files pin a newer scipy
        return None
    try:
        from scipy.optimize import _lbfgsb
    except ImportError:  # pragma: no cover
        return None
    return _lbfgsb if hasattr(_lbfgsb, "setulb") else None


def _lbfgsb_by_minimize(fun, x0, lo, hi, *, max_iter, max_fun, tol):
    """:func:`lbfgsb` through ``scipy.optimize.minimize`` (the reference it is held to)."""
    from scipy.optimize import minimize

    bounds = None if np.all(np.isinf(lo)) else list(zip(lo, hi, strict=True))
    options = {"maxiter": max_iter, "maxfun": max_fun, "ftol": 0.0, "gtol": tol, "maxcor": LBFGSB_MAXCOR}
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
    return np.asarray(res.x, dtype=float), float(res.fun), np.asarray(res.jac, dtype=float), int(res.nit)


#: Screening of random starts: every start runs ``screen_iter`` iterations, then every start whose objective
#: is within ``SCREEN_KEEP_RTOL`` (relative) of the best is run to convergence.  A margin rather than
#: "continue only the best": two starts a rounding apart at the screen must not be told apart by it.
SCREEN_KEEP_RTOL = 0.02
#: Choice among converged starts: the first start (in seed order) whose objective is within
#: ``RESTART_TIE_RTOL`` (relative) of the lowest.  Starts that reach the same optimum agree far better than
#: this; two optima closer than this are a tie that rounding must not decide.
RESTART_TIE_RTOL = 1e-6


@dataclass(frozen=True)
class Minimum:
    theta: np.ndarray
    start_losses: np.ndarray  # final objective of every start (summed over benchmarks when separable)
    n_iter: int  # L-BFGS-B iterations over all starts (and benchmarks)
    converged: bool  # every chosen run reached the tolerance


def first_within(values: np.ndarray, rtol: float = RESTART_TIE_RTOL) -> int:
    """Index of the first value within ``rtol`` (relative to its magnitude) of the minimum."""
    values = np.asarray(values, dtype=float)
    lowest = float(np.min(values))
    return int(np.flatnonzero(values <= lowest + rtol * abs(lowest))[0])


def minimise(
    objective: Objective,
    starts: list[np.ndarray],
    *,
    max_iter: int,
    tol: float = GTOL,
    screen_iter: int | None = None,
) -> Minimum:
    """Minimise ``objective`` from every start and keep one result by a rule that rounding cannot flip.

    A diagonal (per-benchmark) layout is separable: each benchmark's block is minimised on its own (its own
    line searches and curvature memory, so one badly conditioned benchmark does not hold the others back) and
    its start is chosen on its own.  Otherwise every start is run (after screening when ``screen_iter`` is
    set: starts within :data:`SCREEN_KEEP_RTOL` of the best screened objective are continued) and the first
    start within :data:`RESTART_TIE_RTOL` of the lowest final objective wins.
    """
    lay = objective.layout
    if lay.diagonal and lay.n_bench > 1:
        owner = lay.owner()
        theta = np.empty(lay.size)
        losses = np.zeros(len(starts))
        n_iter, converged = 0, True
        for j in range(lay.n_bench):
            part = owner == j
            sub = minimise(
                objective.single(j),
                [s[part] for s in starts],
                max_iter=max_iter,
                tol=tol,
                screen_iter=screen_iter,
            )
            theta[part] = sub.theta
            losses += sub.start_losses
            n_iter += sub.n_iter
            converged &= sub.converged
        return Minimum(theta, losses, n_iter, converged)
    screen = None
    if len(starts) > 1 and screen_iter is not None and int(screen_iter) < max_iter:
        screen = int(screen_iter)
    if screen is None:
        results = [run_lbfgs(objective, theta0, max_iter, tol) for theta0 in starts]
    else:
        screened = [run_lbfgs(objective, theta0, screen, tol) for theta0 in starts]
        best = min(r.loss for r in screened)
        results = []
        for r in screened:
            if r.converged or r.loss > best + SCREEN_KEEP_RTOL * abs(best):
                results.append(r)  # keeps its screened state and loses the choice below
            else:
                more = run_lbfgs(objective, r.theta, max_iter - screen, tol)
                results.append(OptimResult(more.theta, more.loss, r.n_iter + more.n_iter, more.converged))
    losses = np.array([r.loss for r in results])
    chosen = first_within(losses)
    return Minimum(
        results[chosen].theta, losses, int(sum(r.n_iter for r in results)), results[chosen].converged
    )


# ----------------------------------------------------------------------------------------------------------
# The authors' fitting protocol (``fitFR`` of the Sloth code, docs/sources.md), as an alternative to L-BFGS-B

#: Learning-rate grid: a complete fit per rate from the same start, the lowest training MAE wins.
PAPER_LRS = (0.1, 0.01, 0.001)
#: torch ``ReduceLROnPlateau(mode="min", factor=0.95, patience=20)`` with its default relative threshold.
PAPER_PLATEAU_FACTOR = 0.95
PAPER_PLATEAU_PATIENCE = 20
PAPER_PLATEAU_THRESHOLD = 1e-4
#: Early stopping on the training MAE: an improvement must beat the best by 1e-5; stop after 500 epochs
#: without one; at most 100,000 epochs.
PAPER_MAE_TOL = 1e-5
PAPER_PATIENCE = 500
PAPER_MAX_EPOCHS = 100_000
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


@dataclass(frozen=True)
class AdamResult:
    theta: np.ndarray
    loss: float  # SmoothL1 loss at the returned parameters
    best_mae: float  # the early-stopping criterion of the chosen learning rate (pre-update MAE, see below)
    lr: float  # the chosen learning rate
    n_epochs: int  # epochs over all learning rates
    epochs_per_lr: tuple[int, ...]
    mae_per_lr: tuple[float, ...]


def _adam_one_lr(
    objective: Objective,
    theta0: np.ndarray,
    lr: float,
    lo: np.ndarray,
    max_epochs: int,
    patience: int,
    tol: float,
) -> tuple[np.ndarray, float, int]:
    """One full-batch Adam run of ``fitFR`` at learning rate ``lr``: (snapshot, its MAE, epochs run)."""
    b1, b2 = ADAM_BETAS
    theta = np.maximum(theta0, lo)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    cur_lr = float(lr)
    plateau_best = np.inf
    bad_epochs = 0
    best_mae = np.inf
    best_theta = theta.copy()
    counter = 0
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        loss, grad, train_mae = objective.evaluate(theta, mae=True)
        # torch.optim.Adam (weight_decay 0), bias-corrected
        m *= b1
        m += (1.0 - b1) * grad
        v *= b2
        v += (1.0 - b2) * grad * grad
        step = cur_lr / (1.0 - b1**epoch)
        denom = np.sqrt(v) / np.sqrt(1.0 - b2**epoch) + ADAM_EPS
        theta = theta - step * m / denom
        # ReduceLROnPlateau(mode="min", factor, patience, threshold 1e-4 rel), stepped on the Huber loss
        if loss < plateau_best * (1.0 - PAPER_PLATEAU_THRESHOLD):
            plateau_best = loss
            bad_epochs = 0
        else:
            bad_epochs += 1
        if bad_epochs > PAPER_PLATEAU_PATIENCE:
            new_lr = cur_lr * PAPER_PLATEAU_FACTOR
            if cur_lr - new_lr > 1e-8:
                cur_lr = new_lr
            bad_epochs = 0
        # clamp the monotone-link weights at 0 after the step, as the authors do
        np.maximum(theta, lo, out=theta)
        # early stopping on the training MAE; as in fitFR the MAE is the pre-update one while the snapshot is
        # taken after the update (an off-by-one quirk)
        if train_mae < best_mae - tol:
            best_mae = train_mae
            best_theta = theta.copy()
            counter = 0
        else:
            counter += 1
            if counter >= patience:
                break
    return best_theta, float(best_mae), epoch


def run_adam_paper(
    objective: Objective,
    theta0: np.ndarray,
    *,
    lrs: tuple[float, ...] = PAPER_LRS,
    max_epochs: int = PAPER_MAX_EPOCHS,
    patience: int = PAPER_PATIENCE,
    tol: float = PAPER_MAE_TOL,
) -> AdamResult:
    """The authors' ``fitFR`` protocol on ``objective``'s analytic gradient (Sloth code, sloth/sloth.py).

    For every learning rate of ``lrs``, a full-batch Adam run (β = (0.9, 0.999), ε = 1e-8, bias-corrected)
    starts from ``theta0``; the learning rate decays by 0.95 after 20 epochs without a relative 1e-4 drop of
    the loss (``ReduceLROnPlateau``); link weights are clamped at 0 after every step; the run keeps the
    parameters of its best training MAE and stops after ``patience`` epochs without a ``tol`` improvement
    (or ``max_epochs``).  The run with the lowest best MAE wins (first one on ties).  Deterministic.
    """
    lo, _ = objective.layout.bounds()
    theta0 = np.asarray(theta0, dtype=float)
    best: tuple[np.ndarray, float, float] | None = None
    epochs, maes = [], []
    for lr in lrs:
        theta, best_mae, n = _adam_one_lr(
            objective, theta0, float(lr), lo, int(max_epochs), int(patience), tol
        )
        epochs.append(n)
        maes.append(best_mae)
        if best is None or best_mae < best[1]:
            best = (theta, best_mae, float(lr))
    assert best is not None
    theta, best_mae, lr = best
    return AdamResult(
        theta=theta,
        loss=float(objective(theta)[0]),
        best_mae=best_mae,
        lr=lr,
        n_epochs=int(sum(epochs)),
        epochs_per_lr=tuple(epochs),
        mae_per_lr=tuple(maes),
    )
