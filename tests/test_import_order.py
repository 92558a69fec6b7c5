"""Every entry point imports slothpipe before numpy: the pins of ``import slothpipe`` (BLAS threads,
OpenBLAS's kernel, numpy's SIMD level; src/slothpipe/blas_kernel.py) act only on a numpy not loaded yet.

A script that loads numpy first (directly or through pandas, scipy, matplotlib, ...) runs numpy's OpenBLAS
with the CPU's own kernel and the machine's thread count while scipy's gets the pinned kernel, and a job
started on a CPU without AVX2 from a pinned parent would load kernels its CPU lacks before slothpipe could
take the pin back.  ``benchmarks/fit_speed.py``, the studies' worker processes and every job script did so
until issue 26's fourth session.  Ruff's import sorting puts slothpipe first (``[tool.ruff.lint.isort]`` in
pyproject.toml); this test also catches a file that loads numpy at module level with no slothpipe import
before it at all, also inside a module-level ``try`` or ``if``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Packages whose import loads numpy (and with it numpy's OpenBLAS).
NUMERIC = frozenset(
    {
        "numpy",
        "scipy",
        "pandas",
        "pyarrow",
        "matplotlib",
        "sklearn",
        "numba",
        "joblib",
        "seaborn",
        "statsmodels",
    }
)
#: Files run as programs: Snakemake's job scripts, the benchmarks and the studies.
ENTRY_POINTS = ("workflow/scripts", "benchmarks", "studies")


def _module_level_imports(body):
    """The import statements a module runs when it loads, in order: at its top level and inside top-level
    ``if``/``try``/``with`` blocks (not inside functions or classes, which run later if at all)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.With | ast.For | ast.While):
            yield from _module_level_imports(node.body)
            yield from _module_level_imports(getattr(node, "orelse", []))
        elif isinstance(node, ast.Try):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _module_level_imports(part)


def numeric_before_slothpipe(source: str) -> str | None:
    """The first module-level import that loads numpy before any import of slothpipe, or None."""
    for node in _module_level_imports(ast.parse(source).body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:  # in statement order: ``import numpy, slothpipe`` loads numpy first
            top = name.split(".")[0]
            if top == "slothpipe":
                return None
            if top in NUMERIC:
                return name
    return None


def entry_points() -> list[Path]:
    return sorted(path for folder in ENTRY_POINTS for path in (REPO / folder).rglob("*.py"))


def test_the_check_finds_numpy_first_and_accepts_slothpipe_first():
    assert numeric_before_slothpipe("import os\nimport numpy as np\nimport slothpipe\n") == "numpy"
    assert numeric_before_slothpipe("import pandas as pd\nfrom slothpipe.io import read_json\n") == "pandas"
    assert numeric_before_slothpipe("from scipy.optimize import minimize\n") == "scipy.optimize"
    assert numeric_before_slothpipe("from slothpipe.io import read_json\nimport numpy as np\n") is None
    assert numeric_before_slothpipe("import slothpipe\nimport matplotlib\n") is None
    # an import inside a function runs later, after the module's own imports
    assert numeric_before_slothpipe("import os\n\ndef f():\n    import numpy\n") is None
    # one statement loads its modules in order; a guarded import at module level runs when the module loads
    assert numeric_before_slothpipe("import numpy, slothpipe\n") == "numpy"
    assert numeric_before_slothpipe("try:\n    import numba\nexcept ImportError:\n    pass\n") == "numba"
    assert numeric_before_slothpipe("import sys\nif sys.argv:\n    import joblib\n") == "joblib"


def test_there_are_entry_points_to_check():
    files = entry_points()
    assert any(p.parent.name == "scripts" for p in files)
    assert any(p.parent.name == "benchmarks" for p in files)


@pytest.mark.parametrize("path", entry_points(), ids=lambda p: str(p.relative_to(REPO)))
def test_entry_point_imports_slothpipe_before_numpy(path):
    first = numeric_before_slothpipe(path.read_text(encoding="utf-8"))
    assert first is None, (
        f"{path.relative_to(REPO)} imports {first} before slothpipe: import slothpipe (or a module of it) "
        "first, so that its BLAS pins act on this process's numpy"
    )
