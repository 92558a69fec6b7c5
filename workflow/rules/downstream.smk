# Downstream tasks (paper section 4.4, App. J, L) and the link-function curves of App. K (Figures 33-36).
#
#   downstream_skills      dataset -> {OUT}/downstream/skills/{setting}.parquet (+ loadings, fit info)
#                          Sloth fit without the held-out models (main) or on all models, or Ruan's PCA
#   downstream_regressions skills + task scores -> {OUT}/downstream/regressions.parquet (+ weights)
#   downstream_tables      -> {OUT}/tables/downstream_{predictions,weights,errors}.csv
#   downstream_figure      Figures 6, 30, 37, 38 (regression curves);  loadings_figure  Figures 32, 39, 40
#   link_curves            dataset -> {OUT}/downstream/link_curves/{suite}_{family}.parquet (registry fits)
#   link_curves_figure     one figure per suite x family (Figures 33-36 and the four unpublished variants)
#
# Figure 31 (agentic tasks) is not built: only three models of Ruan's agent table have the 12 benchmarks,
# a size and a token count (see results/README.md).

import re

from slothpipe.figure_plan import downstream_figures, link_figures, link_jobs, loadings_figures

DS = config["downstream"]
DS_SKILLS = DS["skills"]
DS_TASKS = DS["tasks"]
LINK = DS["link_functions"]


# Which figures (paper numbers where the paper has them) and what they show: slothpipe.figure_plan.
DOWNSTREAM_FIGURES = downstream_figures(DS_TASKS, DS_SKILLS)  # name -> task, panels [(setting, title)]
LOADINGS_FIGURES = loadings_figures(DS_SKILLS)  # name -> setting, title, vmin, vmax
LINK_JOBS = link_jobs(LINK["suites"], LINK["cases"])  # (suite, family) -> case
LINK_FIGURES = link_figures(LINK["suites"], LINK["cases"])  # name -> (suite, family)


DOWNSTREAM_OUTPUTS = [
    *expand(
        f"{OUT}/downstream/skills/{{s}}{{suffix}}",
        s=list(DS_SKILLS),
        suffix=[".parquet", "_loadings.csv", "_info.json"],
    ),
    f"{OUT}/downstream/regressions.parquet",
    f"{OUT}/downstream/regression_weights.parquet",
    *[f"{OUT}/downstream/link_curves/{suite}_{family}.parquet" for suite, family in LINK_JOBS],
    *expand(f"{OUT}/tables/downstream_{{name}}.csv", name=["predictions", "weights", "errors"]),
    *expand(
        f"{OUT}/figures/{{name}}.{{ext}}",
        name=[*DOWNSTREAM_FIGURES, *LOADINGS_FIGURES, *LINK_FIGURES],
        ext=["pdf", "png"],
    ),
]


wildcard_constraints:
    ds_setting="|".join(re.escape(s) for s in DS_SKILLS),
    link_suite="|".join(re.escape(s) for s in LINK["suites"]),
    link_family="|".join(re.escape(f) for _, f in LINK_JOBS),


rule downstream_skills:
    """Skills of every model from one fit (Sloth or PCA) for the downstream regressions."""
    input:
        dataset=DATASET,
        code=code("downstream_skills.py"),
    output:
        skills=tracked(f"{OUT}/downstream/skills/{{ds_setting}}.parquet"),
        loadings=tracked(f"{OUT}/downstream/skills/{{ds_setting}}_loadings.csv"),
        info=tracked(f"{OUT}/downstream/skills/{{ds_setting}}_info.json"),
    log:
        f"logs/{OUT}/downstream/skills_{{ds_setting}}.log",
    benchmark:
        f"logs/timings/{OUT}/downstream/skills_{{ds_setting}}.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        spec=lambda wc: downstream_skill_params(wc.ds_setting, DS),
    script:
        "../scripts/downstream_skills.py"


