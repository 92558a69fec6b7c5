"""Would exact second-order steps make the monotone-link fits faster?  (issue 26's first lever)

Not a test: a measurement.  It captures the per-benchmark monotone-link fits ("Size and Tokens", 186
parameters per benchmark in LB v1) of one held-out group, exactly as a fold job starts them (warm start from
the sigmoid law), and minimises each with

* the pipeline's L-BFGS-B (``models/_core.run_lbfgs``), and
* a projected Newton method with Levenberg-Marquardt damping (Bertsekas' active set for the non-negative link
  weights; a damped Newton step on the free coordinates from the eigen-decomposition of their Hessian; the
  step accepted when the objective falls by at least a tenth of the quadratic model's prediction), on a
  Hessian from finite differences of the analytic gradient, to the same projected-gradient tolerance.

It prints, per benchmark, the iterations, the final objectives and how far the training predictions of the two
minima differ, and then what one Hessian would cost if computed at once for all directions (the forward and
backward pass of the link vectorised over as many copies as there are parameters, a lower bound for a
forward-over-reverse Hessian) and one eigen-decomposition, against one L-BFGS-B iteration::

    python studies/second_order.py --root . --suite v1 --n 1 --group 0

``--root`` is a checkout where ``plan_groups`` has run.
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel, which numpy reads when it loads)

import numpy as np


def capture(root: Path, suite: str, n: int, group: int, method: str) -> list:
    """(objective, start, L-BFGS-B result, seconds) of every ``method`` fit in one fold."""
    import slothpipe.models._core as core
    from slothpipe.evaluation.folds import evaluate_fold

    from fit_variants import setting_slice  # studies/ is this script's directory, on sys.path

    runs = []
    run = core.run_lbfgs

    def recording_run(objective, theta0, max_iter, tol=core.GTOL):
        start = time.perf_counter()
        result = run(objective, theta0, max_iter, tol)
        runs.append((objective, theta0.copy(), result, time.perf_counter() - start))
        return result

    core.run_lbfgs = recording_run
    data, groups, benchmarks = setting_slice(root, suite, n)
    evaluate_fold(
        data,
        suite=suite,
        benchmarks=benchmarks,
        n_train_models=n,
        group=groups[group],
        methods=[method],
    )
    core.run_lbfgs = run
    # the warm start's own sigmoid fits are captured too; keep the monotone-link ones
    return [r for r in runs if r[0].layout.link == "monotone"]


def fd_hessian(fun, x: np.ndarray, g0: np.ndarray) -> np.ndarray:
    """Hessian from forward differences of the analytic gradient, symmetrised."""
    H = np.empty((x.size, x.size))
    for i in range(x.size):
        h = 1e-7 * max(1.0, abs(x[i]))
        xp = x.copy()
        xp[i] += h
        H[:, i] = (fun(xp)[1] - g0) / h
    return 0.5 * (H + H.T)


def projected_newton(fun, x0, lo, hi, tol, max_iter=1000):
    """(x, f, iterations, evaluations, converged) of a damped projected Newton method (see the module)."""
    x = np.clip(x0, lo, hi)
    f, g = fun(x)
    n_fun, mu = 1, 1e-3
    for it in range(max_iter):
        pg = np.where(x <= lo, np.minimum(g, 0.0), g)
        if np.abs(pg).max() <= tol:
            return x, f, it, n_fun, True
        eps = min(1e-3, float(np.linalg.norm(pg)))
        active = (x - lo <= eps) & (g > 0)
        free = ~active
        H = fd_hessian(fun, x, g)
        n_fun += x.size
        w, V = np.linalg.eigh(H[np.ix_(free, free)])
        while True:
            shift = max(0.0, -w[0]) + mu
            d = np.zeros_like(x)
            d[free] = -V @ ((V.T @ g[free]) / (w + shift))
            d[active] = -g[active] / max(1.0, shift)
            xn = np.clip(x + d, lo, hi)
            fn, gn = fun(xn)
            n_fun += 1
            s = xn - x
            predicted = g @ s + 0.5 * s @ (H @ s)
            rho = (fn - f) / predicted if predicted < 0 else -1.0
            if fn < f and rho > 0.1:
                break
            mu *= 8.0
            if mu > 1e12:
                return x, f, it, n_fun, False
        x, f, g = xn, fn, gn
        mu = max(mu * 0.25 if rho > 0.75 else mu, 1e-10)
    return x, f, max_iter, n_fun, False


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--suite", default="v1")
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--group", type=int, default=0)
    parser.add_argument("--method", default="size_tokens")
    args = parser.parse_args(argv)
    import slothpipe.models._core as core

    runs = capture(args.root.resolve(), args.suite, args.n, args.group, args.method)
    print("benchmark fit: L-BFGS-B iterations, seconds | projected Newton iterations, gradient evaluations,")
    print("  objective difference (Newton - L-BFGS-B), largest training-prediction difference (pp)")
    per_iter = []
    for objective, theta0, result, secs in runs:
        lo, hi = objective.layout.bounds()
        x, f, its, n_fun, ok = projected_newton(objective, theta0, lo, hi, core.GTOL)
        move = np.abs(objective.predict(x, objective.Xs, objective.D) - objective.predict(result.theta,
                      objective.Xs, objective.D)).max() * 100  # fmt: skip
        per_iter.append(secs / max(result.n_iter, 1))
        print(f"  {objective.layout.size} parameters: {result.n_iter:5d} it, {secs:.3f} s | {its:4d} it, "
              f"{n_fun:6d} evaluations, converged {ok}, {f - result.loss:+.2e}, {move:.3f} pp")  # fmt: skip
    size = runs[0][0].layout.size
    rng = np.random.default_rng(0)
    n_rows = runs[0][0].Xs.shape[0]
    params = core.random_link_params(rng, size)
    eta = rng.normal(size=(n_rows, size))
    grad = rng.normal(size=(n_rows, size))

    def forward_backward():
        core.link_backward(grad, params, core.link_forward(eta, params)[1])

    hessian_ms = timeit.timeit(forward_backward, number=20) / 20 * 1e3
    A = rng.normal(size=(size, size))
    A = A @ A.T
    eigh_ms = timeit.timeit(lambda: np.linalg.eigh(A), number=20) / 20 * 1e3
    print(f"one L-BFGS-B iteration: {np.median(per_iter) * 1e3:.3f} ms (median over the fits)")
    print(f"one link forward + backward over {size} copies (at least one exact Hessian): {hessian_ms:.2f} ms")
    print(f"one eigen-decomposition ({size}x{size}): {eigh_ms:.2f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
