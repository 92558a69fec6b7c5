# Shared helpers: configuration validation, package-source inputs, paths.

import os
import re
from pathlib import Path

from slothpipe.config import check_config

# Schema (keys, types, values, path patterns), then the files the config names: one short ConfigError.
check_config(config, schema=Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml")

# Pin BLAS threads for every job (jobs are single-threaded; parallelism comes from Snakemake).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"
# Deterministic hashing in every Python subprocess.
os.environ["PYTHONHASHSEED"] = "0"

PKG_DIR = Path(workflow.basedir) / "src" / "slothpipe"
# Modules every script imports (directly or through slothpipe.runner).
PKG_CORE = ("__init__.py", "errors.py", "io.py", "runner.py")


def pkg(*names):
    """Package source files a rule depends on, declared as inputs so that editing them re-runs the rule.

    Each name is a module file or a sub-package directory relative to src/slothpipe.
    """
    files = set()
    for name in PKG_CORE + names:
        path = PKG_DIR / name
        if path.is_dir():
            # command-line entry points (__main__.py) are not imported by jobs
            files.update(f for f in path.rglob("*.py") if f.name != "__main__.py")
        elif path.is_file():
            files.add(path)
        else:
            raise ValueError(f"pkg(): no module or package {name!r} under {PKG_DIR}")
    return sorted(_display_path(f) for f in files)


def _display_path(path):
    """Path relative to the working directory when below it, absolute otherwise."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ---- tracked outputs survive failed and interrupted jobs
# Snakemake deletes a job's outputs before the job starts and after it fails, so a job never writes a tracked
# file itself.  Every rule declares `tracked(path)` for a file under results/: the job writes the untracked
# copy WORK/path, and rule `publish_result` (figures and tables) or `publish_intermediate` (everything else
# under results/, workflow/rules/publish.smk) copies it onto `path` with a rename once the job has succeeded.
# A failing, killed or interrupted job therefore only ever loses its untracked work copy, and the next run
# re-runs it (its work copy is missing) without any special flag.  Downstream rules read the tracked path.
WORK = "resources/work"
TRACKED = {"result": [], "intermediate": []}


def tracked(path, kind=None):
    """The work path a job writes for the tracked file `path` (a pattern; wildcards allowed).

    `kind` is "result" for figures and tables (what `--profile profiles/redraw` regenerates from the tracked
    intermediate files) and "intermediate" for every other tracked file; by default it follows the directory.
    """
    if kind is None:
        kind = "result" if re.search(r"(^|/)(figures|tables)/", path) else "intermediate"
    TRACKED[kind].append(path)
    return f"{WORK}/{path}"


def with_work_copies(paths):
    """`paths`, the other tracked outputs of the jobs that make them, and the work copy of each tracked file.

    Used as the inputs of a stage target (`all`, `data`, ...): a job's tracked outputs are published one file
    at a time, so asking for mae_summary.csv also asks for mae_summary.md and .tex; and Snakemake re-runs a job
    whose output is missing only when something needs it, so after a failed or interrupted job (work copy gone,
    tracked file intact) only a target that needs the work copy re-runs it.  Called in the Snakefile, once
    every rule is defined.
    """
    from slothpipe.publish import sibling_outputs

    declared = set(TRACKED["result"] + TRACKED["intermediate"])
    groups = []  # the tracked outputs of each rule, as the patterns given to tracked()
    for rule in workflow.rules:
        outs = [str(f)[len(WORK) + 1 :] for f in rule.output if str(f).startswith(WORK + "/")]
        groups.append([o for o in outs if o in declared])
    expanded = sibling_outputs(paths, [g for g in groups if g])
    return [*expanded, *(f"{WORK}/{p}" for p in expanded)]


OFFLINE_MIRROR = config["offline_mirror"]
HUB_SOURCES = sorted(config["sources"]["hub"])
GITHUB_SOURCES = sorted(config["sources"]["github"])

# The dataset the modelling stages read, and where their outputs go, follow `metadata`: the paper's facts
# give the tracked reproduction under results/; the corrected facts a separate tree under results/corrected/.
METADATA = config["metadata"]
DATASET = "results/data/dataset.parquet" if METADATA == "paper" else "results/data/dataset_corrected.parquet"
OUT = "results" if METADATA == "paper" else "results/corrected"
