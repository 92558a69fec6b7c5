"""Each rule's code inputs are the modules its script can run (slothpipe.code_inputs), and nothing hand-kept.

Three layers: the counting rule on a small package built here (each clause of the rule, and its errors); the
rule against what Python really imports (every workflow script's imports executed in a forked child of a
process that holds no slothpipe module: what the child loads must all be among the modules reached); and the
workflow as Snakemake loads it (every rule that runs a script declares the script and every module reached as
its inputs).  That an edit of a module plans the jobs that reach it is checked on a built world in
tests/test_pipeline_e2e.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from slothpipe.code_inputs import modules_reached, read_module

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
SCRIPTS = REPO / "workflow" / "scripts"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def names(paths, root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


@pytest.fixture
def package(tmp_path):
    """A small `slothpipe` package exercising every clause of the counting rule."""
    read_module.cache_clear()
    yield write(
        tmp_path,
        {
            "slothpipe/__init__.py": '"""The root: code (a lazy name)."""\n'
            "import importlib\n"
            '_EXPORTS = {"slothpipe.api": ("Model",)}\n'
            "def __getattr__(name):\n"
            "    from slothpipe import api\n"
            "    return getattr(api, name)\n",
            "slothpipe/api.py": "from slothpipe.core import helper\nclass Model: ...\n",
            "slothpipe/core.py": "def helper():\n    from slothpipe.deep import thing\n    return thing\n",
            "slothpipe/deep.py": "from . import leaf\nthing = 1\n",
            "slothpipe/leaf.py": "x = 1\n",
            "slothpipe/unused.py": "x = 2\n",
            "slothpipe/docs/__init__.py": '"""Only a docstring: not code."""\n',
            "slothpipe/docs/page.py": "from ..leaf import x\n",
            "slothpipe/stage/__init__.py": "from slothpipe.stage.part import y\n",
            "slothpipe/stage/part.py": "y = 1\n",
            "slothpipe/stage/other.py": "z = 1\n",
        },
    )
    read_module.cache_clear()


def test_function_level_and_relative_imports_are_followed(package):
    script = write(package, {"s.py": "from slothpipe.core import helper\n"}) / "s.py"
    reached = names(modules_reached(package, script=script), package)
    # the root __init__ holds code; core's function-level import reaches deep, deep's relative import leaf
    assert reached == [
        "slothpipe/__init__.py",
        "slothpipe/core.py",
        "slothpipe/deep.py",
        "slothpipe/leaf.py",
    ]


def test_a_lazy_name_reaches_its_module_only_where_a_script_asks_for_it(package):
    plain = write(package, {"a.py": "from slothpipe.leaf import x\n"}) / "a.py"
    lazy = write(package, {"b.py": "from slothpipe import Model\n"}) / "b.py"
    assert "slothpipe/api.py" not in names(modules_reached(package, script=plain), package)
    reached = names(modules_reached(package, script=lazy), package)
    assert "slothpipe/api.py" in reached and "slothpipe/deep.py" in reached  # api -> core -> deep


def test_a_package_bound_as_a_module_object_reaches_every_lazy_module(package):
    # `import slothpipe`, then `slothpipe.Model()` in a function: a lazy name used through the module object
    plain = write(package, {"g.py": "import slothpipe\ndef f():\n    return slothpipe.Model()\n"}) / "g.py"
    assert "slothpipe/api.py" in names(modules_reached(package, script=plain), package)
    aliased = write(package, {"h.py": "import slothpipe.leaf as leaf\n"}) / "h.py"
    assert "slothpipe/api.py" not in names(modules_reached(package, script=aliased), package)


def test_package_init_counts_when_it_holds_code(package):
    docs = write(package, {"c.py": "from slothpipe.docs import page\n"}) / "c.py"
    stage = write(package, {"d.py": "from slothpipe.stage import other\n"}) / "d.py"
    assert "slothpipe/docs/__init__.py" not in names(modules_reached(package, script=docs), package)
    reached = set(names(modules_reached(package, script=stage), package))
    # importing stage.other runs stage/__init__.py, which imports stage.part
    assert {"slothpipe/stage/__init__.py", "slothpipe/stage/part.py", "slothpipe/stage/other.py"} <= reached
    assert "slothpipe/unused.py" not in reached


def test_modules_run_with_python_dash_m(package):
    assert names(modules_reached(package, modules=["slothpipe.deep"]), package) == [
        "slothpipe/__init__.py",
        "slothpipe/deep.py",
        "slothpipe/leaf.py",
    ]


def test_a_missing_module_and_an_unreadable_lazy_map_are_errors(package):
    script = write(package, {"e.py": "import slothpipe.gone\n"}) / "e.py"
    with pytest.raises(ValueError, match=r"e\.py imports slothpipe\.gone, which is not a module"):
        modules_reached(package, script=script)
    write(package, {"slothpipe/stage/__init__.py": "def __getattr__(name):\n    return 1\n"})
    read_module.cache_clear()
    script = write(package, {"f.py": "from slothpipe.stage import thing\n"}) / "f.py"
    with pytest.raises(ValueError, match="__getattr__ without an _EXPORTS map"):
        modules_reached(package, script=script)


# ---- the counting rule against what Python imports

_PROBE = r"""
import ast, json, os, sys
# the third-party libraries the package uses, loaded once here, so that each child only imports slothpipe
import numpy, pandas, pyarrow, scipy.optimize, scipy.stats, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
scripts = json.loads(sys.argv[1])
out = {}
for script in scripts:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        tree = ast.parse(open(script, encoding="utf-8").read())
        # every import of the script, module level and in functions, executed as a statement
        code = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        exec(compile(ast.Module(body=code, type_ignores=[]), script, "exec"), {})
        files = sorted({m.__file__ for n, m in list(sys.modules.items())
                        if n.split(".")[0] == "slothpipe" and getattr(m, "__file__", None)})
        os.write(write, json.dumps(files).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.waitpid(pid, 0)
    out[script] = json.loads(data)
print(json.dumps(out))
"""


@pytest.mark.slow(seconds=10)
def test_what_each_script_imports_is_among_the_modules_reached():
    scripts = sorted(str(p) for p in SCRIPTS.glob("*.py"))
    env = {"PYTHONPATH": str(SRC), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-c", _PROBE, json.dumps(scripts)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    imported = json.loads(run.stdout)
    assert len(imported) == len(scripts)
    missed = {}
    for script, files in imported.items():
        reached = {str(p.resolve()) for p in modules_reached(SRC, script=Path(script))}
        # a docstring-only __init__ runs but holds no code: editing it changes nothing a job computes
        loaded = {str(Path(f).resolve()) for f in files if read_module.__wrapped__(Path(f), "x").holds_code}
        if loaded - reached:
            missed[Path(script).name] = sorted(loaded - reached)
        assert files, f"{script} imports no slothpipe module"
    assert not missed, missed


# ---- the workflow as Snakemake loads it


@pytest.fixture(scope="module")
def workflow_rules():
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings, StorageSettings

    with SnakemakeApi(OutputSettings(quiet=None)) as api:
        loaded = api.workflow(
            snakefile=REPO / "Snakefile",
            workdir=REPO,
            config_settings=ConfigSettings(),
            resource_settings=ResourceSettings(cores=1),
            storage_settings=StorageSettings(),
        )
        yield list(loaded._workflow.rules)


def declared_files(rule) -> set[str]:
    return {str((REPO / f).resolve()) for f in rule.input if isinstance(f, str)}


def code_run_by(rule) -> set[str] | None:
    """The files a rule runs: its script and the package modules reached, or what its ``python -m`` runs;
    None for a rule that runs neither."""
    if rule.script is not None:
        script = (REPO / "workflow" / "rules" / rule.script).resolve()
        return {str(script), *(str(p) for p in modules_reached(SRC, script=script))}
    if rule.shellcmd and "-m slothpipe." in rule.shellcmd:
        module = rule.shellcmd.split("-m ", 1)[1].split()[0]
        return {str(p) for p in modules_reached(SRC, modules=[module])}
    return None


def test_every_rule_declares_its_script_and_every_module_it_reaches(workflow_rules):
    undeclared = {}
    assert sum(rule.script is not None for rule in workflow_rules) >= 50
    for rule in workflow_rules:
        expected = code_run_by(rule)
        if expected is None:
            continue
        if missing := expected - declared_files(rule):
            undeclared[rule.name] = sorted(Path(m).relative_to(REPO).as_posix() for m in missing)
    assert not undeclared, f"rules that do not declare code they run: {undeclared}"


def test_no_rule_declares_package_code_it_does_not_run(workflow_rules):
    # a module declared but never run would re-run the rule's jobs for nothing
    extra = {}
    for rule in workflow_rules:
        declared = {f for f in declared_files(rule) if f.startswith(str(SRC))}
        reached = code_run_by(rule) or set()
        if declared - reached:
            extra[rule.name] = sorted(declared - reached)
    assert not extra, extra


def test_no_hand_kept_code_lists_remain():
    for smk in (REPO / "workflow" / "rules").glob("*.smk"):
        assert "pkg(" not in smk.read_text(encoding="utf-8"), smk.name


def test_editing_a_label_refits_nothing():
    # issue 25: the fits read the method table's fit settings (models/method_settings.py), not its labels
    # (models/methods.py); link_curves writes labels into its table: of the fitting jobs, it alone reads them
    labels = SRC / "slothpipe" / "models" / "methods.py"
    fits = ["evaluate_folds", "protocol_fold", "forecast", "held_out_predictions", "fit_skills",
            "downstream_skills", "obsscaling_sloth", "test_time_fit"]  # fmt: skip
    reading = [s for s in fits if labels in modules_reached(SRC, script=SCRIPTS / f"{s}.py")]
    assert not reading
    assert labels in modules_reached(SRC, script=SCRIPTS / "heatmap_figure.py")
