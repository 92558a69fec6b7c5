"""Wall time of the whole prediction grid (issue 5).  Not a test: prints measurements.

Measures what the issue asks for: from the clean dataset to every figure and table of the evaluation stage
(3 suites x 2 settings x 73 held-out groups x 28 methods, then aggregation, tables and figures), run by
Snakemake on ``--cores`` cores.  The dataset is built first if missing (not timed); then the checkpoint
``plan_groups`` is force-run, which re-runs every fold job and everything downstream of it::

    python benchmarks/grid.py --mirror ../shared --cores 2

Tracked outputs are rewritten with identical bytes (the pipeline is deterministic); the script reports
whether ``git status -- results`` changed.  Per-job timings are in ``logs/timings/`` (``benchmark:``); the
fold jobs are the ``evaluate_setting`` jobs, one per suite, setting and method bundle (before them, one
``evaluate_fold`` job per held-out group and bundle).
The last line is ``grid_seconds=<wall> fold_jobs=<n> fold_cpu_seconds=<sum of fold job times> cores=<n>``.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def snakemake(*args: str) -> None:
    cmd = [sys.executable, "-m", "snakemake", *args]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def fold_timings(root: Path, since: float) -> list[float]:
    """Wall seconds of the fold jobs that Snakemake's ``benchmark:`` directive recorded after ``since``."""
    seconds = []
    for tsv in sorted(root.glob("logs/timings/**/evaluate_setting/**/*.tsv")):
        if tsv.stat().st_mtime < since:
            continue
        with tsv.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        seconds.append(float(rows[-1]["s"]))
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--mirror", default=None, help="offline_mirror directory (e.g. ../shared)")
    parser.add_argument("--metadata", choices=["paper", "corrected"], default="paper")
    args = parser.parse_args(argv)

    config = [f"metadata={args.metadata}"]
    if args.mirror:
        config.append(f"offline_mirror={args.mirror}")
    common = ["--cores", str(args.cores), "--config", *config]  # targets go before --config's values
    snakemake("data", *common)  # the clean dataset (not timed; nothing to do when it is up to date)
    start_jobs = time.time()
    start = time.perf_counter()
    snakemake("evaluation", "--forcerun", "plan_groups", *common)
    wall = time.perf_counter() - start

    folds = fold_timings(ROOT, since=start_jobs)
    git = ["git", "status", "--porcelain", "--", "results"]
    status = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    print(f"tracked results changed: {'yes' if status else 'no'}")
    if status:
        print(status)
    print(
        f"grid_seconds={wall:.1f} fold_jobs={len(folds)} fold_cpu_seconds={sum(folds):.1f} cores={args.cores}"
    )


if __name__ == "__main__":
    main()
