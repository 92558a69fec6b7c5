# Leave-one-family-out evaluation (paper section 4.2) and its figures and tables.
#
#   plan_groups (checkpoint)  dataset + held-out groups          -> {OUT}/evaluation/plan.json
#   evaluate_setting          one suite x n_train_models x method bundle: every held-out group of the setting
#                             in one job, reading only the slice of the dataset and plan of its suite and
#                             setting (written by plan_groups under a name that follows its content: a
#                             v2-only data change re-runs no v1 job)
#                                 -> resources/folds/.../{suite}/n{n}/{bundle}.parquet
#   aggregate_errors          every setting's fold errors         -> {OUT}/evaluation/group_errors.parquet
#   mae_summary, paper_comparison, table_models                 -> {OUT}/tables/...
#   heatmap_figure, family_figure, figure_shared_intercept       -> {OUT}/figures/...
#
#   evaluate_fold             one held-out group alone, on request (a rerun or a check of one family; nothing
#                             reads it): the same rows as the group's in its setting's file
#                                 -> resources/fold_reruns/.../{suite}/n{n}/{group}/{bundle}.parquet
#
# One job per setting and bundle (12 with the paper's grid) instead of one per group (146): each job pays the
# start-up of Python, its imports and Snakemake's bookkeeping once (docs/speed.md).  Setting jobs are
# independent; `snakemake --cores N` runs N at once.  A job's params hold exactly the settings of its methods,
# so changing the selection of one kind of method re-runs only that kind's jobs.

import json
import re

from slothpipe.evaluation.bundles import method_bundles, uses_random_starts
from slothpipe.figure_plan import family_figures, heatmap_figures, shared_intercept_figures
from slothpipe.models.methods import METHODS

EVAL = config["evaluation"]
SUITES = EVAL["suites"]
N_TRAIN = EVAL["n_train_models"]
SELECTED_METHODS = list(METHODS) if EVAL["methods"] == "all" else list(EVAL["methods"])
SOLVER = EVAL["solver"]
BUNDLES = method_bundles(SELECTED_METHODS, METHODS)


wildcard_constraints:
    suite="|".join(re.escape(s) for s in SUITES),
    n=r"\d+",
    bundle="|".join(BUNDLES),


checkpoint plan_groups:
    """Plan the folds: held-out groups and test-model counts per suite and number of training models."""
    input:
        dataset=DATASET,
        paper_groups=EVAL["paper_groups"],
        code=code("plan_groups.py"),
    output:
        plan=tracked(f"{OUT}/evaluation/plan.json"),
        slices=f"{WORK}/{OUT}/evaluation/slices.json",
    log:
        f"logs/{OUT}/plan_groups.log",
    conda:
        SOFTWARE_ENV
    params:
        mode=EVAL["groups"],
        suites=SUITES,
        n_train_models=N_TRAIN,
        slice_dir=lambda wildcards, output: str(Path(output.slices).with_suffix("")),
    script:
        "../scripts/plan_groups.py"


rule evaluate_setting:
    """Fit one method bundle on every leave-one-family-out fold of a setting and score the held-out models."""
    input:
        unpack(fold_slice),
        code=code("evaluate_folds.py"),
    output:
        f"{FOLD_DIR}/{{suite}}/n{{n}}/{{bundle}}.parquet",
    log:
        f"logs/{OUT}/evaluate_setting/{{suite}}/n{{n}}/{{bundle}}.log",
    benchmark:
        f"logs/timings/{OUT}/evaluate_setting/{{suite}}/n{{n}}/{{bundle}}.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        benchmarks=lambda wc: SUITES[wc.suite],
        bundle=lambda wc: bundle_params(BUNDLES[wc.bundle], EVAL),
    script:
        "../scripts/evaluate_folds.py"


