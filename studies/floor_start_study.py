"""Would an extra start from the fixed-floor fit help the per-benchmark laws with learned floors?

For each held-out group of the given settings (paper groups, metadata: paper, the tracked dataset and plan),
fits ``method`` as the pipeline does (default L-BFGS) and once more warm-started from the same law fitted
with floors fixed at chance, and prints in how many folds the warm start reaches a lower training loss and
the held-out MAE (pp, mean over groups of the mean over test models and benchmarks) of both.  Numbers quoted
in docs/paper_comparison_notes.md ("What this means for our default").

Usage:  python studies/floor_start_study.py flops v2:1 v1:1 v1+v2:1
"""

import sys

import slothpipe  # noqa: F401  (pins BLAS threads)
from slothpipe.evaluation.groups import find_group, split_group, suite_frame
from slothpipe.io import read_json
from slothpipe.models.fitting import make_estimator
from slothpipe.models.methods import chance_levels

import numpy as np
import pandas as pd
import yaml


def covariates(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack([np.log(frame["params_b"]), np.log(frame["tokens_t"])])


def held_out_mae(est, test: pd.DataFrame, bench: list[str]) -> float:
    pred = est.predict(covariates(test), test["variant_family"].to_numpy())
    return 100 * float(np.abs(pred - test[bench].to_numpy()).mean())


def main(method: str, settings: list[str]) -> None:
    with open("config/config.yaml", encoding="utf-8") as fh:
        suites = yaml.safe_load(fh)["evaluation"]["suites"]
    dataset = pd.read_parquet("results/data/dataset.parquet")
    plan = read_json("results/evaluation/plan.json")
    for arg in settings:
        suite, n = arg.split(":")
        n = int(n)
        bench = suites[suite]
        frame = suite_frame(dataset, bench, n)
        entry = next(s for s in plan["settings"] if s["suite"] == suite and s["n_train_models"] == n)
        rows = []
        for g in entry["groups"]:
            split = split_group(frame, find_group(plan, suite, n, g["id"]), n)
            train, test = frame.iloc[split.train], frame.iloc[split.test]
            args = (covariates(train), train[bench].to_numpy(), train["variant_family"].to_numpy())
            default = make_estimator(method, chance=chance_levels(bench), n_train_models=n).fit(*args)
            fixed = type(default)(**{**default.get_params(), "floor": "fixed"}).fit(*args)
            staged = type(default)(**{**default.get_params(), "init": fixed.fitted_params()}).fit(*args)

            rows.append(
                (
                    default.loss_,
                    held_out_mae(default, test, bench),
                    staged.loss_,
                    held_out_mae(staged, test, bench),
                )
            )
        r = np.array(rows)
        lower = int((r[:, 2] < r[:, 0] - 1e-9).sum())
        print(
            f"{suite} n{n} {method}: warm start lower loss in {lower} of {len(r)} folds; "
            f"held-out MAE default {r[:, 1].mean():.2f} warm start {r[:, 3].mean():.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
