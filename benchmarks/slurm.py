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
"""

from __future__ import annotations

import argparse
import hashlib
import json
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


def run(kind: str, mirror: Path, cores: int, targets: list[str], extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"slothpipe-{kind}-") as tmp:
        root = clone(Path(tmp), mirror)
        how = ["--cores", str(cores)] if kind == "local" else ["--profile", "profiles/slurm"]
        base = [sys.executable, "-m", "snakemake", *how]
        config = ["--config", "offline_mirror=../shared"]
        if targets == ["evaluation"]:  # the grid alone: build its input first, untimed
            subprocess.run([*base, "data", *config], cwd=root, check=True)
        cmd = [*base, *targets, *extra, *config]  # targets go before --config's values
        print("+", " ".join(cmd), f"(in {root})", flush=True)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=root, check=True)
        wall = time.perf_counter() - start
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "results"], cwd=root, capture_output=True, text=True
        ).stdout
        result = {
            "run": kind,
            "command": " ".join(["snakemake", *how, *targets, *extra, *config]),
            "seconds": round(wall, 1),
            "changed_vs_git": len(status.splitlines()),
            "sha256": tracked(root),
        }
    print(f"{kind}: {wall:.1f} s, {len(result['sha256'])} tracked files", flush=True)
    return result


def compare(a: dict, b: dict) -> bool:
    differ = sorted(
        k for k in a["sha256"].keys() | b["sha256"].keys() if a["sha256"].get(k) != b["sha256"].get(k)
    )
    print(
        f"{a['run']}: {a['seconds']:.1f} s   {b['run']}: {b['seconds']:.1f} s   "
        f"tracked files: {len(a['sha256'])}, differing: {len(differ)}"
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
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"))
    parser.add_argument("extra", nargs="*", help="after --: more snakemake arguments")
    args = parser.parse_args()

    if args.compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        sys.exit(0 if compare(a, b) else 1)
    kinds = [args.run] if args.run else ["local", "slurm"]
    results = [run(kind, args.mirror, args.cores, args.targets, args.extra) for kind in kinds]
    if args.json:
        args.json.write_text(json.dumps(results[0] if args.run else results, indent=1), encoding="utf-8")
    if len(results) == 2:
        sys.exit(0 if compare(*results) else 1)


if __name__ == "__main__":
    main()
