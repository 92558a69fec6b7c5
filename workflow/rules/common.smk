# Shared helpers: configuration validation, package-source inputs, paths.

import json
import os
import re
import sys
from pathlib import Path

from slothpipe.cluster import check_slurm_settings, raw_default_resources
from slothpipe.catalog import describe
from slothpipe.code_inputs import modules_reached
from slothpipe.evaluation.bundles import uses_random_starts
from slothpipe.evaluation.protocol import protocol_label, protocol_runs
from slothpipe.models.method_settings import FIT_SPECS
from slothpipe.models.method_settings import fit_settings as method_fit_settings
from slothpipe.test_time.monkey_data import mirror_holds
from slothpipe.test_time.monkey_data import skip_message as test_time_skip_message
from slothpipe.config import check_config

# The repository: two levels above this file, whichever Snakefile (root or workflow/) was the entry point.
REPO = Path(workflow.current_basedir).parents[1]

# Schema (keys, types, values, path patterns), then the files the config names: one short ConfigError.
check_config(config, schema=REPO / "workflow" / "schemas" / "config.schema.yaml")

# The Slurm account and partition of profiles/slurm (placeholders, unknown partitions or accounts), before any
# job is submitted; not again inside a submitted job.
if "SLURM_JOB_ID" not in os.environ:
    check_slurm_settings(raw_default_resources(workflow.resource_settings))

# The environment of every job: BLAS pinned to one thread (jobs are single-threaded; parallelism comes from
# Snakemake), OpenBLAS's kernel as `import slothpipe` pinned it while the workflow was parsed
# (slothpipe.blas_kernel: every x86-64 CPU with AVX2 and FMA computes the same bytes), deterministic hashing in
# every Python subprocess, and the workflow's own src/ first on the import path, so that a job runs exactly the
# code its `code()` inputs declare, also in a conda environment that does not install the package (--sdm conda,
# workflow/envs/slothpipe.yaml).
os.environ.update(
    {var: "1" for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")},
    PYTHONHASHSEED="0",
    PYTHONPATH=os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p),
)
# Software of every job with --sdm conda (the lint asks every rule to name one).
SOFTWARE_ENV = "../envs/slothpipe.yaml"


def code(script):
    """The code inputs of the jobs that run ``workflow/scripts/<script>``, the script and every package module
    it can run, read from its imports when the workflow is parsed (slothpipe.code_inputs), so that editing any
    of them re-runs the rule's jobs and editing anything else does not.  Never a hand-kept list."""
    path = REPO / "workflow" / "scripts" / script
    modules = modules_reached(REPO / "src", script=path)
    return [_display_path(f) for f in (path, *modules)]


def module_code(module):
    """The code inputs of the jobs that run ``python -m <module>`` (as ``code`` for a script)."""
    return [_display_path(f) for f in modules_reached(REPO / "src", modules=[module])]


