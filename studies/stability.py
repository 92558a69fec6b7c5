"""Stability harness: do the fold fits give the same numbers under other BLAS kernels (issue 10)?

Another machine differs from this one mostly in its floating-point rounding: other BLAS kernels (AVX-512
instead of AVX2, another summation order in ``dgemm``), other SIMD paths in numpy.  Swapping OpenBLAS's
kernel with ``OPENBLAS_CORETYPE`` reproduces that on one machine.  This script evaluates chosen fold jobs
(or the whole grid) of a plan once per kernel, each in its own process tree, and optionally once more with
the training scores perturbed by one ulp, then reports

* per method and setting (suite x n_train_models): the MAE under each run and its spread (max - min, pp);
* per prediction: the distribution of |Δ| against the first run (max, 99th percentile, share > 0.5 pp);
* for the skill laws (every method with a link), how many of the predictions that move lie beyond the range
  of the training models' η of their benchmark (in any run), where nothing but monotonicity constrains a
  trainable link: whether constraining its extrapolation could narrow the spread.

Usage (from the repository root, after the data stage and ``plan_groups``)::

    python studies/stability.py --out /tmp/stab                       # the whole grid, 3 kernels
    python studies/stability.py --suite v2 --n 2 --group qwen2 --bundle sloth --out /tmp/stab
    python studies/stability.py --out /tmp/stab --ulp                 # also a 1-ulp input perturbation
    python studies/stability.py --compare /tmp/stab                   # re-print the report
    python studies/stability.py --folds default=resources/folds/paper \
        --folds SandyBridge=/tmp/clone/resources/folds/paper --out /tmp/stab  # two pipeline runs

``--folds NAME=DIR`` reads a run from the fold outputs of a pipeline run (``<DIR>/<suite>/n<n>/<bundle>
.parquet``; before the setting jobs ``<DIR>/<suite>/n<n>/<group>/<bundle>.parquet``), for instance a whole
rebuild in a clone under ``OPENBLAS_CORETYPE=SandyBridge``; with two
or more of them no fold is fitted.

Each run writes ``<out>/<run>.parquet`` (every prediction with its fold keys) and the report goes to stdout
and ``<out>/report.md``.  Runs are cached: an existing ``<run>.parquet`` is reused unless ``--force``.
Not a test: a measurement, like the other scripts of ``benchmarks/``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel, which numpy reads when it loads)

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_KERNELS = ("default", "Haswell", "SandyBridge")
KEYS = ["suite", "n_train_models", "group", "method", "model", "benchmark"]


def _folds(plan: dict, suites, ns, groups) -> list[tuple[str, int, dict]]:
    out = []
    for s in plan["settings"]:
        if suites and s["suite"] not in suites:
            continue
        if ns and s["n_train_models"] not in ns:
            continue
        for g in s["groups"]:
            if groups and g["id"] not in groups:
                continue
            out.append((s["suite"], int(s["n_train_models"]), g))
    return out


def set_on_estimators(fitting, choose) -> None:
    """Wrap ``fitting.make_estimator``: ``choose(spec, estimator)`` may set parameters on what it returns
    (a measurement's override or instrument, not a pipeline setting)."""
    build = fitting.make_estimator

    def make(name, **kwargs):
        est = build(name, **kwargs)
        choose(fitting.FIT_SPECS[name] if isinstance(name, str) else name, est)
        return est

    fitting.make_estimator = make


def record_data_range(fitting, beyond: dict[str, np.ndarray]) -> None:
    """Instrument the skill laws (every method with a link): ``beyond[method]`` becomes, per test prediction
    (n_test x J), whether its η lies outside the range of the training models' η of that benchmark, where
    a monotone link is constrained by nothing but monotonicity."""
    from slothpipe.models.laws import _LinkedLaw

    def instrument(spec, est):
        if not isinstance(est, _LinkedLaw):
            return
        fit, predict = est.fit, est.predict

        def fit_and_range(X, Y, families=None):
            fit(X, Y, families)
            eta = est._eta(*est._designs(np.asarray(X, dtype=float), families, "families"))
            est._eta_range = (eta.min(axis=0), eta.max(axis=0))
            return est

        def predict_and_flag(X, families=None):
            eta = est._eta(*est._designs(np.asarray(X, dtype=float), families, "families"))
            lo, hi = est._eta_range
            beyond[spec.name] = (eta < lo[None, :]) | (eta > hi[None, :])
            return predict(X, families)

        est.fit, est.predict = fit_and_range, predict_and_flag

    set_on_estimators(fitting, instrument)


def parse_fold(text: str) -> tuple[str, int, str]:
    """A fold as the scripts' ``--fold`` takes it, ``"SUITE/nN/GROUP"`` -> (suite, n_train_models, group)."""
    suite, n, gid = text.split("/")
    return suite, int(n.removeprefix("n")), gid


def fold_of(plan: dict, suite: str, n: int, gid: str) -> tuple[list[str], object]:
    """The benchmarks of a fold's setting and its held-out group, looked up in the plan."""
    from slothpipe.evaluation.groups import find_group

    setting = next(s for s in plan["settings"] if s["suite"] == suite and s["n_train_models"] == n)
    return list(setting["benchmarks"]), find_group(plan, suite, n, gid)


def run_fold(ns, fit_predict) -> pd.DataFrame:
    """``evaluate_fold`` of ``ns.method`` on the fold ``ns.fold`` (``SUITE/nN/GROUP`` of ``ns.plan``, data
    ``ns.dataset``), fitted by ``fit_predict``: the workers of handoff.py and optima.py."""
    from slothpipe.evaluation.folds import evaluate_fold
    from slothpipe.io import read_json

    suite, n, gid = parse_fold(ns.fold)
    benchmarks, group = fold_of(read_json(ns.plan), suite, n, gid)
    return evaluate_fold(
        pd.read_parquet(ns.dataset),
        suite=suite,
        benchmarks=benchmarks,
        n_train_models=n,
        group=group,
        methods=[ns.method],
        fit_predict=fit_predict,
    )


_BEYOND: list[dict[str, np.ndarray]] = []


def _one_fold(args) -> pd.DataFrame:
    dataset_path, plan_path, suite, n, gid, methods, ulp = args
    from slothpipe.evaluation.folds import evaluate_fold
    from slothpipe.io import read_json
    from slothpipe.models import fitting

    if not _BEYOND:  # once per process; the dict is emptied for every fold
        _BEYOND.append({})
        record_data_range(fitting, _BEYOND[0])
    beyond = _BEYOND[0]
    beyond.clear()

    plan = read_json(plan_path)
    dataset = pd.read_parquet(dataset_path)
    benchmarks, group = fold_of(plan, suite, n, gid)
    if ulp:
        # one ulp up on every observed score of the suite: the smallest change of the inputs there is
        for b in benchmarks:
            dataset[b] = np.nextafter(dataset[b].to_numpy(dtype=float), np.inf)
    frame = evaluate_fold(
        dataset,
        suite=suite,
        benchmarks=benchmarks,
        n_train_models=n,
        group=group,
        methods=methods,
    )
    # a method's rows are ordered by test model, then benchmark: its (n_test x J) flags in row-major order
    frame["beyond_data"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    for method, flags in beyond.items():
        frame.loc[frame["method"] == method, "beyond_data"] = flags.ravel()
    return frame


def worker(ns: argparse.Namespace) -> None:
    """Evaluate the selected folds in this process tree (its BLAS kernel is fixed by the environment)."""
    from slothpipe.evaluation.bundles import method_bundles
    from slothpipe.models.methods import METHODS

    plan = json.loads(Path(ns.plan).read_text(encoding="utf-8"))
    bundles = method_bundles(list(METHODS), METHODS)
    methods = [m for b in (ns.bundle or bundles) for m in bundles[b]]
    if ns.method:
        methods = [m for m in methods if m in ns.method]
    tasks = [
        (ns.dataset, ns.plan, suite, n, g["id"], methods, ns.ulp)
        for suite, n, g in _folds(plan, ns.suite, ns.n, ns.group)
    ]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=ns.jobs) as pool:
        frames = list(pool.map(_one_fold, tasks))
    out = pd.concat(frames, ignore_index=True)
    out = out[[*KEYS, "y_true", "y_pred", "abs_error_pp", "beyond_data"]]
    Path(ns.worker_out).parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(ns.worker_out, index=False)
    print(f"{ns.worker_out}: {len(tasks)} folds, {len(out)} predictions, {time.perf_counter() - t0:.1f} s")


def kernel_env(kernel: str) -> dict[str, str]:
    """This process's environment with OpenBLAS's kernel set to ``kernel`` ("default": as the pipeline runs,
    pinned where the CPU supports it; "native": OpenBLAS's and numpy's own choice; slothpipe.blas_kernel) and
    every BLAS pinned to one thread."""
    from slothpipe.blas_kernel import environ_for

    env = environ_for(kernel)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _run(ns: argparse.Namespace, kernel: str, ulp: bool) -> Path:
    name = kernel + ("_ulp" if ulp else "")
    path = Path(ns.out) / f"{name}.parquet"
    if path.exists() and not ns.force:
        return path
    env = kernel_env(kernel)
    cmd = [sys.executable, __file__, "--worker-out", str(path), "--dataset", ns.dataset, "--plan", ns.plan]
    cmd += ["--jobs", str(ns.jobs)]
    for flag in ("suite", "n", "group", "bundle", "method"):
        for value in getattr(ns, flag) or []:
            cmd += [f"--{flag}", str(value)]
    if ulp:
        cmd.append("--ulp")
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    return path


def read_folds(directory: Path) -> pd.DataFrame:
    """Every fold output under a run's ``resources/folds/paper`` directory, as one prediction table: one
    file per setting and bundle (``<suite>/n<n>/<bundle>.parquet``), or, in runs made before the setting
    jobs, one per group and bundle (``<suite>/n<n>/<group>/<bundle>.parquet``)."""
    files = sorted(Path(directory).glob("*/n*/*.parquet")) or sorted(Path(directory).glob("*/n*/*/*.parquet"))
    if not files:
        raise SystemExit(f"stability.py: no fold outputs under {directory}")
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame[[*KEYS, "y_true", "y_pred", "abs_error_pp"]]


def mae_by_setting(pred: pd.DataFrame) -> pd.Series:
    """The pipeline's cell: mean over a group's test models, then over benchmarks and groups equally."""
    from slothpipe.evaluation.aggregate import group_errors

    g = group_errors(pred.assign(instruct=False, variant_family=""))
    return g.groupby(["suite", "n_train_models", "method"])["mae_pp"].mean()


def common_predictions(runs: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The runs restricted to the predictions every run has, and one note per run that had others.

    Runs that cover different folds (a partial rebuild, an interrupted run) would otherwise be compared by
    MAEs over different cells, which is a spread of coverage, not of rounding.
    """
    keys = None
    for df in runs.values():
        index = pd.MultiIndex.from_frame(df[KEYS])
        keys = index if keys is None else keys.intersection(index)
    notes, out = [], {}
    for name, df in runs.items():
        keep = pd.MultiIndex.from_frame(df[KEYS]).isin(keys)
        if not keep.all():
            left = int((~keep).sum())
            notes.append(f"{name}: {left} of {len(df)} predictions are not in every run, left out")
        out[name] = df[keep].reset_index(drop=True)
    if keys is None or len(keys) == 0:
        raise SystemExit("stability.py: the runs have no prediction in common")
    return out, notes


def _where_moves_are(runs: dict[str, pd.DataFrame], index: pd.MultiIndex, cells: pd.Series) -> list[str]:
    """Of the predictions that move, how many lie beyond their training η range (in any run), by link."""
    from slothpipe.models.methods import METHODS

    flags = pd.concat([df.set_index(KEYS)["beyond_data"].reindex(index) for df in runs.values()], axis=1)
    beyond = flags.fillna(False).any(axis=1)
    known = flags.notna().all(axis=1)
    links = pd.Series(
        [METHODS[m].settings.get("link", "sigmoid") for m in index.get_level_values("method")], index=index
    )
    frame = pd.DataFrame({"delta": cells, "beyond": beyond, "link": links})[known]
    rows = []
    for link, f in frame.groupby("link"):
        row = {"link": link, "predictions": len(f), "beyond_data": int(f["beyond"].sum())}
        for cut in (0.5, 2.0):
            moved = f[f["delta"] > cut]
            row[f"moved_gt_{cut}pp"] = len(moved)
            row[f"of_which_beyond_data_gt_{cut}pp"] = int(moved["beyond"].sum())
        rows.append(row)
    return [
        "## Where the moves are: inside or beyond the training models' η range (skill laws only)",
        "",
        pd.DataFrame(rows).to_markdown(index=False),
    ]


def report(runs: dict[str, pd.DataFrame]) -> str:
    runs, notes = common_predictions(runs)
    names = list(runs)
    base = runs[names[0]].set_index(KEYS)
    maes = pd.DataFrame({name: mae_by_setting(df) for name, df in runs.items()})
    maes["spread_pp"] = maes[names].max(axis=1) - maes[names].min(axis=1)
    cell = []
    for name in names[1:]:
        other = runs[name].set_index(KEYS).reindex(base.index)
        cell.append((100.0 * (other["y_pred"] - base["y_pred"]).abs()).rename(name))
    cells = pd.concat(cell, axis=1).max(axis=1) if cell else pd.Series(0.0, index=base.index)
    lines = [f"runs: {', '.join(names)} (|Δ| of a prediction against {names[0]})", ""]
    if notes:
        lines += [f"- {note}" for note in notes] + [""]
    by_method = cells.groupby(level="method")
    per_method = pd.DataFrame(
        {
            "worst_setting_spread_pp": maes.groupby(level="method")["spread_pp"].max(),
            "cell_max_pp": by_method.max(),
            "cell_p99_pp": by_method.quantile(0.99),
            "share_gt_0.5pp": by_method.apply(lambda s: float((s > 0.5).mean())),
            "share_exact": by_method.apply(lambda s: float((s == 0).mean())),
        }
    )
    from slothpipe.models.methods import METHODS

    per_method = per_method.reindex([m for m in METHODS if m in per_method.index])
    lines.append("## Per method: worst setting's MAE spread and the |Δ| of single predictions")
    lines.append("")
    lines.append(per_method.to_markdown(floatfmt=".4f"))
    lines.append("")
    lines.append("## Overall")
    lines.append("")
    n_rows = len(maes)
    lines.append(
        f"- method x setting rows: {n_rows}; spread > 0.05 pp: {int((maes['spread_pp'] > 0.05).sum())}; "
        f"largest spread {maes['spread_pp'].max():.4f} pp at {maes['spread_pp'].idxmax()}"
    )
    lines.append(
        f"- predictions: {len(cells)}; max |Δ| {cells.max():.4f} pp; "
        f"99th percentile {cells.quantile(0.99):.4f} pp; "
        f"share within 0.5 pp {float((cells <= 0.5).mean()):.4f}; "
        f"bit-identical {float((cells == 0).mean()):.4f}"
    )
    if all("beyond_data" in df.columns for df in runs.values()):
        lines += ["", *_where_moves_are(runs, base.index, cells)]
    top = maes.sort_values("spread_pp", ascending=False).head(15)
    lines.append("")
    lines.append("## The 15 largest MAE spreads (pp)")
    lines.append("")
    lines.append(top.to_markdown(floatfmt=".4f"))
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="results/data/dataset.parquet")
    p.add_argument("--plan", default="results/evaluation/plan.json")
    p.add_argument("--suite", action="append", help="only these suites (repeatable)")
    p.add_argument("--n", action="append", type=int, help="only these n_train_models (repeatable)")
    p.add_argument("--group", action="append", help="only these group ids (repeatable)")
    p.add_argument("--bundle", action="append", help="only these bundles: baselines, sloth")
    p.add_argument("--method", action="append", help="only these methods (repeatable)")
    p.add_argument("--kernels", default=",".join(DEFAULT_KERNELS), help="comma-separated OPENBLAS_CORETYPEs")
    p.add_argument("--ulp", action="store_true", help="add a run with every score moved up by one ulp")
    p.add_argument("--jobs", type=int, default=2, help="parallel fold processes per run")
    p.add_argument("--out", help="directory of the runs and the report")
    p.add_argument("--force", action="store_true", help="re-run runs that exist in --out")
    p.add_argument("--compare", help="only re-print the report of the runs in this directory")
    p.add_argument("--folds", action="append", metavar="NAME=DIR", help="a run read from pipeline folds")
    p.add_argument("--worker-out", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    if ns.worker_out:
        worker(ns)
        return
    if ns.folds and len(ns.folds) >= 2:
        if not ns.out:
            p.error("--out is required")
        out = Path(ns.out)
        out.mkdir(parents=True, exist_ok=True)
        runs = {}
        for item in ns.folds:
            name, _, directory = item.partition("=")
            runs[name] = read_folds(Path(directory))
        text = report(runs)
        (out / "report.md").write_text(text, encoding="utf-8")
        print(text)
        return
    if ns.compare:
        out = Path(ns.compare)
        paths = sorted(out.glob("*.parquet"), key=lambda q: (q.stem != "default", q.stem))
    else:
        if not ns.out:
            p.error("--out is required")
        out = Path(ns.out)
        out.mkdir(parents=True, exist_ok=True)
        kernels = [k for k in ns.kernels.split(",") if k]
        paths = [_run(ns, k, False) for k in kernels]
        if ns.ulp:
            paths.append(_run(ns, kernels[0], True))
    runs = {q.stem: pd.read_parquet(q) for q in paths}
    text = report(runs)
    (out / "report.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
