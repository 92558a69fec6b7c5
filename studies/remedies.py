"""What more starts, averaging over seeds or a stronger link ridge do to the spread across kernels.

Not a test: a measurement, like the other scripts of ``benchmarks/``.  ``stability.py`` measures the spread
of the pipeline's fits; this script asks what the remedies the issue lists would buy, and at what cost.  It
runs chosen folds with one method bundle under each kernel (``default`` and ``SandyBridge``, each in its own
process) for each variant of the fitting protocol:

* ``base``: the pipeline's fits;
* ``link_ridge_start:X``: monotone links fitted by continuation, first with link ridge X, then with the
  default (``none``: in one stage, the pipeline's protocol);
* ``starts:K``: K starts for every fit (sigmoid fits: K random restarts; warm-started monotone-link fits:
  the warm start plus K - 1 random links), the rule of ``slothpipe.models._core.minimise`` picks one;
* ``seeds:K``: the predictions averaged over the fits of K seeds (``random_state`` 0..K-1): an ensemble;
* ``link_ridge:X``: the monotone link's ridge X instead of the default;
* ``link_init:sigmoid``: warm-started links pre-fitted to the sigmoid instead of random;
* ``source_tol:X``: the fits that other fits start from (Sloth basic, FLOPs, Size and Tokens basic) run to
  a projected gradient of X instead of the default;
* ``majority:K``: every warm-started fit becomes K fits, from its warm start and from K - 1 fixed
  perturbations of it (1e-2 on slopes and intercepts), and predicts with the member whose training
  predictions are closest to the others';

combined with ``+`` (``link_ridge_start:3e-3+starts:5``: five starts for the continued link fits), and
reports, per variant and fold, the largest |Δ| of a prediction between the kernels, the largest MAE spread
of a method, the mean MAE of the bundle (default kernel) and the CPU seconds of the fits.  The default folds
are the six whose predictions moved most between the two kernels in the whole-grid measurement of
``docs/numerics.md``.

Usage (from the repository root, after the data stage and ``plan_groups``)::

    python studies/remedies.py --out /tmp/remedies
    python studies/remedies.py --out /tmp/remedies --variant base --variant starts:5 --fold v2/n1/smollm

Runs are cached in ``--out`` (``<variant>_<kernel>.parquet``) unless ``--force``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel, which numpy reads when it loads)

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
KERNELS = ("default", "SandyBridge")
VARIANTS = (
    "base",
    "starts:3",
    "starts:5",
    "seeds:3",
    "link_ridge:3e-3",
    "link_init:sigmoid",
    "link_ridge_start:3e-3",
    "source_tol:1e-9",
    "source_tol:1e-11",
)
FOLDS = (
    "v1+v2/n1/qwen2",
    "v1/n1/gemma",
    "v1+v2/n2/qwen2",
    "v1/n2/llama-2",
    "v1/n2/qwen1.5",
    "v2/n1/smollm",
)
KINDS = (
    "base",
    "starts:K",
    "seeds:K",
    "link_ridge:X",
    "link_ridge_start:X|none",
    "link_init:sigmoid",
    "source_tol:X",
    "majority:K",
)
KEYS = ["fold", "method", "model", "benchmark"]


def apply_variant(variant: str) -> int:
    """Configure the method registry for ``variant`` in this (worker) process; returns the number of seeds.

    The registry builds every estimator in ``make_estimator``; a variant wraps it and sets parameters on the
    estimators it returns (a measurement's override, not a pipeline setting).  Variants combine with ``+``
    (``link_ridge_start:3e-3+starts:5``).
    """
    from slothpipe.models import fitting

    from stability import set_on_estimators  # studies/ is this script's directory, on sys.path

    seeds = 1
    for part in variant.split("+"):
        kind, _, value = part.partition(":")
        if kind == "base":
            continue
        if kind == "seeds":
            seeds = int(value)
        elif kind == "starts":
            fitting.FOLD_RESTARTS = int(value)

            def starts(spec, est, k=int(value)):
                if spec.random_starts and spec.warm_start is not None:
                    est.set_params(n_restarts=k)

            set_on_estimators(fitting, starts)
        elif kind in ("link_ridge", "link_ridge_start"):
            setting = None if value == "none" else float(value)

            def ridge(spec, est, key=kind, setting=setting):
                if key in est.get_params():
                    est.set_params(**{key: setting})

            set_on_estimators(fitting, ridge)
        elif kind == "source_tol":
            sources = {s.warm_start for s in fitting.FIT_SPECS.values() if s.warm_start is not None}

            def source_tol(spec, est, tol=float(value), sources=sources):
                if spec.name in sources:
                    est.set_params(tol=tol)

            set_on_estimators(fitting, source_tol)
        elif kind == "majority":

            def majority(spec, est, k=int(value)):
                if spec.warm_start is not None and spec.random_starts:
                    _keep_majority(est, k)

            set_on_estimators(fitting, majority)
        elif kind == "link_init":
            fitting.FOLD_LINK_INIT = value
        else:
            raise SystemExit(f"remedies.py: unknown variant {part!r}; known: {', '.join(KINDS)}")
    return seeds


#: Size of the fixed perturbations of a handoff in ``majority:K`` (the kernels' handoffs are ~1e-3 apart).
HANDOFF_PERTURBATION = 1e-2


def _keep_majority(est, k: int) -> None:
    """Make the warm-started ``est`` fit K members, from its handoff (``init``) and from K - 1 fixed
    perturbations of its slopes and intercepts, and predict with the member whose training predictions are
    closest to the other members' (the first such member on ties): it changes only when most members flip."""
    members: list = []

    def fit(X, Y, families=None):
        init = est.get_params()["init"]
        members.clear()
        for i in range(k):
            start = dict(init)
            if i:
                rng = np.random.default_rng(i)
                for key in ("slopes", "intercepts"):
                    value = np.asarray(init[key], dtype=float)
                    start[key] = value + HANDOFF_PERTURBATION * rng.standard_normal(value.shape)
            params = {**est.get_params(), "init": start}  # a fresh, unpatched estimator
            members.append(type(est)(**params).fit(X, Y, families))
        train = np.stack([m.predict(X, families) for m in members])
        distance = np.abs(train[:, None] - train[None, :]).mean(axis=(2, 3)).sum(axis=1)
        members[:] = [members[int(np.argmin(distance))]]
        return est

    est.fit = fit
    est.predict = lambda X, families=None: members[0].predict(X, families)


def worker(ns: argparse.Namespace) -> None:
    from slothpipe.evaluation.bundles import method_bundles
    from slothpipe.evaluation.folds import evaluate_fold
    from slothpipe.io import read_json
    from slothpipe.models.fitting import FitOptions
    from slothpipe.models.methods import METHODS

    from stability import fold_of, parse_fold

    seeds = apply_variant(ns.worker)
    plan = read_json(ns.plan)
    dataset = pd.read_parquet(ns.dataset)
    methods = method_bundles(list(METHODS), METHODS)[ns.bundle]
    frames = []
    for fold in ns.fold:
        suite, n, gid = parse_fold(fold)
        benchmarks, group = fold_of(plan, suite, n, gid)
        kwargs = dict(suite=suite, benchmarks=benchmarks, n_train_models=n, group=group, methods=methods)
        start = time.process_time()
        runs = [
            evaluate_fold(dataset, options=FitOptions(random_state=seed), **kwargs) for seed in range(seeds)
        ]
        frame = runs[0].assign(fold=fold, cpu_seconds=time.process_time() - start)
        frame["y_pred"] = np.mean([r["y_pred"].to_numpy() for r in runs], axis=0)
        frame["abs_error_pp"] = 100.0 * (frame["y_pred"] - frame["y_true"]).abs()
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out[[*KEYS, "y_true", "y_pred", "abs_error_pp", "cpu_seconds"]].to_parquet(ns.worker_out, index=False)


def _run(ns: argparse.Namespace, variant: str, kernel: str) -> Path:
    path = Path(ns.out) / f"{variant.replace(':', '_')}_{kernel}.parquet"
    if path.exists() and not ns.force:
        return path
    from stability import kernel_env  # studies/ is this script's directory, on sys.path

    env = kernel_env(kernel)
    cmd = [sys.executable, __file__, "--worker", variant, "--worker-out", str(path)]
    cmd += ["--dataset", ns.dataset, "--plan", ns.plan, "--bundle", ns.bundle]
    for fold in ns.fold:
        cmd += ["--fold", fold]
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    return path


def report(runs: dict[tuple[str, str], pd.DataFrame], variants: list[str]) -> str:
    rows = []
    for variant in variants:
        base = runs[(variant, KERNELS[0])].set_index(KEYS)
        other = runs[(variant, KERNELS[1])].set_index(KEYS).reindex(base.index)
        delta = (100.0 * (other["y_pred"] - base["y_pred"]).abs()).rename("delta")
        frame = base.assign(delta=delta, other_err=other["abs_error_pp"]).reset_index()
        for fold, f in frame.groupby("fold", sort=False):
            by_method = f.groupby("method")
            spread = (by_method["abs_error_pp"].mean() - by_method["other_err"].mean()).abs()
            rows.append(
                {
                    "variant": variant,
                    "fold": fold,
                    "max_delta_pp": f["delta"].max(),
                    "max_mae_spread_pp": spread.max(),
                    "mae_pp": f["abs_error_pp"].mean(),
                    "cpu_s": f["cpu_seconds"].iloc[0],
                }
            )
    table = pd.DataFrame(rows)
    summary = table.groupby("variant", sort=False).agg(
        folds_within_2pp=("max_delta_pp", lambda s: f"{int((s <= 2.0).sum())}/{len(s)}"),
        worst_delta_pp=("max_delta_pp", "max"),
        worst_mae_spread_pp=("max_mae_spread_pp", "max"),
        mean_mae_pp=("mae_pp", "mean"),
        cpu_s=("cpu_s", "sum"),
    )
    return (
        f"kernels: {', '.join(KERNELS)}; |Δ| of a prediction between them\n\n## Per variant and fold\n\n"
        + table.to_markdown(index=False, floatfmt=".3f")
        + "\n\n## Per variant\n\n"
        + summary.to_markdown(floatfmt=".3f")
        + "\n"
    )


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="results/data/dataset.parquet")
    p.add_argument("--plan", default="results/evaluation/plan.json")
    p.add_argument("--bundle", default="sloth", help="method bundle (baselines, sloth)")
    p.add_argument("--fold", action="append", help="SUITE/nN/GROUP (repeatable; default: six folds)")
    p.add_argument("--variant", action="append", help=f"repeatable; default: {', '.join(VARIANTS)}")
    p.add_argument("--out", help="directory of the runs and the report")
    p.add_argument("--force", action="store_true", help="re-run runs that exist in --out")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--worker-out", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    ns.fold = ns.fold or list(FOLDS)
    if ns.worker:
        worker(ns)
        return
    if not ns.out:
        p.error("--out is required")
    Path(ns.out).mkdir(parents=True, exist_ok=True)
    variants = ns.variant or list(VARIANTS)
    tasks = [(v, k) for v in variants for k in KERNELS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        paths = list(pool.map(lambda t: _run(ns, *t), tasks))
    runs = {t: pd.read_parquet(q) for t, q in zip(tasks, paths, strict=True)}
    text = report(runs, variants)
    (Path(ns.out) / "report.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
