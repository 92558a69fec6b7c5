"""The IRT layer of the test-time analysis (paper §4.5) and the pass@k curves of Figure 7.

Model i answers MATH problem j correctly with probability p_ij = sigmoid(θ_i · a_j − b_j), θ_i the model's
(centred, rotated) Sloth skills, a_j ∈ R^d the problem's discriminations, b_j its difficulty.  The authors fit
a_j, b_j by the mean binary cross-entropy over the sample-level outcomes (7 models × 128 problems × 10,000
samples) plus ``wd · (‖a‖² + ‖b‖²) / (number of parameters)``.  The samples of one (model, problem) pair are
exchangeable under this model, so the sum of their cross-entropies only depends on the number of samples n_ij
and of correct ones c_ij: n_ij · softplus(η_ij) − c_ij · η_ij.  :class:`BinomialIRT` minimises exactly that
(the binomial likelihood on counts, divided by the number of samples), with analytic gradients and scipy's
L-BFGS-B run to convergence (the authors: torch LBFGS, one ``step`` of at most 50 iterations from
N(0, 1e-4²); we start from zero, which is deterministic).

The 90 % training mask (``create_irt_train_mask`` in the authors' notebook: each sample-level entry in the
training set with probability 0.9, seed 42) is drawn on counts by :func:`split_counts`: for each (model,
problem), the number of training samples is Binomial(n, 0.9) and the number of correct ones among them is
hypergeometric (c correct among n, that many drawn).  That is exactly the distribution of the counts a
Bernoulli(0.9) mask over the individual samples gives; the mask itself (which samples) does not matter to the
likelihood.  Our draws come from numpy's ``default_rng(random_state)``, not torch's, so the split is not the
authors' split.

Prediction for a held-out model: p̂_j from its scaling-law skills, predicted coverage(k) = 1 − mean_j
(1 − p̂_j)^k; ground truth: the unbiased pass@k estimator of Chen et al. (2021), 1 − C(n − c, k) / C(n, k),
averaged over the problems (:func:`pass_at_k`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slothpipe.errors import DataError

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit


def pass_at_k(n, c, k) -> np.ndarray:
    """The unbiased pass@k estimator 1 − Π_{i=n−c+1}^{n} (1 − k/i) = 1 − C(n − c, k) / C(n, k) (1 where
    n − c < k), broadcast over arrays of integers.

    The product is summed in log space (``log1p``) from its largest factor, so it is exact to rounding for any
    n (a difference of ``gammaln`` values loses seven digits at n = 10^4).
    """
    n, c, k = np.broadcast_arrays(*(np.asarray(x, dtype=np.int64) for x in (n, c, k)))
    if np.any(k > n) or np.any(k < 1) or np.any(c < 0) or np.any(c > n):
        raise ValueError("pass_at_k needs 0 <= c <= n and 1 <= k <= n")
    out = np.ones(n.shape, dtype=float)
    for nn, kk in sorted({(int(a), int(b)) for a, b in zip(n.ravel(), k.ravel(), strict=True)}):
        sel = (n == nn) & (k == kk)
        # log of the factors (1 − k/i) for i = n, n − 1, ..., k + 1; partial sums: c factors from the top
        logs = np.concatenate([[0.0], np.cumsum(np.log1p(-kk / np.arange(nn, kk, -1, dtype=float)))])
        cc = c[sel]
        vals = np.ones(cc.shape)
        ok = nn - cc >= kk
        vals[ok] = -np.expm1(logs[cc[ok]])
        out[sel] = vals
    return out


def coverage(p, k) -> np.ndarray:
    """Predicted coverage 1 − mean_j (1 − p_j)^k of per-problem success probabilities ``p``, for each k."""
    p = np.asarray(p, dtype=float)
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore"):
        log_fail = np.log1p(-p)  # -inf where p == 1
    return 1.0 - np.exp(np.multiply.outer(k, log_fail)).mean(axis=-1)


def k_grid(n_max: int, n_points: int) -> np.ndarray:
    """About ``n_points`` integers from 1 to ``n_max``, evenly spaced on a log scale (both ends included)."""
    return np.unique(np.rint(np.logspace(0.0, np.log10(n_max), n_points)).astype(np.int64))


def split_counts(n, c, *, train_fraction: float, random_state: int):
    """(n_train, c_train, n_val, c_val): the counts of a Bernoulli(``train_fraction``) mask over the samples.

    n_train ~ Binomial(n, train_fraction); c_train | n_train ~ Hypergeometric(c correct, n − c wrong,
    n_train drawn).
    """
    n = np.asarray(n, dtype=np.int64)
    c = np.asarray(c, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    n_train = rng.binomial(n, train_fraction)
    c_train = np.zeros_like(c)
    drawn = n_train > 0
    c_train[drawn] = rng.hypergeometric(c[drawn], (n - c)[drawn], n_train[drawn])
    return n_train, c_train, n - n_train, c - c_train


def mean_cross_entropy(eta: np.ndarray, n: np.ndarray, c: np.ndarray) -> float:
    """Mean sample-level binary cross-entropy of logits ``eta`` for n samples with c correct."""
    total = n.sum()
    if total == 0:
        raise ValueError("no samples")
    return float((n * np.logaddexp(0.0, eta) - c * eta).sum() / total)


class BinomialIRT:
    """A multidimensional 2PL IRT model with known abilities, fitted on correct-sample counts.

    ``l2`` is the authors' weight decay: the objective is the mean sample-level cross-entropy plus
    ``l2 · (‖a‖² + ‖b‖²) / n_params``.  ``fit(theta, n, c)``: abilities (models × d), numbers of samples and
    of correct samples (models × problems).  Fitted: ``discrimination_`` (problems × d), ``difficulty_``
    (problems), ``loss_`` (the objective), ``n_iter_``, ``converged_``.
    """

    def __init__(self, *, l2: float = 0.0, max_iter: int = 5000, tol: float = 1e-12):
        self.l2 = l2
        self.max_iter = max_iter
        self.tol = tol

    def _unpack(self, w: np.ndarray, J: int, d: int):
        return w[: J * d].reshape(J, d), w[J * d :]

    def fit(self, theta, n, c) -> BinomialIRT:
        theta = np.asarray(theta, dtype=float)
        n = np.asarray(n, dtype=float)
        c = np.asarray(c, dtype=float)
        if theta.ndim != 2 or n.shape != c.shape or n.shape[0] != theta.shape[0]:
            raise ValueError("theta must be models x d and n, c models x problems")
        if np.any(c < 0) or np.any(c > n):
            raise ValueError("counts must satisfy 0 <= c <= n")
        J = n.shape[1]
        d = theta.shape[1]
        total = n.sum()
        n_params = J * (d + 1)

        def objective(w):
            a, b = self._unpack(w, J, d)
            eta = theta @ a.T - b
            loss = (n * np.logaddexp(0.0, eta) - c * eta).sum() / total + self.l2 * (w @ w) / n_params
            g = (n * expit(eta) - c) / total
            grad = np.concatenate([(g.T @ theta).ravel(), -g.sum(axis=0)]) + 2 * self.l2 * w / n_params
            return loss, grad

        result = minimize(
            objective,
            np.zeros(n_params),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-10, "maxcor": 20},
        )
        self.discrimination_, self.difficulty_ = self._unpack(result.x, J, d)
        self.loss_ = float(result.fun)
        self.n_iter_ = int(result.nit)
        self.converged_ = bool(result.success)
        return self

    def logits(self, theta) -> np.ndarray:
        return np.asarray(theta, dtype=float) @ self.discrimination_.T - self.difficulty_

    def predict_proba(self, theta) -> np.ndarray:
        """P(correct) of each model (rows of ``theta``) on each problem."""
        return expit(self.logits(theta))


def select_and_fit(
    theta,
    n,
    c,
    *,
    l2_grid: Sequence[float],
    train_fraction: float,
    random_state: int,
    max_iter: int = 5000,
) -> tuple[BinomialIRT, list[dict[str, Any]]]:
    """Fit one IRT model per weight decay of ``l2_grid`` on the training counts of :func:`split_counts`; keep
    the one with the lowest validation cross-entropy (the first of the grid on a tie), as the authors.

    Returns the kept model (fitted on the training counts) and one row per grid value.
    """
    n_tr, c_tr, n_val, c_val = split_counts(n, c, train_fraction=train_fraction, random_state=random_state)
    rows, best, best_loss = [], None, np.inf
    for l2 in l2_grid:
        model = BinomialIRT(l2=float(l2), max_iter=max_iter).fit(theta, n_tr, c_tr)
        val = mean_cross_entropy(model.logits(theta), n_val, c_val)
        train = mean_cross_entropy(model.logits(theta), n_tr, c_tr)
        rows.append(
            {"l2": float(l2), "train_bce": train, "validation_bce": val, "n_iter": model.n_iter_,
             "converged": model.converged_}
        )  # fmt: skip
        if val < best_loss:
            best, best_loss = model, val
    for row in rows:
        row["chosen"] = row["l2"] == best.l2
    return best, rows


def curves(
    counts: pd.DataFrame,
    skills: pd.DataFrame,
    model: BinomialIRT,
    *,
    skill_names: Sequence[str],
    models: Sequence[str],
    roles: dict[str, str],
    k_points: int,
) -> pd.DataFrame:
    """True pass@k and predicted coverage at a log grid of k for ``models``: one row per model and k.

    ``counts`` is the cleaned table (model, problem, n_samples, n_correct), ``skills`` has ``model`` and the
    ``skill_names`` columns.  k runs up to the smallest number of samples of any problem of these models.
    """
    counts = counts[counts["model"].isin(models)]
    ks = k_grid(int(counts["n_samples"].min()), k_points)
    theta = skills.set_index("model").loc[list(models), list(skill_names)].to_numpy(float)
    proba = model.predict_proba(theta)
    parts = []
    for i, name in enumerate(models):
        rows = counts[counts["model"] == name].sort_values("problem")
        n = rows["n_samples"].to_numpy()
        c = rows["n_correct"].to_numpy()
        true = np.array([pass_at_k(n, c, k).mean() for k in ks])
        parts.append(
            pd.DataFrame(
                {
                    "model": name,
                    "role": roles[name],
                    "k": ks,
                    "pass_at_k": true,
                    "predicted": coverage(proba[i], ks),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


#: Columns of a skills table (``slothpipe.downstream.skill_sources.setting_skills``) that are not skills.
SKILL_ID_COLUMNS = ("model", "variant_family", "params_b", "tokens_t", "role")


def fit_test_time(
    counts: pd.DataFrame,
    skills: pd.DataFrame,
    *,
    targets: Sequence[str],
    irt: dict[str, Any],
    k_points: int,
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """The stage's fit: the IRT layer on the counts of every model but ``targets``, then the curves.

    ``counts``: the cleaned table (model, problem, n_samples, n_correct); ``skills``: one row per model with
    its skills (the targets' from the scaling law).  ``irt``: ``train_fraction``, ``l2_grid``,
    ``random_state``.  Returns the IRT parameters (one row per problem: ``a_<skill>`` and ``b``), the fit's
    record and the curves of every model (role ``target`` or ``train``).
    """
    names = [c for c in skills.columns if c not in SKILL_ID_COLUMNS]
    models = sorted(counts["model"].unique())
    missing = sorted(set(models) - set(skills["model"]))
    if missing:
        raise DataError(
            f"test_time: no skills for model(s) {missing}: the dataset lacks one of their benchmarks, their "
            "size or their token count, or the skills fit left them out (test_time.drop)"
        )
    unknown = sorted(set(targets) - set(models))
    if unknown:
        raise DataError(f"test_time: target(s) {unknown} have no counts (test_time.files)")
    train = [m for m in models if m not in set(targets)]
    table = counts.pivot(index="model", columns="problem")
    n = table["n_samples"].loc[train].to_numpy(np.int64)
    c = table["n_correct"].loc[train].to_numpy(np.int64)
    theta = skills.set_index("model").loc[train, names].to_numpy(float)
    model, grid = select_and_fit(
        theta,
        n,
        c,
        l2_grid=[float(x) for x in irt["l2_grid"]],
        train_fraction=float(irt["train_fraction"]),
        random_state=int(irt["random_state"]),
    )
    params = pd.DataFrame(model.discrimination_, columns=[f"a_{s}" for s in names])
    params.insert(0, "problem", table["n_samples"].columns.to_numpy(np.int64))
    params["b"] = model.difficulty_
    info = {
        "train_models": train,
        "targets": list(targets),
        "skills": names,
        "n_problems": int(n.shape[1]),
        "n_samples_train_models": int(n.sum()),
        "mask": (
            f"a Bernoulli({irt['train_fraction']}) mask over the samples, drawn on counts: Binomial(n, "
            "fraction) training samples per model and problem, a hypergeometric number of correct ones among "
            f"them (numpy default_rng({irt['random_state']}))"
        ),
        "l2_grid": grid,
        "chosen_l2": model.l2,
        "objective": model.loss_,
        "converged": model.converged_,
    }
    roles = {m: ("target" if m in set(targets) else "train") for m in models}
    order = [*targets, *train]
    curve_table = curves(
        counts, skills, model, skill_names=names, models=order, roles=roles, k_points=k_points
    )
    return params, info, curve_table
