"""Speed and training-loss benchmark of the model library (issue 3).  Not a test: prints measurements.

Default run (LB v2 set of ../shared/reference/sloth_data_v2.csv: models with tokens, family = Family2, natural
logs of #Params (B) and Pretraining Data Size (T), rows with all 6 v2 benchmarks, families with >= 2 models):

* one Sloth basic fit and one warm-started Sloth fit at d = 2 with family intercepts, with the settings
  ``fit_predict`` uses, their wall time and training MAE;
* ``fit_predict`` with all 28 methods for the held-out group qwen2 + qwen2-instruct + dolphin-2.9.2-qwen2 with
  one training model per family (each family of the group keeps its smallest model in training).

The last line is ``fold_seconds=<...> sloth_fit_seconds=<...> sloth_train_mae=<...>``.

Options: ``--interpretation-set`` also fits Sloth basic d = 3 on the 79-model, 12-benchmark interpretation set
(log10 units, no family-size filter, as the Sloth code's ``load_data``) from ``--seeds`` seeds (default 20)
and reports the best training MAE next to the authors' 0.02437; ``--restarts-study`` measures how often
1..5 random starts reach the best training loss (the basis of the default ``n_restarts``).  Run on one core:
BLAS threads are pinned by ``import slothpipe`` and the process is bound to one CPU where the OS allows it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel, which numpy reads when it loads)

import numpy as np

V1 = ["MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"]
V2 = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]
GROUP = ["qwen2", "qwen2-instruct", "dolphin-2.9.2-qwen2"]
AUTHORS_D3_MAE = 0.02437


def shared_dir() -> Path:
    path = Path(__file__).resolve().parents[1].parent / "shared"
    data = path / "reference" / "sloth_data_v2.csv"
    if not data.exists():
        sys.exit(
            f"fit_speed.py: needs the paper's dataset at {data}; ../shared is absent (see DEVELOPERS.md)"
        )
    return path


def load(benchmarks, log, min_models):
    import pandas as pd

    df = pd.read_csv(shared_dir() / "reference" / "sloth_data_v2.csv")
    df = df.dropna(subset=["#Params (B)", "Pretraining Data Size (T)", "Family2", *benchmarks])
    if min_models:
        counts = df["Family2"].value_counts()
        df = df[df["Family2"].map(counts) >= min_models]
    df = df.sort_values(["Family2", "#Params (B)"], kind="stable").reset_index(drop=True)
    X = log(df[["#Params (B)", "Pretraining Data Size (T)"]].to_numpy(dtype=float))
    return df, X, df["Family2"].to_numpy().astype(str), df[benchmarks].to_numpy(dtype=float)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interpretation-set", action="store_true", help="also fit Sloth basic d=3 (§9.1)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds for --interpretation-set")
    parser.add_argument("--restarts-study", action="store_true", help="success rate of 1..5 random starts")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        except OSError:
            pass

    from slothpipe.models import SlothRegressor, chance_levels, fit_predict
    from slothpipe.models.fitting import make_estimator

    df, X, fam, Y = load(V2, np.log, 2)
    print(f"LB v2 set: {len(df)} models, {len(np.unique(fam))} families, {len(V2)} benchmarks")
    chance = chance_levels(V2)
    basic, basic_s = timed(lambda: make_estimator("sloth_basic_d2", chance=chance).fit(X, Y, fam))
    full, full_s = timed(
        lambda: make_estimator("sloth_d2", chance=chance, init=basic.fitted_params()).fit(X, Y, fam)
    )
    print(
        f"Sloth basic d=2 (family intercepts): {basic_s:.2f} s, training MAE {basic.train_mae_:.5f}, "
        f"Huber loss {basic.loss_:.6f}, {basic.n_iter_} L-BFGS iterations"
    )
    print(
        f"Sloth d=2 (monotone link, warm start): {full_s:.2f} s, training MAE {full.train_mae_:.5f}, "
        f"Huber loss {full.loss_:.6f}, {full.n_iter_} L-BFGS iterations"
    )

    test = np.zeros(len(df), dtype=bool)
    for f in GROUP:
        test[np.where(fam == f)[0][1:]] = True  # rows are sorted by size within a family
    preds, fold_s = timed(
        lambda: fit_predict(
            None, X[~test], fam[~test], Y[~test], X[test], fam[test], benchmarks=V2, n_train_models=1
        )
    )
    err = {name: 100 * float(np.abs(p - Y[test]).mean()) for name, p in preds.items()}
    print(
        f"fit_predict, 28 methods, held-out group {'+'.join(GROUP)} ({int(test.sum())} test models): "
        f"{fold_s:.2f} s"
    )
    print("  test MAE (pp): " + ", ".join(f"{k} {v:.2f}" for k, v in err.items()))

    if args.interpretation_set:
        order = V1 + V2
        _, Xi, fi, Yi = load(order, np.log10, 0)
        ci = chance_levels(order)
        fits = []
        for seed in range(args.seeds):
            model, secs = timed(lambda s=seed: SlothRegressor(3, chance=ci, random_state=s).fit(Xi, Yi, fi))
            fits.append((model.train_mae_, model.loss_, secs))
        maes, losses, secs = (np.array(v) for v in zip(*fits, strict=True))
        best = int(np.argmin(losses))
        print(
            f"interpretation set ({len(Yi)} models, {len(np.unique(fi))} families, log10), Sloth basic d=3, "
            f"{args.seeds} seeds: best Huber {losses[best]:.6f} with training MAE {maes[best]:.5f}; "
            f"lowest MAE over seeds {maes.min():.5f}; authors (best of 20, Adam + MAE early stopping) "
            f"{AUTHORS_D3_MAE}; {np.mean(secs):.2f} s per fit; seeds within 1e-6 of the best Huber: "
            f"{int(np.sum(losses - losses.min() < 1e-6))}/{args.seeds}"
        )

    if args.restarts_study:
        order = V1 + V2
        _, Xi, fi, Yi = load(order, np.log10, 0)
        ci = chance_levels(order)
        for label, (Xs, fs, Ys, cs) in {
            "interpretation d=3": (Xi, fi, Yi, ci),
            "LB v2 d=3": (X, fam, Y, chance),
        }.items():
            best_any = np.inf
            table = {}
            for n_restarts in range(1, 6):
                losses = [
                    SlothRegressor(3, chance=cs, n_restarts=n_restarts, random_state=100 + s)
                    .fit(Xs, Ys, fs)
                    .loss_
                    for s in range(10)
                ]
                table[n_restarts] = np.array(losses)
                best_any = min(best_any, min(losses))
            for n_restarts, losses in table.items():
                hit = int(np.sum(losses - best_any < 1e-5))
                print(
                    f"restarts study [{label}] n_restarts={n_restarts}: {hit}/10 seeds within 1e-5 of the "
                    "best "
                    f"Huber {best_any:.6f} (worst {losses.max():.6f})"
                )

    print(f"fold_seconds={fold_s:.2f} sloth_fit_seconds={full_s:.2f} sloth_train_mae={full.train_mae_:.5f}")


if __name__ == "__main__":
    main()
