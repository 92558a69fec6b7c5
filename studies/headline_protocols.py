"""Why does the headline ranking differ from the paper?  The headline test on the fits of earlier protocols.

Issue 27.  The pipeline's own fits (``results/evaluation/group_errors.parquet``: the paper's loss plus a
small ridge term, L-BFGS-B to convergence) rank Size and Tokens first in all six settings; the paper ranks
Sloth first.  Besides the authors' protocol (target ``protocol_comparison``,
``results/tables/protocol_mae.csv``), the repository's history holds a complete grid fitted *without* the
ridge term: the tracked group errors of commit 07d9b87 (2026-11-23; the paper's objective, L-BFGS-B stopped
by iteration caps of 1,000 / 600; the "before" column of ``docs/paper_comparison_notes.md``).
This script runs the same paired test (``slothpipe.evaluation.headline_test``, the config's settings) on
both and prints, per setting, the mean MAE of Size and Tokens and Sloth (d=2..4) and the paired difference
Sloth (selected d) minus Size and Tokens with its interval and Wilcoxon p.

Usage:  python studies/headline_protocols.py [--commit 07d9b87]
The last line printed is a JSON summary.  Needs a git checkout (reads the old file with ``git show``).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from slothpipe.evaluation.headline_test import group_table, headline_test

ROOT = Path(__file__).resolve().parents[1]
METHODS = ["size_tokens", "sloth_d2", "sloth_d3", "sloth_d4"]


def old_group_errors(commit: str) -> pd.DataFrame:
    blob = subprocess.run(
        ["git", "show", f"{commit}:results/evaluation/group_errors.parquet"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return pd.read_parquet(io.BytesIO(blob))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commit", default="07d9b87", help="commit of the no-ridge grid (default 07d9b87)")
    args = ap.parse_args(argv)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["evaluation"]
    spec = config["headline_test"]
    settings = [(s, n) for s in config["suites"] for n in config["n_train_models"]]
    runs = {
        "ours (ridge, converged)": pd.read_parquet(ROOT / "results" / "evaluation" / "group_errors.parquet"),
        f"no ridge, capped ({args.commit})": old_group_errors(args.commit),
    }
    summary = {}
    for label, groups in runs.items():
        test = headline_test(
            groups,
            settings=settings,
            methods=["sloth_selected_d", "sloth_d2", "sloth_d3", "sloth_d4"],
            baselines=["size_tokens"],
            n_boot=spec["n_boot"],
            seed=spec["seed"],
            level=spec["level"],
            protocol=label,
        )
        print(f"== {label}")
        rows = []
        for suite, n in settings:
            table = group_table(groups, suite=suite, n_train_models=n)
            mae = table[METHODS].mean()
            sel = test[
                (test.suite == suite) & (test.n_train_models == n) & (test.method == "sloth_selected_d")
            ]
            r = sel.iloc[0]
            line = dict(
                setting=f"{suite} n{n}",
                **{f"mae_{m}": round(float(mae[m]), 2) for m in METHODS},
                selected_minus_st=round(float(r.mean_diff_pp), 2),
                ci=[round(float(r.ci_low_pp), 2), round(float(r.ci_high_pp), 2)],
                p=round(float(r.p_value), 3),
            )
            rows.append(line)
            print(
                f"{line['setting']:9s} S&T {line['mae_size_tokens']:.2f}  Sloth d2/d3/d4 "
                f"{line['mae_sloth_d2']:.2f}/{line['mae_sloth_d3']:.2f}/{line['mae_sloth_d4']:.2f}  "
                f"Sloth (selected d) - S&T {line['selected_minus_st']:+.2f} "
                f"[{line['ci'][0]:+.2f}, {line['ci'][1]:+.2f}] Wilcoxon p {line['p']:.3f}"
            )
        summary[label] = rows
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
