"""The package's layers hold (pyproject.toml [tool.importlinter], docs/architecture.md), checked with
import-linter: nothing imports upward, and every module is placed in a layer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the repository's contract on the package under `src`."""
    env = dict(os.environ, PYTHONPATH=str(src), NO_COLOR="1")
    cmd = [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=src, timeout=120)


def test_the_layers_hold():
    done = lint_imports(REPO / "src")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_an_upward_import_and_an_unplaced_module_break_the_contract(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(
        REPO / "src" / "slothpipe", src / "slothpipe", ignore=shutil.ignore_patterns("__pycache__")
    )
    laws = src / "slothpipe" / "models" / "laws.py"
    laws.write_text(laws.read_text(encoding="utf-8") + "\nfrom slothpipe.evaluation import folds  # upward\n")
    done = lint_imports(src)
    assert done.returncode != 0 and "slothpipe.models.laws -> slothpipe.evaluation.folds" in done.stdout, (
        done.stdout
    )
    shutil.copy2(REPO / "src" / "slothpipe" / "models" / "laws.py", laws)
    (src / "slothpipe" / "newcomer.py").write_text('"""A module no layer lists."""\n', encoding="utf-8")
    done = lint_imports(src)
    assert done.returncode != 0 and "slothpipe.newcomer" in done.stdout, done.stdout
