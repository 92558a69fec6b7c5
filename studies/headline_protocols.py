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

When the protocol comparison has run (``results/evaluation/protocol_group_errors.parquet``), it also prints
the refitted settings group by group next to the paper's per-group numbers (Figures 13-15, 18-20 as
tabulated in ``../shared/docs/paper_digest.md``).

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

from slothpipe.evaluation.headline_test import group_table, headline_test

import pandas as pd
import yaml

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


def per_group_vs_paper(refits: pd.DataFrame, runs: dict[str, pd.DataFrame]) -> dict:
    """Per held-out group of each refitted setting: the paper's Size and Tokens and Sloth (d=2) (Figures
    13-15, 18-20 of ../shared/docs/paper_digest.md), ours (with and without the ridge) and every refit."""
    sys.path.insert(0, str(ROOT / "studies"))
    from paper_protocol import SHARED, digest_family_tables

    digest = digest_family_tables((SHARED / "docs" / "paper_digest.md").read_text(encoding="utf-8"))
    plan = json.loads((ROOT / "results" / "evaluation" / "plan.json").read_text(encoding="utf-8"))
    out = {}
    for (suite, n), block in refits.groupby(["suite", "n_train_models"], sort=False):
        paper = digest.get((suite, int(n)))
        (setting,) = [s for s in plan["settings"] if s["suite"] == suite and s["n_train_models"] == n]
        labels = {g["id"]: "+".join(g["families"]) for g in setting["groups"]}
        columns = {}
        for label, groups in runs.items():
            table = group_table(groups, suite=suite, n_train_models=int(n))
            columns[f"S&T {label}"] = table["size_tokens"]
            columns[f"Sloth2 {label}"] = table["sloth_d2"]
        for label, sub in block.groupby("protocol", sort=True):
            table = group_table(sub, suite=suite, n_train_models=int(n))
            for method, short in (("size_tokens", "S&T"), ("sloth_d2", "Sloth2")):
                if method in table:
                    columns[f"{short} {label}"] = table[method]
        frame = pd.DataFrame(columns)
        frame = frame.loc[frame.filter(like="adam").dropna(how="all").index]
        if paper is not None:
            frame.insert(
                0, "S&T paper", [paper["size_tokens"].get(labels[g], float("nan")) for g in frame.index]
            )
            frame.insert(
                1, "Sloth2 paper", [paper["sloth_d2"].get(labels[g], float("nan")) for g in frame.index]
            )
        print(f"== per group, {suite} n{n} (pp, mean over benchmarks)")
        print(frame.round(2).to_string())
        print("mean: " + ", ".join(f"{c} {v:.2f}" for c, v in frame.mean().items()))
        out[f"{suite} n{n}"] = frame.round(3).to_dict()
    return out


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
    protocol_path = ROOT / "results" / "evaluation" / "protocol_group_errors.parquet"
    if protocol_path.exists():
        summary["per_group"] = per_group_vs_paper(pd.read_parquet(protocol_path), runs)
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
