"""Wall time of the data stage and of one setting's fold jobs through the cluster-generic executor (issue 14).

Not a test: prints measurements.  Every job is submitted with ``profiles/local-cluster/submit.sh`` (a local
stand-in for ``sbatch``), so each submission pays what it pays on a cluster besides the queue: a fresh
Snakemake process that parses the workflow, then the job's own Python start-up.  The fold jobs of a setting
are one ``evaluate_setting`` job per method bundle (every held-out group in one submission; before them,
one job per group, which the profile grouped 25 to a submission), and the same targets run locally for
comparison.  Each variant starts from a fresh working directory holding the repository's config.

    python benchmarks/cluster.py --mirror ../shared [--suite v2] [--n 1] [--methods flops_shared pca_flops_d2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "profiles" / "local-cluster"


def prepare(root: Path, mirror: Path, methods: list[str] | None) -> None:
    shutil.copytree(REPO / "config", root / "config")
    path = root / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["offline_mirror"] = str(mirror.resolve())
    if methods:
        config["evaluation"]["methods"] = methods
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def snakemake(root: Path, targets: list[str], extra: list[str]) -> float:
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "-d",
        str(root),
        *targets,
        *extra,
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirror", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--suite", default="v2")
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--methods", nargs="*", default=["flops_shared", "pca_flops_d2"])
    args = parser.parse_args()

    cluster = ["--profile", str(PROFILE), "--cluster-generic-submit-cmd", str(PROFILE / "submit.sh")]
    variants = {"local": ["--cores", "2"], "cluster": cluster}
    for name, extra in variants.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            prepare(root, args.mirror, args.methods)
            data = snakemake(root, ["results/data/dataset.parquet", "results/evaluation/plan.json"], extra)
            plan = json.loads((root / "results" / "evaluation" / "plan.json").read_text(encoding="utf-8"))
            setting = next(
                s for s in plan["settings"] if s["suite"] == args.suite and s["n_train_models"] == args.n
            )
            folds = [
                f"resources/folds/paper/{args.suite}/n{args.n}/{bundle}.parquet"
                for bundle in ("baselines", "sloth")
                if bundle != "sloth" or any(m.startswith("sloth") for m in args.methods)
            ]
            fold_time = snakemake(root, folds, extra)
            print(
                f"{name:10s} data+plan {data:6.1f} s   {len(setting['groups']):3d} groups in "
                f"{len(folds)} setting job(s) {fold_time:6.1f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
