"""Does a compiled objective make the fits faster, or independent of the BLAS kernel?  (issue 26)

Not a test: a measurement.  Needs numba, which is not in the lock files (``pip install numba==0.68.1``):
the lever was measured and not adopted (docs/speed.md, "Levers measured and not adopted").  One fused numba
kernel computes the penalised objective and its gradient for every layout of ``models/_core.Objective``
(skills, loadings, sigmoid or monotone link, learned floors, Huber loss, ridge) in plain loops, with no BLAS
call; it agrees with the numpy objective to about 1e-15 (relative) on each layout the fold uses (printed).
The script fits the fold of ``benchmarks/fit_speed.py`` (28 methods, held-out group qwen2) with the numpy
objective and with the compiled one, under each OpenBLAS kernel given, each in its own process, and prints
the fold's seconds and how far the held-out predictions move between kernels::

    python studies/compiled_objective.py --kernels default,SandyBridge,Haswell,Prescott
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel, which numpy reads when it loads)

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

try:
    import numba
except ImportError:  # pragma: no cover
    sys.exit("studies/compiled_objective.py needs numba: pip install numba==0.68.1")

_njit = numba.njit


@_njit(cache=True, inline="always")
def _sig(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@_njit(cache=True, inline="always")
def _th(x):
    return 2.0 * _sig(2.0 * x) - 1.0


@_njit(cache=True, inline="always")
def _at_b(A, B, out):
    """out[q, k] = sum_i A[i, q] * B[i, k], summed in row order."""
    for q in range(A.shape[1]):
        for k in range(B.shape[1]):
            a = 0.0
            for i in range(A.shape[0]):
                a += A[i, q] * B[i, k]
            out[q, k] = a


@_njit(cache=True)
def fused(
    Xs,
    D,
    Y,
    W,
    gamma_fixed,
    delta,
    diagonal,
    monotone,
    learn_floor,
    beta,
    alpha,
    lam,
    b,
    c,
    w1,
    c1,
    w2,
    c2,
    w3,
    c3,
    g_beta,
    g_alpha,
    g_lam,
    g_b,
    g_c,
    g_w1,
    g_c1,
    g_w2,
    g_c2,
    g_w3,
    g_c3,
    z1,
    eta,
    s,
    h0,
    h1,
    h2,
    g_eta,
    g_z1,
):
    n, p = Xs.shape
    f = D.shape[1]
    d = beta.shape[1]
    J = Y.shape[1]
    H = w1.shape[1]
    # skills
    for i in range(n):
        for k in range(d):
            a = 0.0
            for q in range(p):
                a += Xs[i, q] * beta[q, k]
            for q in range(f):
                a += D[i, q] * alpha[q, k]
            z1[i, k] = a
    if diagonal:
        for i in range(n):
            for j in range(J):
                eta[i, j] = z1[i, j]
    else:
        for i in range(n):
            for j in range(J):
                a = b[j]
                for k in range(d):
                    a += z1[i, k] * lam[j, k]
                eta[i, j] = a
    loss = 0.0
    for j in range(J):
        gam = _sig(c[j]) if learn_floor else gamma_fixed[j]
        gc = 0.0
        if monotone:
            for q in range(H):
                g_w1[j, q] = 0.0
                g_c1[j, q] = 0.0
                g_c2[j, q] = 0.0
                g_w3[j, q] = 0.0
                for r in range(H):
                    g_w2[j, q, r] = 0.0
            g_c3[j] = 0.0
        for i in range(n):
            if monotone:
                x = _th(eta[i, j])
                h0[i] = x
                for q in range(H):
                    h1[i, q] = _th(x * w1[j, q] + c1[j, q])
                a3 = c3[j]
                for k in range(H):
                    a = c2[j, k]
                    for q in range(H):
                        a += h1[i, q] * w2[j, k, q]
                    t = _th(a)
                    h2[i, k] = t
                    a3 += t * w3[j, k]
                sv = _sig(a3)
            else:
                sv = _sig(eta[i, j])
            w = W[i, j]
            if w == 0.0:
                g_eta[i, j] = 0.0
                continue
            r = gam + (1.0 - gam) * sv - Y[i, j]
            der = r / delta
            if der > 1.0:
                der = 1.0
            elif der < -1.0:
                der = -1.0
            loss += w * (der * (r - 0.5 * delta * der))
            gmu = w * der
            gc += gmu * (1.0 - sv)
            gs = gmu * (1.0 - gam)
            if monotone:
                g3 = gs * sv * (1.0 - sv)
                g_c3[j] += g3
                ga2 = np.empty(H)
                for k in range(H):
                    t = h2[i, k]
                    g_w3[j, k] += g3 * t
                    ga2[k] = g3 * w3[j, k] * (1.0 - t * t)
                    g_c2[j, k] += ga2[k]
                gh0 = 0.0
                x = h0[i]
                for q in range(H):
                    u = h1[i, q]
                    a = 0.0
                    for k in range(H):
                        g_w2[j, k, q] += ga2[k] * u
                        a += ga2[k] * w2[j, k, q]
                    ga1 = a * (1.0 - u * u)
                    g_w1[j, q] += ga1 * x
                    g_c1[j, q] += ga1
                    gh0 += ga1 * w1[j, q]
                g_eta[i, j] = gh0 * (1.0 - x * x)
            else:
                g_eta[i, j] = gs * sv * (1.0 - sv)
        if learn_floor:
            g_c[j] = gc * gam * (1.0 - gam)
    if diagonal:
        for i in range(n):
            for k in range(d):
                g_z1[i, k] = g_eta[i, k]
    else:
        for j in range(J):
            a = 0.0
            for i in range(n):
                a += g_eta[i, j]
            g_b[j] = a
        _at_b(g_eta, z1, g_lam)
        for i in range(n):
            for k in range(d):
                a = 0.0
                for j in range(J):
                    a += g_eta[i, j] * lam[j, k]
                g_z1[i, k] = a
    _at_b(Xs, g_z1, g_beta)
    _at_b(D, g_z1, g_alpha)
    return loss


@_njit(cache=True)
def add_penalty(theta, ref, lam, grad):
    v = 0.0
    for i in range(theta.size):
        dv = theta[i] - ref[i]
        sc = lam[i] * dv
        v += sc * dv
        grad[i] += sc
    return 0.5 * v


_E1 = np.zeros(1)
_E2 = np.zeros((1, 1))
_E3 = np.zeros((1, 1, 1))


def install(core):
    """Monkeypatch _core.Objective.evaluate/__call__ with the fused kernel."""
    Obj = core.Objective

    def _scratch(self):
        sc = getattr(self, "_nb", None)
        if sc is None:
            lay = self.layout
            n = self.Xs.shape[0]
            J = lay.n_bench
            d = lay.n_skills
            H = lay.hidden
            self._Wc = np.ascontiguousarray(self.weights, dtype=float)
            sc = dict(
                z1=np.empty((n, d)),
                eta=np.empty((n, J)),
                s=np.empty((n, J)),
                h0=np.empty(n),
                h1=np.empty((n, H)),
                h2=np.empty((n, H)),
                g_eta=np.empty((n, J)),
                g_z1=np.empty((n, d)),
            )
            self._nb = sc
        return sc

    def evaluate(self, theta, mae=False):
        if mae:
            return orig(self, theta, mae)
        lay = self.layout
        P = lay.unpack(theta)
        grad = np.empty(lay.size)
        G = lay.unpack(grad)
        sc = _scratch(self)
        mono = lay.link == "monotone"

        def get(dct, k, e):
            return dct[k] if k in dct else e

        loss = fused(
            self.Xs,
            self.D,
            self.Y,
            self._Wc,
            self.gamma_fixed,
            self.delta,
            lay.diagonal,
            mono,
            lay.learn_floor,
            P["beta"],
            P["alpha"],
            get(P, "lam", _E2),
            get(P, "b", _E1),
            get(P, "c", _E1),
            get(P, "w1", _E2),
            get(P, "c1", _E2),
            get(P, "w2", _E3),
            get(P, "c2", _E2),
            get(P, "w3", _E2),
            get(P, "c3", _E1),
            G["beta"],
            G["alpha"],
            get(G, "lam", _E2),
            get(G, "b", _E1),
            get(G, "c", _E1),
            get(G, "w1", _E2),
            get(G, "c1", _E2),
            get(G, "w2", _E3),
            get(G, "c2", _E2),
            get(G, "w3", _E2),
            get(G, "c3", _E1),
            sc["z1"],
            sc["eta"],
            sc["s"],
            sc["h0"],
            sc["h1"],
            sc["h2"],
            sc["g_eta"],
            sc["g_z1"],
        )
        return loss, grad, None

    def call(self, theta):
        loss, grad, _ = evaluate(self, theta)
        if self.penalised:
            loss += add_penalty(theta, self.ref, self.lam, grad)
        return loss, grad

    orig = Obj.evaluate
    Obj.evaluate = evaluate
    Obj.__call__ = call
    return orig


def _fold():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fit_speed as fs

    df, X, fam, Y = fs.load(fs.V2, np.log, 2)
    test = np.zeros(len(df), dtype=bool)
    for f in fs.GROUP:
        test[np.where(fam == f)[0][1:]] = True
    return (X[~test], fam[~test], Y[~test], X[test], fam[test]), {"benchmarks": fs.V2, "n_train_models": 1}


def child(variant: str, out: str) -> None:
    """Fit the fold once (after a warm-up fit that compiles or loads the kernel) and save its predictions."""
    from slothpipe.models import _core, fitting

    args, kw = _fold()
    seen = []
    if variant == "compiled":
        numpy_evaluate = install(_core)
        init = _core.Objective.__init__

        def grab(self, *a, **k):
            init(self, *a, **k)
            seen.append(self)

        _core.Objective.__init__ = grab
        fitting.fit_predict(None, *args, **kw)
        rng = np.random.default_rng(1)
        kinds = {}
        for o in seen:
            key = (o.layout.diagonal, o.layout.link, o.layout.learn_floor, o.layout.n_bench)
            if key not in kinds:
                lo, hi = o.layout.bounds()
                th = np.clip(rng.normal(size=o.layout.size) * 0.3, lo, hi)
                l1, g1, _ = numpy_evaluate(o, th)
                l2, g2, _ = o.evaluate(th)
                kinds[key] = (abs(l1 - l2) / abs(l1), float(np.abs(g1 - g2).max() / np.abs(g1).max()))
        for key, (dl, dg) in kinds.items():
            print(f"  layout {key}: loss rel. diff {dl:.1e}, gradient rel. diff {dg:.1e}", file=sys.stderr)
    start = time.perf_counter()
    preds = fitting.fit_predict(None, *args, **kw)
    seconds = time.perf_counter() - start
    np.save(out, np.stack([preds[k] for k in sorted(preds)]))
    print(f"{seconds:.3f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kernels", default="default,SandyBridge,Haswell,Prescott")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(*a.child)
        return
    from stability import kernel_env  # studies/ is this script's directory, on sys.path

    kernels = a.kernels.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        preds, seconds = {}, {}
        for variant in ("numpy", "compiled"):
            for kernel in kernels:
                out = f"{tmp}/{variant}_{kernel}.npy"
                cmd = [sys.executable, __file__, "--child", variant, out]
                res = subprocess.run(cmd, env=kernel_env(kernel), capture_output=True, text=True, check=True)
                sys.stderr.write(res.stderr)
                seconds[variant, kernel] = float(res.stdout.split()[-1])
                print(f"{variant:8s} {kernel:12s} fold {seconds[variant, kernel]:.2f} s", flush=True)
                preds[variant, kernel] = np.load(out)
        for variant in ("numpy", "compiled"):
            ref = preds[variant, kernels[0]]
            for kernel in kernels[1:]:
                d = 100 * np.abs(preds[variant, kernel] - ref)
                print(
                    f"{variant:8s} {kernel} vs {kernels[0]}: largest move {d.max():.3f} pp, "
                    f"{int((d > 0.5).sum())} of {d.size} predictions beyond 0.5 pp"
                )
        d = 100 * np.abs(preds["compiled", kernels[0]] - preds["numpy", kernels[0]])
        beyond = int((d > 0.5).sum())
        print(f"compiled vs numpy ({kernels[0]}): largest move {d.max():.3f} pp, {beyond} beyond 0.5 pp")
        print(json.dumps({f"{v}/{k}": round(sec, 3) for (v, k), sec in seconds.items()}))


if __name__ == "__main__":
    main()