# One held-out group alone (a rerun or a check): the same errors as its rows in its setting's file.
use rule evaluate_setting as evaluate_fold with:
    output:
        f"{FOLD_RERUN_DIR}/{{suite}}/n{{n}}/{{group}}/{{bundle}}.parquet",
    log:
        f"logs/{OUT}/evaluate_fold/{{suite}}/n{{n}}/{{group}}/{{bundle}}.log",
    benchmark:
        f"logs/timings/{OUT}/evaluate_fold/{{suite}}/n{{n}}/{{group}}/{{bundle}}.tsv"
    resources:
        runtime=15,


rule aggregate_errors:
    """Collect every setting's fold errors into one table of MAE per group, method and benchmark."""
    input:
        folds=lambda wc: fold_files(BUNDLES),
        code=code("aggregate_errors.py"),
    output:
        groups=tracked(f"{OUT}/evaluation/group_errors.parquet"),
    log:
        f"logs/{OUT}/aggregate_errors.log",
    conda:
        SOFTWARE_ENV
    script:
        "../scripts/aggregate_errors.py"


# ---------------------------------------------------------------------------------------- tables


rule mae_summary:
    """Average errors per method and setting (CSV, Markdown, LaTeX; MAPE too)."""
    input:
        groups=f"{OUT}/evaluation/group_errors.parquet",
        code=code("mae_summary.py"),
    output:
        csv=tracked(f"{OUT}/tables/mae_summary.csv"),
        md=tracked(f"{OUT}/tables/mae_summary.md"),
        tex=tracked(f"{OUT}/tables/mae_summary.tex"),
        mape_csv=tracked(f"{OUT}/tables/mape_summary.csv"),
    log:
        f"logs/{OUT}/mae_summary.log",
    conda:
        SOFTWARE_ENV
    params:
        suites=SUITES,
        n_train_models=N_TRAIN,
        methods=SELECTED_METHODS,
    script:
        "../scripts/mae_summary.py"


# The hand-written explanation of the misses (docs/paper_comparison_notes.md, shipped with the workflow) is
# appended to the Markdown after the table and the computed target verdicts.
PAPER_COMPARISON_NOTES = _display_path(REPO / "docs" / "paper_comparison_notes.md")


rule paper_comparison:
    """Our averages next to the paper's, with deltas, verdicts and the notes on each difference."""
    input:
        summary=f"{OUT}/tables/mae_summary.csv",
        paper=EVAL["paper_mae"],
        notes=PAPER_COMPARISON_NOTES,
        headline_test=f"{OUT}/tables/headline_test.md",
        headline_test_csv=f"{OUT}/tables/headline_test.csv",
        code=code("paper_comparison.py"),
    output:
        csv=tracked(f"{OUT}/tables/paper_comparison.csv"),
        md=tracked(f"{OUT}/tables/paper_comparison.md"),
    log:
        f"logs/{OUT}/paper_comparison.log",
    conda:
        SOFTWARE_ENV
    params:
        headline_test={k: EVAL["headline_test"][k] for k in ("methods", "baselines", "level")},
    script:
        "../scripts/paper_comparison.py"


rule table_models:
    """Table 3: the models of each suite, with families, sizes and tokens."""
    input:
        dataset=DATASET,
        plan=f"{OUT}/evaluation/plan.json",
        code=code("table_models.py"),
    output:
        csv=tracked(f"{OUT}/tables/table3_models.csv"),
        tex=tracked(f"{OUT}/tables/table3_models.tex"),
    log:
        f"logs/{OUT}/table_models.log",
    conda:
        SOFTWARE_ENV
    script:
        "../scripts/table_models.py"


# --------------------------------------------------------------------------------------- figures
# Every figure of the prediction experiment, named after its number in the paper (NeurIPS version).
# "complete" variants add the shared-intercept Sloth rows.

# Which figures and panels: slothpipe.figure_plan (one panel per leaderboard suite of the source table).
HEATMAP_FIGURES = heatmap_figures(SUITES, N_TRAIN)
FAMILY_FIGURES = family_figures(SUITES, N_TRAIN)
SHARED_FIGURES = shared_intercept_figures(SUITES, N_TRAIN, SELECTED_METHODS)  # Figure 3, or nothing

