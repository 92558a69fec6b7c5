"""The workflow passes Snakemake's linter and snakefmt (issue 14, item 1): both run here, so CI runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


#: What Snakemake gives every Snakefile before it runs.
SNAKEMAKE_GLOBALS = {"checkpoints", "config", "workflow", "rules"}


def free_names(source: str) -> set[str]:
    """Names a Python source reads (at module level or as globals in its functions) but never defines."""
    import builtins
    import symtable

    top = symtable.symtable(source, "<source>", "exec")
    defined = {
        s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()
    }
    used: set[str] = set()

    def visit(table) -> None:
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (table.get_type() == "module" or symbol.is_global()):
                used.add(symbol.get_name())
        for child in table.get_children():
            visit(child)

    visit(top)
    return used - defined - set(dir(builtins)) - SNAKEMAKE_GLOBALS


def test_common_smk_stands_alone():
    # issue 25: it used names that later includes define, so the rule files only worked in one order
    common = (REPO / "workflow" / "rules" / "common.smk").read_text(encoding="utf-8")
    assert free_names(common) == set()
    assert free_names("def f():\n    return LATER\n") == {"LATER"}  # the check sees what it must


def test_no_rule_repeats_a_default_resource():
    # threads default to 1 (Snakemake), mem_mb and runtime to profiles/slurm's default-resources
    defaults = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    repeated = {f"{k}={v}" for k, v in (item.split("=", 1) for item in defaults["default-resources"])}
    files = [
        REPO / "Snakefile",
        REPO / "workflow" / "Snakefile",
        *(REPO / "workflow" / "rules").glob("*.smk"),
    ]
    for smk in files:
        text = smk.read_text(encoding="utf-8")
        lines = {
            line.split("#")[0].strip().rstrip(",").replace(" ", "").replace("_", "")
            for line in text.splitlines()
        }
        assert "threads:1" not in lines, smk.name
        assert not {r.replace("_", "") for r in repeated} & lines, smk.name


def test_no_module_name_appears_twice_in_the_package():
    # issue 25: "one name finds one file" (__init__.py aside)
    names = [p.name for p in (REPO / "src" / "slothpipe").rglob("*.py") if p.name != "__init__.py"]
    assert sorted({n for n in names if names.count(n) > 1}) == []
