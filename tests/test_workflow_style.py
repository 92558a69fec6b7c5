"""The workflow passes Snakemake's linter and snakefmt (issue 14, item 1): both run here, so CI runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_snakemake_lint_is_clean():
    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint", "-s", str(REPO / "Snakefile"), "-d", str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]


def test_rule_files_are_snakefmt_formatted():
    snakefmt = shutil.which("snakefmt", path=str(Path(sys.executable).parent))
    if snakefmt is None:
        pytest.skip("snakefmt is not installed (it is in requirements-test.lock)")
    files = [str(REPO / "Snakefile"), str(REPO / "workflow" / "Snakefile")]
    files += map(str, sorted((REPO / "workflow").rglob("*.smk")))
    out = subprocess.run([snakefmt, "--check", *files], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]
