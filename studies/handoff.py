"""Is a warm-started fit's spread across kernels made in the fit itself or handed to it by its start?

Not a test: a measurement, like the other scripts of ``benchmarks/``.  A trainable-link method (Sloth,
Size and Tokens, FLOPs trainable link) starts from the fitted parameters of its sigmoid method
(``MethodSpec.warm_start``).  For one fold and one such method this script

1. fits the warm-start method under each kernel (``default`` and ``SandyBridge``, each in its own process)
   and keeps its parameters: the *handoff*;
2. fits the method under each kernel from each kernel's handoff (four fits);

and reports the largest |Δ| of a held-out prediction between the fits, the fits' objectives, and how far
apart the two handoffs are, as they are and in a canonical rotation of the skills (for d ≥ 2 the model and
its ridge term are invariant under a rotation of the skills, so a fit's parameters are determined by the
data only up to one).  Same handoff, other kernel: the spread the fit makes itself; other handoff, same
kernel: the spread it is handed.

Usage (from the repository root, after the data stage and ``plan_groups``)::

    python studies/handoff.py --fold v2/n1/smollm --method sloth_d3
    python studies/handoff.py --fold v1/n1/gemma --method sloth_d1 --source-tol 1e-9
    python studies/handoff.py --fold v1/n1/gemma --method sloth_d1 --kernels default,Haswell
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
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
KERNELS = ("default", "SandyBridge")


def worker(ns: argparse.Namespace) -> None:
    """One fit in this process (its BLAS kernel is fixed by the environment), on the fold's arrays as the
    pipeline's ``evaluate_fold`` splits them (its ``fit_predict`` seam runs the stage)."""
    from slothpipe.models.fitting import make_estimator
    from slothpipe.models.methods import METHODS, chance_levels

    from stability import run_fold  # studies/ is this script's directory, on sys.path

    spec = METHODS[ns.method]
    result: dict = {}

    def stage(methods, X, families, Y, X_test, families_test, *, benchmarks, n_train_models, **_):
        chance = chance_levels(benchmarks)
        if ns.stage == "handoff":
            source = make_estimator(spec.warm_start, chance=chance, n_train_models=n_train_models)
            if ns.source_tol is not None:
                source.set_params(tol=ns.source_tol)
            result.update(params=source.fit(X, Y, families).fitted_params(), objective=source.objective_)
            return {ns.method: np.zeros((len(X_test), len(benchmarks)))}  # no prediction at this stage
        init = pickle.loads(Path(ns.handoff).read_bytes())["params"]
        est = make_estimator(ns.method, chance=chance, n_train_models=n_train_models, init=init)
        result.update(pred=est.fit(X, Y, families).predict(X_test, families_test), objective=est.objective_)
        return {ns.method: result["pred"]}

    run_fold(ns, stage)
    Path(ns.worker_out).write_bytes(pickle.dumps(result))


def _run(ns: argparse.Namespace, kernel: str, out: Path, stage: str, handoff: Path | None = None) -> dict:
    from stability import kernel_env

    cmd = [sys.executable, __file__, "--dataset", ns.dataset, "--plan", ns.plan, "--fold", ns.fold]
    cmd += ["--method", ns.method, "--stage", stage, "--worker-out", str(out)]
    if handoff is not None:
        cmd += ["--handoff", str(handoff)]
    if ns.source_tol is not None:
        cmd += ["--source-tol", str(ns.source_tol)]
    subprocess.run(cmd, check=True, env=kernel_env(kernel), cwd=ROOT)
    return pickle.loads(out.read_bytes())


def canonical(params: dict) -> dict[str, np.ndarray]:
    """Slopes, intercepts and loadings rotated to the loadings' right singular vectors (signs: positive
    column sums of the loadings): the same model, in a rotation that does not depend on the fit's path."""
    loadings = np.asarray(params["loadings"], dtype=float)
    _, _, vt = np.linalg.svd(loadings, full_matrices=False)
    rotation = vt.T * np.sign((loadings @ vt.T).sum(axis=0))
    return {
        key: np.asarray(params[key], dtype=float) @ rotation for key in ("slopes", "intercepts", "loadings")
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="results/data/dataset.parquet")
    p.add_argument("--plan", default="results/evaluation/plan.json")
    p.add_argument("--fold", required=True, help="SUITE/nN/GROUP")
    p.add_argument("--method", required=True, help="a warm-started method (registry slug)")
    p.add_argument(
        "--source-tol", type=float, help="gradient tolerance of the warm-start fit (default: its own)"
    )
    p.add_argument(
        "--kernels",
        default=",".join(KERNELS),
        help="the two OPENBLAS_CORETYPEs compared (default: default,SandyBridge; on an Intel Xeon with "
        "AVX-512, default,Haswell compares this machine with an AMD EPYC's kernel)",
    )
    p.add_argument("--stage", help=argparse.SUPPRESS)
    p.add_argument("--handoff", help=argparse.SUPPRESS)
    p.add_argument("--worker-out", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    if ns.worker_out:
        worker(ns)
        return
    kernels = tuple(ns.kernels.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = {k: tmp / f"handoff_{k}.pkl" for k in kernels}
        handoffs = {k: _run(ns, k, paths[k], "handoff") for k in kernels}
        fits = {
            (start, kernel): _run(ns, kernel, tmp / f"fit_{start}_{kernel}.pkl", "fit", paths[start])
            for start in kernels
            for kernel in kernels
        }
    a, b = (handoffs[k]["params"] for k in kernels)
    rows = []
    for key in ("slopes", "intercepts", "loadings", "bias"):
        row = {"block": key, "max |Δ| as fitted": float(np.max(np.abs(np.subtract(a[key], b[key]))))}
        if key != "bias":
            row["max |Δ| canonical rotation"] = float(np.max(np.abs(canonical(a)[key] - canonical(b)[key])))
        rows.append(row)
    first = fits[(kernels[0], kernels[0])]["pred"]
    table = pd.DataFrame(
        [
            {
                "handoff from": start,
                "fitted under": kernel,
                "objective": fit["objective"],
                "max |Δ| vs first (pp)": 100.0 * float(np.max(np.abs(fit["pred"] - first))),
            }
            for (start, kernel), fit in fits.items()
        ]
    )
    objectives = ", ".join(f"{k} {handoffs[k]['objective']:.12g}" for k in kernels)
    print(f"{ns.fold}, {ns.method} (warm start: objective {objectives})\n")
    print("## The handoffs: parameters of the warm-start fit under each kernel\n")
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".2e") + "\n")
    print("## The fits from each handoff under each kernel\n")
    print(table.to_markdown(index=False, floatfmt=".6g"))


if __name__ == "__main__":
    main()