EVALUATION_OUTPUTS = [
    f"{OUT}/evaluation/plan.json",
    f"{OUT}/evaluation/group_errors.parquet",
    f"{OUT}/tables/mae_summary.csv",
    f"{OUT}/tables/paper_comparison.csv",
    f"{OUT}/tables/table3_models.csv",
    *expand(
        f"{OUT}/figures/{{name}}.{{ext}}",
        name=[*HEATMAP_FIGURES, *FAMILY_FIGURES, *SHARED_FIGURES],
        ext=["pdf", "png"],
    ),
]


rule heatmap_figure:
    """One error heat-map of the paper (Figures 1, 10-12, 16-17 and their complete variants)."""
    input:
        groups=f"{OUT}/evaluation/group_errors.parquet",
        code=code("heatmap_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    wildcard_constraints:
        name="|".join(HEATMAP_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        spec=lambda wc: HEATMAP_FIGURES[wc.name],
        suites=SUITES,
        methods=SELECTED_METHODS,
    script:
        "../scripts/heatmap_figure.py"


rule family_figure:
    """Errors per held-out family (Figures 13-15, 18-20)."""
    input:
        groups=f"{OUT}/evaluation/group_errors.parquet",
        plan=f"{OUT}/evaluation/plan.json",
        code=code("family_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    wildcard_constraints:
        name="|".join(FAMILY_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        setting=lambda wc: FAMILY_FIGURES[wc.name],
        methods=SELECTED_METHODS,
    script:
        "../scripts/family_figure.py"


rule figure_shared_intercept:
    """Figure 3: shared-intercept against family-intercept methods."""
    input:
        groups=f"{OUT}/evaluation/group_errors.parquet",
        code=code("figure_shared_intercept.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    wildcard_constraints:
        name=alternatives(SHARED_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        setting=lambda wc: SHARED_FIGURES[wc.name],
        suites=SUITES,
        methods=SELECTED_METHODS,
    script:
        "../scripts/figure_shared_intercept.py"


# The README's headline table: the main heat-maps' methods in every setting, ours (paper).  README.md embeds
# this file between its `headline-table` markers (tests/test_readme.py keeps the two in step).
HEADLINE_METHODS = [
    name
    for name in SELECTED_METHODS
    if METHODS[name].in_main_figures and not METHODS[name].complete_plot_only
]
EVALUATION_OUTPUTS.append(f"{OUT}/tables/headline.md")


rule headline_table:
    """The README's headline table: our MAE next to the paper's for the main methods."""
    input:
        comparison=f"{OUT}/tables/paper_comparison.csv",
        code=code("headline_table.py"),
    output:
        md=tracked(f"{OUT}/tables/headline.md"),
    log:
        f"logs/{OUT}/headline_table.log",
    conda:
        SOFTWARE_ENV
    params:
        methods=HEADLINE_METHODS,
    script:
        "../scripts/headline_table.py"


# ---------------------------------------------------------------------------- the headline, tested (issue 27)
# Sloth against each baseline, paired over held-out groups: bootstrap interval, Wilcoxon p, Holm's correction
# (slothpipe.evaluation.headline_test).  The Markdown is the README's headline paragraph (embedded between
# its `headline-test` markers, tests/test_readme.py) and a section of paper_comparison.md.
HEADLINE_TEST = EVAL["headline_test"]
EVALUATION_OUTPUTS += [
    f"{OUT}/tables/headline_test.csv",
    *expand(f"{OUT}/figures/headline_test.{{ext}}", ext=["pdf", "png"]),
]


rule headline_test:
    """Is Sloth better than each baseline?  Paired differences over held-out groups, intervals, p-values."""
    input:
        groups=f"{OUT}/evaluation/group_errors.parquet",
        code=code("headline_test.py"),
    output:
        csv=tracked(f"{OUT}/tables/headline_test.csv"),
        md=tracked(f"{OUT}/tables/headline_test.md"),
    log:
        f"logs/{OUT}/headline_test.log",
    conda:
        SOFTWARE_ENV
    params:
        test={k: v for k, v in HEADLINE_TEST.items() if k != "protocol"},
        suites=SUITES,
        n_train_models=N_TRAIN,
    script:
        "../scripts/headline_test.py"


rule headline_test_figure:
    """Per setting, Sloth minus the figure baseline on every held-out group, with the bootstrap interval."""
    input:
        groups=f"{OUT}/evaluation/group_errors.parquet",
        table=f"{OUT}/tables/headline_test.csv",
        code=code("headline_test_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/headline_test.pdf"),
        png=tracked(f"{OUT}/figures/headline_test.png"),
    log:
        f"logs/{OUT}/figures/headline_test.log",
    conda:
        SOFTWARE_ENV
    params:
        methods=HEADLINE_TEST["methods"],
        baseline=HEADLINE_TEST["figure_baseline"],
    script:
        "../scripts/headline_test_figure.py"


# The same comparison under another fitting protocol (the authors' Adam, several seeds): the target
# `protocol_comparison` (workflow/Snakefile), never part of the default run.  Fold files are untracked; the
# per-group errors and the two tables are tracked.
PROTOCOL = HEADLINE_TEST["protocol"]
PROTOCOL_OUTPUTS = [
    f"{OUT}/evaluation/protocol_group_errors.parquet",
    f"{OUT}/tables/headline_test_protocol.csv",
    f"{OUT}/tables/protocol_mae.csv",
]


rule protocol_fold:
    """Refit the protocol comparison's methods on one fold under its solver and seed."""
    input:
        dataset=DATASET,
        plan=f"{OUT}/evaluation/plan.json",
        code=code("protocol_fold.py"),
    output:
        f"{PROTOCOL_DIR}/{{solver}}/s{{seed}}/{{suite}}/n{{n}}/{{group}}.parquet",
    log:
        f"logs/{OUT}/protocol_fold/{{solver}}/s{{seed}}/{{suite}}/n{{n}}/{{group}}.log",
    benchmark:
        f"logs/timings/{OUT}/protocol_fold/{{solver}}/s{{seed}}/{{suite}}/n{{n}}/{{group}}.tsv"
    wildcard_constraints:
        solver=re.escape(PROTOCOL["solver"]),
        seed=r"\d+",
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        benchmarks=lambda wc: SUITES[wc.suite],
        methods=PROTOCOL["methods"],
    script:
        "../scripts/protocol_fold.py"


rule protocol_errors:
    """Collect the protocol refits into per-group errors, one `protocol` per solver and seed."""
    input:
        folds=protocol_fold_files(PROTOCOL),
        code=code("protocol_errors.py"),
    output:
        groups=tracked(f"{OUT}/evaluation/protocol_group_errors.parquet"),
    log:
        f"logs/{OUT}/protocol_errors.log",
    conda:
        SOFTWARE_ENV
    params:
        labels=protocol_fold_labels(PROTOCOL),
    script:
        "../scripts/protocol_errors.py"


rule headline_test_protocol:
    """The headline test on the protocol refits, next to our own fits of the same groups, and mean errors."""
    input:
        protocol=f"{OUT}/evaluation/protocol_group_errors.parquet",
        groups=f"{OUT}/evaluation/group_errors.parquet",
        paper=EVAL["paper_mae"],
        code=code("headline_test_protocol.py"),
    output:
        csv=tracked(f"{OUT}/tables/headline_test_protocol.csv"),
        mae=tracked(f"{OUT}/tables/protocol_mae.csv"),
    log:
        f"logs/{OUT}/headline_test_protocol.log",
    conda:
        SOFTWARE_ENV
    params:
        test={k: v for k, v in HEADLINE_TEST.items() if k != "protocol"},
        methods=PROTOCOL["methods"],
    script:
        "../scripts/headline_test_protocol.py"
