"""Which optima does a fold's fit reach under two OpenBLAS kernels, and what did every start find?

Not a test: a measurement, like the other scripts of ``benchmarks/``.  For one fold and one method this script
fits the method as the fold job does (its warm-start chain first, through ``evaluate_fold``'s
``fit_predict`` seam), once per kernel, each in its own process, and records for every fit of the chain
and every start: the objective after screening, whether the start was continued, its final objective,
iterations and convergence, and the held-out predictions of the point it ended at.  It then prints, per
fit, the starts under each kernel, the objective of each kernel's chosen optimum and their gap, and the
held-out predictions that move between the kernels.

The committed results were made on an AMD EPYC, whose OpenBLAS kernel is ``Haswell``; on an Intel Xeon
with AVX-512 OpenBLAS picks ``SkylakeX``.  ``--kernels default,Haswell`` on such a machine compares this
machine's fit with the committed one (``Haswell`` there reproduces the tracked fold outputs bit for bit,
docs/numerics.md).

Usage (from the repository root)::

    python studies/optima.py --fold v2/n2/qwen2 --method sloth_basic_shared_d4
    python studies/optima.py --fold v1/n1/gemma --method sloth_d1 --kernels default,SandyBridge
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel, which numpy reads when it loads)

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


_SET_PARAMS: list = []  # the unpatched SlothRegressor._set_params_from_theta


def _instrument() -> dict:
    """Patch ``_core.minimise`` and ``SlothRegressor._set_params_from_theta`` so that a fit leaves in the
    returned dict every L-BFGS-B run of its last ``minimise`` call and the arguments that turn any end point
    into parameters."""
    from slothpipe.models import _core, laws

    minimise, run_lbfgs = _core.minimise, _core.run_lbfgs
    current: dict = {}

    def logged_run(objective, theta0, max_iter, tol=_core.GTOL):
        res = run_lbfgs(objective, theta0, max_iter, tol)
        start = float(objective(np.clip(theta0, *objective.layout.bounds()))[0])
        current["runs"].append({"start": start, "max_iter": int(max_iter), "res": res})
        return res

    def logged_minimise(objective, starts, **kwargs):
        current.clear()
        current["runs"] = []
        _core.run_lbfgs = logged_run
        try:
            out = minimise(objective, starts, **kwargs)
        finally:
            _core.run_lbfgs = run_lbfgs
        lay = objective.layout
        current.update(
            n=len(starts), screen=kwargs.get("screen_iter"), separable=lay.diagonal and lay.n_bench > 1
        )
        return out

    _SET_PARAMS.append(laws.SlothRegressor._set_params_from_theta)

    def keep_args(self, theta, layout, mean, scale, gamma0):
        current["args"] = (layout, mean, scale, gamma0)
        return _SET_PARAMS[0](self, theta, layout, mean, scale, gamma0)

    _core.minimise = logged_minimise
    laws.SlothRegressor._set_params_from_theta = keep_args
    return current


def _starts(fit: dict) -> list[dict]:
    """Per start: its objective at the start and after screening, whether it was continued, its final
    objective, iterations and end point (``_core.minimise``'s runs, in its order)."""
    runs, n = fit["runs"], fit["n"]
    if n == 1 or fit["screen"] is None or runs[0]["max_iter"] != fit["screen"]:
        return [
            {
                "start": i,
                "at start": r["start"],
                "continued": True,
                "end": r["res"],
                "n_iter": r["res"].n_iter,
            }
            for i, r in enumerate(runs[:n])
        ]
    from slothpipe.models._core import SCREEN_KEEP_RTOL

    best = min(r["res"].loss for r in runs[:n])
    more = iter(runs[n:])  # one continuation per continued start, in start order
    out = []
    for i, r in enumerate(runs[:n]):
        res = r["res"]
        row = {"start": i, "at start": r["start"], "after screening": res.loss}
        if res.converged or res.loss > best + SCREEN_KEEP_RTOL * abs(best):
            out.append({**row, "continued": False, "end": res, "n_iter": res.n_iter})
        else:
            end = next(more)["res"]
            out.append({**row, "continued": True, "end": end, "n_iter": res.n_iter + end.n_iter})
    return out


def worker(ns: argparse.Namespace) -> None:
    from slothpipe.models import _core, fitting

    from stability import run_fold  # studies/ is this script's directory, on sys.path

    current = _instrument()
    fits: dict = {}

    def stage(methods, X, families, Y, X_test, families_test, *, benchmarks, n_train_models, **_):
        chance = fitting.chance_levels(benchmarks)
        fitted: dict = {}
        for spec in fitting.warm_start_chain([ns.method]):
            name = spec.name
            init = fitted[spec.warm_start].fitted_params() if spec.warm_start is not None else None
            est = fitting.make_estimator(name, chance=chance, n_train_models=n_train_models, init=init)
            current.clear()
            fitted[name] = est.fit(X, Y, families)
            info = {"objective": est.objective_, "restart_losses": np.asarray(est.restart_losses_)}
            info["pred"] = est.predict(X_test, families_test)
            if current.get("runs") and not current["separable"] and "args" in current:
                starts = _starts(current)
                for s in starts:
                    probe = fitting.make_estimator(name, chance=chance, n_train_models=n_train_models)
                    probe.__dict__.update(est.__dict__)
                    _SET_PARAMS[0](probe, s["end"].theta, *current["args"])
                    end = s.pop("end")
                    s.update(
                        pred=probe.predict(X_test, families_test), loss=end.loss, converged=end.converged
                    )
                info.update(starts=starts, chosen=_core.first_within(np.array([s["loss"] for s in starts])))
            fits[name] = info
        return {ns.method: fitted[ns.method].predict(X_test, families_test)}

    frame = run_fold(ns, stage)
    Path(ns.worker_out).write_bytes(pickle.dumps({"fits": fits, "fold": frame}))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="results/data/dataset.parquet")
    p.add_argument("--plan", default="results/evaluation/plan.json")
    p.add_argument("--fold", required=True, help="SUITE/nN/GROUP")
    p.add_argument("--method", required=True)
    p.add_argument("--kernels", default="default,Haswell")
    p.add_argument(
        "--out", help="also keep every run's record here (<kernel>.pkl) and the report (report.md)"
    )
    p.add_argument("--worker-out", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    if ns.worker_out:
        worker(ns)
        return
    from stability import kernel_env

    kernels = ns.kernels.split(",")
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in kernels:
            out = Path(tmp) / f"{k}.pkl"
            cmd = [sys.executable, __file__, "--dataset", ns.dataset, "--plan", ns.plan, "--fold", ns.fold]
            cmd += ["--method", ns.method, "--worker-out", str(out)]
            subprocess.run(cmd, check=True, env=kernel_env(k), cwd=ROOT)
            runs[k] = pickle.loads(out.read_bytes())
    text = report(ns.fold, ns.method, runs)
    if ns.out:
        out = Path(ns.out)
        out.mkdir(parents=True, exist_ok=True)
        for k, run in runs.items():
            (out / f"{k}.pkl").write_bytes(pickle.dumps(run))
        (out / "report.md").write_text(text, encoding="utf-8")
    print(text)


def report(fold: str, method: str, runs: dict) -> str:
    kernels = list(runs)
    a, b = (runs[k] for k in kernels[:2])
    frame = a["fold"]
    lines = [f"# {fold}, {method}: kernels {', '.join(kernels)}", ""]
    for name, fa in a["fits"].items():
        fb = b["fits"][name]
        gap = fb["objective"] - fa["objective"]
        moved = 100 * np.abs(fb["pred"] - fa["pred"])
        lines.append(
            f"## {name}: objective {kernels[0]} {fa['objective']:.9g}, {kernels[1]} {fb['objective']:.9g} "
            f"(gap {gap:.3g}, relative {gap / fa['objective']:.2g}); "
            f"largest held-out move {moved.max():.3f} pp"
        )
        for k, fit in ((kernels[0], fa), (kernels[1], fb)):
            if "starts" not in fit:
                lines.append(f"- {k}: restart losses {np.array2string(fit['restart_losses'], precision=9)}")
                continue
            for s in fit["starts"]:
                mark = " (chosen)" if s["start"] == fit["chosen"] else ""
                screen = f", after screening {s['after screening']:.9g}" if "after screening" in s else ""
                cont = "" if s["continued"] else ", not continued"
                stop = "" if s["converged"] else " (not converged)"
                lines.append(
                    f"- {k} start {s['start']}{mark}: {s['at start']:.6g}{screen}{cont} -> "
                    f"{s['loss']:.9g}, {s['n_iter']} iterations{stop}; "
                    f"held-out move vs {kernels[0]}'s chosen: "
                    f"{100 * np.abs(s['pred'] - fa['pred']).max():.3f} pp"
                )
        lines.append("")
    pred = frame[["model", "benchmark", "y_true"]].copy()
    last = list(a["fits"])[-1]
    pa, pb = a["fits"][last]["pred"].ravel(), b["fits"][last]["pred"].ravel()
    pred[kernels[0]], pred[kernels[1]] = 100 * pa, 100 * pb
    pred["y_true"] = 100 * pred["y_true"]
    pred["|Δ| pp"] = np.abs(pred[kernels[1]] - pred[kernels[0]])
    lines.append("## Held-out predictions that move by more than 0.5 pp (pp)")
    lines.append("")
    lines.append(pred[pred["|Δ| pp"] > 0.5].to_markdown(index=False, floatfmt=".2f"))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
