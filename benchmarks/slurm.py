"""Wall time of the whole pipeline through Slurm against a local run, and whether they agree (issue 28).

Not a test: prints measurements.  Each run starts from a fresh ``git clone`` of this repository (its HEAD)
into a temporary directory with a ``shared`` symlink beside it pointing to the mirror, then runs::

    local:  snakemake --cores N        --config offline_mirror=../shared [targets]
    slurm:  snakemake --profile profiles/slurm --config offline_mirror=../shared [targets]

and records the wall time and the sha256 of every tracked file under ``results/``.  The Slurm run needs a
running cluster (``bash .ci/slurm.sh start`` as root stands up a one-node one) and the executor plugin
(``requirements-test.lock``).  Both runs are made on this machine: another CPU rounds differently, so the
committed results are not the reference, the local run is::

    python benchmarks/slurm.py --mirror ../shared --run local --json local.json
    python benchmarks/slurm.py --mirror ../shared --run slurm --json slurm.json
    python benchmarks/slurm.py --compare local.json slurm.json

Without ``--run`` both run, one after the other, and are compared.  ``--targets evaluation`` times the
evaluation grid only (it builds the data stage first, untimed).  Extra Snakemake arguments follow ``--``.
``--timeout S`` stops a run after S seconds, cancels its Slurm jobs and reports it as incomplete, with the
tracked files it rewrote (a partial run is compared on those only).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def clone(tmp: Path, mirror: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(REPO), str(tmp / "main")], check=True)
    (tmp / "shared").symlink_to(mirror.resolve())
    return tmp / "main"


def tracked(root: Path) -> dict[str, str]:
    files = subprocess.run(
        ["git", "ls-files", "results"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in sorted(files)}


def steps(log: Path) -> str:
    done = re.findall(r"(\d+ of \d+) steps", log.read_text(encoding="utf-8", errors="replace"))
    return done[-1] if done else "0 of ?"


def cancel(prefix: str) -> None:
    """Cancel the Slurm jobs whose name starts with ``prefix`` (the run's --slurm-jobname-prefix)."""
    out = subprocess.run(["squeue", "--noheader", "--format=%i %j"], capture_output=True, text=True).stdout
    jobs = [
        f[0] for f in (line.split() for line in out.splitlines()) if len(f) > 1 and f[1].startswith(prefix)
    ]
    if jobs:
        subprocess.run(["scancel", *jobs], check=False)


def run(kind: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"slothpipe-{kind}-") as tmp:
        root = clone(Path(tmp), args.mirror)
        prefix = f"slothpipe_bench_{os.getpid()}"
        how = (
            ["--cores", str(args.cores)]
            if kind == "local"
            else ["--profile", "profiles/slurm", "--slurm-jobname-prefix", prefix]
        )
        base = [sys.executable, "-m", "snakemake", *how]
        config = ["--config", "offline_mirror=../shared"]
        if args.targets == ["evaluation"]:  # the grid alone: build its input first, untimed
            subprocess.run([*base, "data", *config], cwd=root, check=True, capture_output=True)
        cmd = [*base, *args.targets, *args.extra, *config]  # targets go before --config's values
        log = args.log or Path(tmp) / "snakemake.log"
        print("+", " ".join(cmd), f"(in {root}, log {log})", flush=True)
        start_epoch = time.time()
        start = time.perf_counter()
        with log.open("w", encoding="utf-8") as fh:
            proc = subprocess.Popen(
                cmd, cwd=root, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                returncode = proc.wait(timeout=args.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # SIGTERM leaves Snakemake waiting for its jobs
                returncode = None
        wall = time.perf_counter() - start
        if kind == "slurm":
            cancel(prefix)
        hashes = tracked(root)
        rewritten = sorted(n for n in hashes if (root / n).stat().st_mtime >= start_epoch)
        result = {
            "run": kind,
            "command": " ".join(["snakemake", *how, *args.targets, *args.extra, *config]),
            "seconds": round(wall, 1),
            "complete": returncode == 0,
            "returncode": returncode,
            "steps": steps(log),
            "loadavg_at_end": os.getloadavg(),
            "rewritten": rewritten,
            "sha256": hashes,
            # the per-fold outputs (untracked): what a partial run can be compared on besides the data
            "folds": {
                str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()
                for f in sorted((root / "results" / "evaluation" / "folds").rglob("*.parquet"))
            },
        }
    state = "complete" if returncode == 0 else f"INCOMPLETE (returncode {returncode})"
    print(
        f"{kind}: {wall:.1f} s, {result['steps']} steps, {state}, {len(rewritten)} of {len(hashes)} tracked "
        "files rewritten",
        flush=True,
    )
    return result


def compare(a: dict, b: dict) -> bool:
    """Every tracked file of the two runs (of a partial run: those it rewrote) byte for byte."""
    names = set(a["sha256"]) | set(b["sha256"])
    for r in (a, b):
        if not r.get("complete", True):
            names &= set(r["rewritten"])
    differ = sorted(n for n in names if a["sha256"].get(n) != b["sha256"].get(n))
    folds = set(a.get("folds", {})) & set(b.get("folds", {}))
    differ += sorted(n for n in folds if a["folds"][n] != b["folds"][n])
    print(
        f"{a['run']}: {a['seconds']:.1f} s ({a.get('steps', '?')} steps)   "
        f"{b['run']}: {b['seconds']:.1f} s ({b.get('steps', '?')} steps)   "
        f"tracked files compared: {len(names)}, fold outputs made by both: {len(folds)}, "
        f"differing: {len(differ)}"
    )
    for name in differ:
        print("  differs:", name)
    return not differ


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirror", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--cores", type=int, default=2, help="cores of the local run")
    parser.add_argument("--run", choices=["local", "slurm"], help="only this run (default: both)")
    parser.add_argument("--targets", nargs="*", default=[], help="default: the whole pipeline")
    parser.add_argument("--json", type=Path, help="write the run's result here")
    parser.add_argument("--log", type=Path, help="Snakemake's output (default: discarded with the clone)")
    parser.add_argument(
        "--timeout", type=float, help="stop a run after this many seconds (and cancel its Slurm jobs)"
    )
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"))
    parser.add_argument("extra", nargs="*", help="after --: more snakemake arguments")
    args = parser.parse_args()

    if args.compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        sys.exit(0 if compare(a, b) else 1)
    kinds = [args.run] if args.run else ["local", "slurm"]
    results = [run(kind, args) for kind in kinds]
    if args.json:
        args.json.write_text(json.dumps(results[0] if args.run else results, indent=1), encoding="utf-8")
    if len(results) == 2:
        sys.exit(0 if compare(*results) else 1)


if __name__ == "__main__":
    main()
