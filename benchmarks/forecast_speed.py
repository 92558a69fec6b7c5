"""Wall time of one forecast from the command line, on one core (issue 23: at most 10 s).  Not a test.

Runs ``python -m slothpipe.forecast`` as a user would, bound to one CPU, on the shipped request
(``config/forecasts/llama3_70b.csv``: Llama-3-8B known, Llama-3-70B the target, the Llama-3 family excluded)
with the default method (the validation table's) and with ``--method`` for each method given, ``--repeat``
times each, and prints the wall times (process start, imports, fit, calibration and writing included).
Run from the repository root after the pipeline has made the tracked results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUEST = ROOT / "config" / "forecasts" / "llama3_70b.csv"


def one_run(method: str | None, out: Path) -> float:
    cmd = [sys.executable, "-m", "slothpipe.forecast", str(REQUEST), "--leaderboard", "v1"]
    cmd += ["--exclude-family", "meta-llama-3", "--out", str(out)]
    if method:
        cmd += ["--method", method]
    if hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", "0", *cmd]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--methods", nargs="*", default=[], help="methods to time besides the default")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for method in [None, *args.methods]:
            times = [one_run(method, Path(tmp) / "out.csv") for _ in range(args.repeat)]
            name = method or "default"
            print(
                f"{name}: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
                f"({', '.join(f'{t:.2f}' for t in times)})"
            )


if __name__ == "__main__":
    main()
