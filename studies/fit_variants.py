"""What would another fit setting buy in speed, and cost in errors?  (issue 26: the decisions its speed
targets wait on)

Not a test: a measurement for a method decision.  The script refits every method on every held-out group of
the given settings under each variant of ``--variants`` (``;``-separated; each a ``,``-separated list of
``key=value``, empty for the pipeline's own settings), each variant in its own process, and writes, per
variant, setting and method, the fit seconds, the L-BFGS-B iterations and the mean absolute held-out error
(percentage points, every test model x benchmark cell).  The keys:

* ``hidden``: the monotone link's hidden width (10, the paper's ``IncreasingNN`` and ours; 141 free
  parameters per benchmark);
* ``ridge``, ``link_ridge``: the ridge strengths of every objective that uses the defaults (1e-4 and 1e-3,
  ``models/_core.py``);
* ``tol``: the projected-gradient tolerance of every L-BFGS-B run (1e-6).

::

    python studies/fit_variants.py --root . --variants "hidden=10;hidden=5;hidden=3" --out /tmp/widths.csv

``--root`` is a checkout where ``plan_groups`` has run (its ``resources/work/results/evaluation/slices.json``
names each setting's slice).  Every variant but the empty one changes the method; the pipeline uses none.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

SETTINGS = ("v1/1", "v1/2", "v2/1", "v2/2", "v1+v2/1", "v1+v2/2")


def parse_variant(text: str) -> dict[str, float]:
    """``"hidden=5,ridge=1e-3"`` -> ``{"hidden": 5.0, "ridge": 0.001}`` (keys checked)."""
    out = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        if key not in ("hidden", "ridge", "link_ridge", "tol"):
            raise SystemExit(f"unknown variant key {key!r} in {text!r}")
        out[key] = float(value)
    return out


def apply_variant(core, variant: dict[str, float]) -> None:
    """Patch the numerical core of this process to fit under ``variant``."""
    if "hidden" in variant:
        core.Layout.__init__.__defaults__ = (int(variant["hidden"]),)  # every layout the estimators build
    if "ridge" in variant or "link_ridge" in variant:
        init = core.Objective.__init__

        def patched(self, layout, Xs, D, Y, gamma_fixed, delta=core.HUBER_DELTA, ridge=0.0, link_ridge=0.0):
            if ridge == core.RIDGE:
                ridge = variant.get("ridge", ridge)
            if link_ridge == core.LINK_RIDGE:
                link_ridge = variant.get("link_ridge", link_ridge)
            init(self, layout, Xs, D, Y, gamma_fixed, delta, ridge, link_ridge)

        core.Objective.__init__ = patched
    if "tol" in variant:
        run = core.run_lbfgs
        core.run_lbfgs = lambda objective, theta0, max_iter, tol=None: run(
            objective, theta0, max_iter, variant["tol"]
        )


def setting_slice(root: Path, suite: str, n: int | str) -> tuple:
    """(dataset slice, held-out groups, benchmark names) of one setting of the checkout ``root``, from the
    slices ``plan_groups`` wrote there (``resources/work/results/evaluation/slices.json``)."""
    from slothpipe.evaluation.slices import read_setting

    import yaml

    config = yaml.safe_load((root / "config" / "config.yaml").read_text())
    index = json.loads((root / "resources/work/results/evaluation/slices.json").read_text())
    entry = index[suite][str(n)]
    data, groups = read_setting(root / entry["data"], root / entry["groups"])
    return data, groups, config["evaluation"]["suites"][suite]


def one_variant(root: Path, text: str, settings: list[str]) -> list[dict]:
    """Fit every method on every group of ``settings`` under the variant ``text`` (in this process)."""
    import slothpipe.models._core as core

    apply_variant(core, parse_variant(text))
    from slothpipe.evaluation.folds import evaluate_setting
    from slothpipe.models import fitting
    from slothpipe.models.methods import METHODS

    seconds: dict = collections.defaultdict(float)
    iterations: dict = collections.defaultdict(int)
    current = [None]
    make = fitting.make_estimator

    def timed_make(spec, **kwargs):
        est = make(spec, **kwargs)
        name = spec if isinstance(spec, str) else spec.name
        fit = est.fit

        def timed_fit(*args, **kw):
            current[0] = name
            start = time.perf_counter()
            out = fit(*args, **kw)
            seconds[name] += time.perf_counter() - start
            return out

        est.fit = timed_fit
        return est

    run = core.run_lbfgs

    def counted_run(objective, theta0, max_iter, tol=core.GTOL):
        result = run(objective, theta0, max_iter, tol)
        iterations[current[0]] += result.n_iter
        return result

    fitting.make_estimator = timed_make
    core.run_lbfgs = counted_run
    rows = []
    for setting in settings:
        suite, n = setting.split("/")
        data, groups, benchmarks = setting_slice(root, suite, n)
        seconds.clear()
        iterations.clear()
        errors = evaluate_setting(
            data,
            suite=suite,
            benchmarks=benchmarks,
            n_train_models=int(n),
            groups=groups,
            methods=list(METHODS),
        )
        mae = errors.groupby("method")["abs_error_pp"].mean()
        for method in METHODS:
            rows.append(
                dict(
                    variant=text,
                    setting=setting,
                    method=method,
                    seconds=round(seconds[method], 3),
                    iterations=iterations[method],
                    mae_pp=float(mae[method]),
                    cells=int((errors["method"] == method).sum()),
                )
            )
        print(
            f"{text or 'as the pipeline'}, {setting}: {sum(seconds.values()):.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--variants", default="")
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one variant, JSON to stdout
    args = parser.parse_args(argv)
    settings = args.settings.split(",")
    if args.one is not None:
        json.dump(one_variant(args.root.resolve(), args.one, settings), sys.stdout)
        return
    rows = []
    for text in args.variants.split(";"):
        parse_variant(text)  # fail before any fit
        cmd = [sys.executable, __file__, "--root", str(args.root), "--settings", args.settings,
               "--out", str(args.out), f"--one={text}"]  # fmt: skip
        rows += json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
    with args.out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