rule downstream_regressions:
    """Regress each downstream task (HumanEval, EQ-Bench) on every skill setting (logistic link)."""
    input:
        dataset=DATASET,
        skills=expand(f"{OUT}/downstream/skills/{{s}}.parquet", s=list(DS_SKILLS)),
        task_files=lambda wc: task_files(DS_TASKS),
        code=code("downstream_regressions.py"),
    output:
        points=tracked(f"{OUT}/downstream/regressions.parquet"),
        weights=tracked(f"{OUT}/downstream/regression_weights.parquet"),
    log:
        f"logs/{OUT}/downstream/regressions.log",
    benchmark:
        f"logs/timings/{OUT}/downstream/regressions.tsv"
    conda:
        SOFTWARE_ENV
    params:
        settings=list(DS_SKILLS),
        tasks=DS_TASKS,
        regression=DS["regression"],
    script:
        "../scripts/downstream_regressions.py"


rule downstream_tables:
    """Downstream predictions, regression weights and errors as CSV tables."""
    input:
        points=f"{OUT}/downstream/regressions.parquet",
        weights=f"{OUT}/downstream/regression_weights.parquet",
        code=code("downstream_tables.py"),
    output:
        predictions=tracked(f"{OUT}/tables/downstream_predictions.csv"),
        weights=tracked(f"{OUT}/tables/downstream_weights.csv"),
        errors=tracked(f"{OUT}/tables/downstream_errors.csv"),
    log:
        f"logs/{OUT}/downstream/tables.log",
    conda:
        SOFTWARE_ENV
    script:
        "../scripts/downstream_tables.py"


rule downstream_figure:
    """Predicted against actual downstream scores (Figures 6, 30, 37, 38)."""
    input:
        points=f"{OUT}/downstream/regressions.parquet",
        weights=f"{OUT}/downstream/regression_weights.parquet",
        code=code("downstream_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    wildcard_constraints:
        name="|".join(DOWNSTREAM_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        spec=lambda wc: DOWNSTREAM_FIGURES[wc.name],
        label=lambda wc: DS_TASKS[DOWNSTREAM_FIGURES[wc.name]["task"]]["label"],
    script:
        "../scripts/downstream_figure.py"


rule loadings_figure:
    """Loadings of a downstream skills fit (Figures 32, 39, 40)."""
    input:
        loadings=lambda wc: f"{OUT}/downstream/skills/{LOADINGS_FIGURES[wc.name]['setting']}_loadings.csv",
        code=code("loadings_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    wildcard_constraints:
        name="|".join(LOADINGS_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        spec=lambda wc: LOADINGS_FIGURES[wc.name],
    script:
        "../scripts/loadings_figure.py"


rule link_curves:
    """Trace the learned link functions for one suite and family, its test model held out."""
    input:
        dataset=DATASET,
        code=code("link_curves.py"),
    output:
        tracked(f"{OUT}/downstream/link_curves/{{link_suite}}_{{link_family}}.parquet"),
    log:
        f"logs/{OUT}/downstream/link_curves_{{link_suite}}_{{link_family}}.log",
    benchmark:
        f"logs/timings/{OUT}/downstream/link_curves_{{link_suite}}_{{link_family}}.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        spec=lambda wc: link_params(wc.link_suite, wc.link_family, LINK, LINK_JOBS),
    script:
        "../scripts/link_curves.py"


rule link_curves_figure:
    """Learned link functions of one family (Figures 33-36 and the instruct variants)."""
    input:
        curves=lambda wc: "{}/downstream/link_curves/{}_{}.parquet".format(OUT, *LINK_FIGURES[wc.name]),
        code=code("link_curves_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    wildcard_constraints:
        name="|".join(re.escape(n) for n in LINK_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        benchmarks=lambda wc: LINK["suites"][LINK_FIGURES[wc.name][0]],
        title=lambda wc: "LB {}: {} (held-out {})".format(
            LINK_FIGURES[wc.name][0],
            LINK_FIGURES[wc.name][1],
            link_params(*LINK_FIGURES[wc.name], LINK, LINK_JOBS)["test_model"],
        ),
    script:
        "../scripts/link_curves_figure.py"
