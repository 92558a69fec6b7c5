"""Where each benchmark name is written down: the code files that name it (issue 13, "one place per fact").

Not a test: prints, for every benchmark of the table (``slothpipe.leaderboards``), the number of files under
``src/slothpipe/``, ``workflow/``, the ``Snakefile`` and ``config/config.yaml`` that contain the name as a
whole word (comments and docstrings included), and the files.  The target is at most two: the table and the
config default.  Run it on another checkout (e.g. the commit before the tables) with ``--root``:

    python studies/benchmark_names.py [--root DIR]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from slothpipe.leaderboards import BENCHMARKS

SUFFIXES = {".py", ".smk", ".yaml", ".yml"}


def code_files(root: Path) -> list[Path]:
    files = [root / "Snakefile", root / "config" / "config.yaml"]
    for tree in ("src/slothpipe", "workflow"):
        files += [p for p in (root / tree).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts)


def naming(root: Path, name: str) -> list[str]:
    # a whole word: not preceded or followed by a letter, digit or '_' (so MMLU does match inside MMLU-PRO,
    # as grep -w does)
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return [
        str(p.relative_to(root)) for p in code_files(root) if pattern.search(p.read_text(encoding="utf-8"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    for name in BENCHMARKS:
        files = naming(args.root, name)
        print(f"{name:<11} {len(files):>2}  {' '.join(files)}")


if __name__ == "__main__":
    main()
