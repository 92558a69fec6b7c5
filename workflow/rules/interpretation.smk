# Skills interpretation (paper section 4.3, App. I), compute-optimal allocation (section 4.6, Tables 1-2) and
# the motivation scatters of App. D (Figures 8-9).
#
#   interpretation_fit      dataset                -> {OUT}/interpretation/skills_d{d}.json   (the only fit)
#   skills_figure           skills_d{d}.json       -> {OUT}/figures/fig02_loadings_d3.{pdf,png}, ...
#   skills_tables           skills_d{d}.json       -> {OUT}/tables/loadings_d{d}.csv, skill_*_d{d}.{csv,tex}
#   compute_optimal         skills_d{d}.json       -> {OUT}/tables/compute_optimal.csv, table{1,2}_*.tex
#   motivation_figure       dataset                -> {OUT}/figures/fig08_*, fig09_*, motivation/{slug}.*
#
# Figures and tables only read the interpretation file: restyling never refits.

import re

from slothpipe.figure_plan import motivation_figures, skill_figures

INTERP = config["interpretation"]
SKILL_DS = list(INTERP["n_skills"])
CO = INTERP["compute_optimal"]
MOTIV = INTERP["motivation"]
if CO["n_skills"] not in SKILL_DS:
    raise ValueError(
        f"config interpretation.compute_optimal.n_skills = {CO['n_skills']} is not one of "
        f"interpretation.n_skills = {SKILL_DS}"
    )


# Which figures (paper numbers where the paper has them): slothpipe.figure_plan.
SKILL_FIGURES = skill_figures(SKILL_DS)  # name -> (kind, d)
MOTIVATION_FIGURES = motivation_figures(MOTIV["benchmarks"])  # name -> benchmark


INTERPRETATION_OUTPUTS = [
    *expand(f"{OUT}/interpretation/skills_d{{d}}.json", d=SKILL_DS),
    *expand(
        f"{OUT}/figures/{{name}}.{{ext}}", name=[*SKILL_FIGURES, *MOTIVATION_FIGURES], ext=["pdf", "png"]
    ),
    *expand(
        f"{OUT}/tables/{{table}}_d{{d}}.csv",
        table=["loadings", "skill_correlation", "skill_coefficients"],
        d=SKILL_DS,
    ),
    *expand(f"{OUT}/tables/skill_coefficients_d{{d}}.tex", d=SKILL_DS),
    f"{OUT}/tables/compute_optimal.csv",
    f"{OUT}/tables/table1_compute_optimal_if.tex",
    f"{OUT}/tables/table2_compute_optimal.tex",
]


rule interpretation_fit:
    """Fit Sloth basic with d skills on the interpretation set and rotate its loadings."""
    input:
        dataset=DATASET,
        code=code("fit_skills.py"),
    output:
        fit=tracked(f"{OUT}/interpretation/skills_d{{d}}.json"),
    log:
        f"logs/{OUT}/interpretation/fit_d{{d}}.log",
    benchmark:
        f"logs/timings/{OUT}/interpretation/fit_d{{d}}.tsv"
    wildcard_constraints:
        d="|".join(str(d) for d in SKILL_DS),
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        settings=lambda wc: skills_fit_settings(wc.d, INTERP),
    script:
        "../scripts/fit_skills.py"


rule skills_figure:
    """A skills figure: loadings, correlation, level curves, instruct vs base (Figs 2, 4, 5, 21-29)."""
    input:
        fit=lambda wc: f"{OUT}/interpretation/skills_d{SKILL_FIGURES[wc.name][1]}.json",
        code=code("skills_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    benchmark:
        f"logs/timings/{OUT}/figures/{{name}}.tsv"
    wildcard_constraints:
        name=alternatives(SKILL_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        kind=lambda wc: SKILL_FIGURES[wc.name][0],
        plot_order=list(INTERP["benchmarks"]),
        levels=INTERP["level_curves"],
        pairs=[list(p) for p in INTERP["instruct_pairs"]],
    script:
        "../scripts/skills_figure.py"


rule skills_tables:
    """Loadings, skill correlations and skill coefficients of the d-skill fit (CSV, LaTeX)."""
    input:
        fit=f"{OUT}/interpretation/skills_d{{d}}.json",
        code=code("skills_tables.py"),
    output:
        loadings=tracked(f"{OUT}/tables/loadings_d{{d}}.csv"),
        correlation=tracked(f"{OUT}/tables/skill_correlation_d{{d}}.csv"),
        coefficients=tracked(f"{OUT}/tables/skill_coefficients_d{{d}}.csv"),
        coefficients_tex=tracked(f"{OUT}/tables/skill_coefficients_d{{d}}.tex"),
    log:
        f"logs/{OUT}/interpretation/tables_d{{d}}.log",
    benchmark:
        f"logs/timings/{OUT}/interpretation/tables_d{{d}}.tsv"
    wildcard_constraints:
        d="|".join(str(d) for d in SKILL_DS),
    conda:
        SOFTWARE_ENV
    params:
        plot_order=list(INTERP["benchmarks"]),
    script:
        "../scripts/skills_tables.py"


rule compute_optimal:
    """Compute-optimal parameters and tokens per skill and budget (Tables 1-2)."""
    input:
        fit=f"{OUT}/interpretation/skills_d{CO['n_skills']}.json",
        code=code("compute_optimal.py"),
    output:
        csv=tracked(f"{OUT}/tables/compute_optimal.csv"),
        table1=tracked(f"{OUT}/tables/table1_compute_optimal_if.tex"),
        table2=tracked(f"{OUT}/tables/table2_compute_optimal.tex"),
    log:
        f"logs/{OUT}/interpretation/compute_optimal.log",
    benchmark:
        f"logs/timings/{OUT}/interpretation/compute_optimal.tsv"
    conda:
        SOFTWARE_ENV
    params:
        n_budgets=CO["n_budgets"],
        low_flops=float(CO["low_flops"]),
    script:
        "../scripts/compute_optimal.py"


rule motivation_figure:
    """Scores against FLOPs per family for one benchmark (Figures 8-9 and the other benchmarks)."""
    input:
        dataset=DATASET,
        code=code("motivation_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    benchmark:
        f"logs/timings/{OUT}/figures/{{name}}.tsv"
    wildcard_constraints:
        name=alternatives(MOTIVATION_FIGURES),
    conda:
        SOFTWARE_ENV
    params:
        benchmark=lambda wc: MOTIVATION_FIGURES[wc.name],
        n_families=MOTIV["n_families"],
    script:
        "../scripts/motivation_figure.py"