def _display_path(path):
    """Path relative to the working directory when below it, absolute otherwise."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ---- tracked outputs survive failed and interrupted jobs
# Snakemake deletes a job's outputs before the job starts and after it fails, so a job never writes a tracked
# file itself.  Each rule declares `tracked(path)` for a file under results/; the job writes the untracked
# copy WORK/path, and `publish_result` (figures and tables) or `publish_intermediate` (everything else
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
    for each in workflow.rules:
        outs = [str(f)[len(WORK) + 1 :] for f in each.output if str(f).startswith(f"{WORK}/")]
        groups.append([o for o in outs if o in declared])
    expanded = sibling_outputs(paths, [g for g in groups if g])
    return [*expanded, *(f"{WORK}/{p}" for p in expanded)]


OFFLINE_MIRROR = config["offline_mirror"]
# The test-time stage's Hub source is optional (test_time.smk downloads it, or skips the stage); the data stage
# downloads every other Hub source.
TEST_TIME = config.get("test_time")
HUB_SOURCES = sorted(s for s in config["sources"]["hub"] if TEST_TIME is None or s != TEST_TIME["source"])
GITHUB_SOURCES = sorted(config["sources"]["github"])


def raw_files(sources):
    """Input name -> downloaded file of each source (Hub sources are parquet files, GitHub ones CSV)."""
    return {s: f"resources/raw/{s}.{'parquet' if s in HUB_SOURCES else 'csv'}" for s in sources}


# The dataset the modelling stages read, and where their outputs go, follow `metadata`: the paper's facts
# give the tracked reproduction under results/; the corrected facts a separate tree under results/corrected/.
METADATA = config["metadata"]
DATASET = "results/data/dataset.parquet" if METADATA == "paper" else "results/data/dataset_corrected.parquet"
OUT = "results" if METADATA == "paper" else "results/corrected"
# Untracked job outputs live under resources/ like every other work file: the fold errors of each setting and
# method bundle (group_errors.parquet aggregates them), those of a held-out group refitted alone (rule
# evaluate_fold; read by nothing downstream) and the protocol comparison's refits.
FOLD_DIR = f"resources/folds/{METADATA}"
FOLD_RERUN_DIR = f"resources/fold_reruns/{METADATA}"
PROTOCOL_DIR = f"resources/protocol/{METADATA}"


# ---- helpers of the stage files.  The linter keeps functions out of rule files, so they live here; each takes
# the settings it needs as arguments (a stage file passes its own), so this file stands alone: it uses no name
# that a later include defines (tests/test_workflow_style.py checks it).

# The geomin search settings of the interpretation stage that every skills fit reuses (downstream, test time).
ROTATION_KEYS = ("rotation_starts", "rotation_tol", "rotation_max_iter")


def bundle_params(names, evaluation):
    """Everything a fold job of a bundle (its method slugs `names`) depends on besides its input files."""
    # what the fits depend on in the method table (models/method_settings.fit_settings), not labels or figure choices
    params = {"methods": names, "settings": method_fit_settings(names)}
    if uses_random_starts(names, FIT_SPECS):
        params.update(random_state=evaluation["random_state"], n_restarts=evaluation["n_restarts"])
        # only a non-default solver is recorded, so that the default keeps the params (and the fold outputs)
        # of runs made before the setting existed
        if evaluation["solver"] != "lbfgs":
            params["solver"] = evaluation["solver"]
    return params


def plan_path():
    return f"{OUT}/evaluation/plan.json"


def fold_files(bundles):
    """The fold errors of every setting of the plan and every bundle, one file each (rule evaluate_setting;
    evaluated once the plan_groups checkpoint has run)."""
    with open(checkpoints.plan_groups.get().output.plan, encoding="utf-8") as fh:
        plan = json.load(fh)
    return [
        f"{FOLD_DIR}/{s['suite']}/n{s['n_train_models']}/{bundle}.parquet"
        for s in plan["settings"]
        for bundle in bundles
    ]


def fold_slice(wildcards):
    """The content-named slice (data and groups) of a setting that its fold jobs read (evaluation/slices.py)."""
    with open(checkpoints.plan_groups.get().output.slices, encoding="utf-8") as fh:
        index = json.load(fh)
    entry = index.get(wildcards.suite, {}).get(wildcards.n)
    if entry is None:
        raise ValueError(f"suite {wildcards.suite!r}, n_train_models={wildcards.n} is not in the plan")
    missing = [path for path in entry.values() if not os.path.exists(path)]
    if missing:
        raise ValueError(
            f"the dataset slice {missing[0]} made by plan_groups was deleted; re-make it with "
            "`snakemake --forcerun plan_groups ...`"
        )
    return entry


def protocol_fold_files(protocol):
    """The fold files of the protocol comparison (config `evaluation: headline_test: protocol`)."""
    solver = protocol["solver"]
    return [
        f"{PROTOCOL_DIR}/{solver}/s{seed}/{suite}/n{n}/{group}.parquet"
        for seed, suite, n, group in protocol_runs(protocol)
    ]


def protocol_fold_labels(protocol):
    """The `protocol` label of each of protocol_fold_files(protocol), in the same order."""
    return [protocol_label(protocol["solver"], seed) for seed, *_ in protocol_runs(protocol)]


def skills_fit_settings(d, interp):
    """Everything the interpretation fit of d skills depends on besides the dataset (also in its file)."""
    return {
        "n_skills": int(d),
        "benchmarks": list(interp["benchmarks"]),
        "log_base": 10.0,
        "n_restarts": interp["n_restarts"],
        "random_state": interp["random_state"],
        "anchor": interp["anchor"],
        "rotation_starts": interp["rotation_starts"],
        "rotation_tol": interp["rotation_tol"],
        "rotation_max_iter": interp["rotation_max_iter"],
        **({"ridge": interp["ridge"]} if "ridge" in interp else {}),
    }


def alternatives(names):
    """A wildcard constraint matching exactly `names` (nothing when there are none)."""
    return "|".join(re.escape(n) for n in sorted(names)) or "^$"


def downstream_skill_params(setting, downstream):
    """Everything a downstream skills job depends on besides the dataset."""
    spec = downstream["skills"][setting]
    params = dict(spec, benchmarks=downstream["benchmarks"], n_skills=downstream["n_skills"])
    if spec["method"] == "sloth":
        params.update(
            n_restarts=downstream["n_restarts"], seeds=downstream["seeds"], anchor=downstream["anchor"]
        )
        if "ridge" in downstream:
            params["ridge"] = downstream["ridge"]
        # the geomin search of the interpretation stage (one place for it): a single start stopped at
        # factor_analyzer's tolerance lands where the CPU's rounding puts it (docs/numerics.md)
        params["rotation"] = {k: config["interpretation"][k] for k in ROTATION_KEYS}
    return params


def link_params(suite, family, link, link_jobs):
    """Everything a link-function job depends on besides the dataset (`link`: config downstream.link_functions)."""
    case = link["cases"][link_jobs[(suite, family)]]
    return dict(
        benchmarks=link["suites"][suite],
        family=family,
        exclude=case["exclude"],
        test_model=case["test_models"][family],
        n_train_models=case["n_train_models"],
        methods=link["methods"],
        sizes=link["sizes"],
        random_state=link["random_state"],
    )


def task_files(tasks):
    return [spec["file"] for spec in tasks.values() if "file" in spec]


def obs_params(app, obs):
    """The obsscaling settings one application's jobs depend on (other applications' edits do not rerun it)."""
    shared = {k: v for k, v in obs.items() if k != "applications"}
    return dict(shared, applications={app: obs["applications"][app]})


def obs_target_labels(obs):
    if not obs:
        return {}
    return {t: spec["label"] for app in obs["applications"].values() for t, spec in app["targets"].items()}


def catalog_entry(wildcards, catalog):
    return describe(catalog, wildcards.path.removeprefix("results/"))


def forecast_options(name, forecasts, evaluation):
    """Everything a forecast job depends on besides its input files."""
    request = forecasts["requests"].get(name, {})
    return {
        "leaderboard": request.get("leaderboard"),
        "exclude_families": list(request.get("exclude_families", [])),
        "level": forecasts["level"],
        "method": forecasts["method"],
        "random_state": evaluation["random_state"],
        "n_restarts": evaluation["n_restarts"],
    }


def test_time_skill_params():
    """The skills fit of the test-time stage (the downstream skills script's settings)."""
    params = dict(
        method="sloth",
        exclude=sorted(set(TEST_TIME["targets"]) | set(TEST_TIME["drop"])),
        benchmarks=list(TEST_TIME["benchmarks"]),
        n_skills=TEST_TIME["n_skills"],
        n_restarts=TEST_TIME["n_restarts"],
        seeds=list(TEST_TIME["seeds"]),
        anchor=TEST_TIME["anchor"],
        # the geomin search of the interpretation stage, as the downstream skills fits
        rotation={k: config["interpretation"][k] for k in ROTATION_KEYS},
    )
    if "ridge" in TEST_TIME:
        params["ridge"] = TEST_TIME["ridge"]
    return params


_TEST_TIME_SKIP_SAID = []


def _test_time_skipped(reason):
    """Say once per run that Figure 7 was skipped, why, and how to get it."""
    if not _TEST_TIME_SKIP_SAID:
        _TEST_TIME_SKIP_SAID.append(True)
        repo = config["sources"]["hub"][TEST_TIME["source"]]["repo_id"]
        print(test_time_skip_message(repo, reason), file=sys.stderr)
    return []


def test_time_targets(outputs):
    """The test-time stage's `outputs` where its source is available, else nothing (and the message, once)."""
    if TEST_TIME is None:
        return []
    repo = config["sources"]["hub"][TEST_TIME["source"]]["repo_id"]
    if OFFLINE_MIRROR is not None and not mirror_holds(OFFLINE_MIRROR, repo):
        return _test_time_skipped(f"the offline mirror {OFFLINE_MIRROR} has no directory hub/{repo}/")
    with open(checkpoints.download_test_time.get().output.status, encoding="utf-8") as fh:
        status = json.load(fh)
    if not status["available"]:
        return _test_time_skipped(status["reason"])
    return with_work_copies(outputs)
