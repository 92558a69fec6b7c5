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

from slothpipe.analysis.interpretation import slug

INTERP = config["interpretation"]
SKILL_DS = list(INTERP["n_skills"])
CO = INTERP["compute_optimal"]
MOTIV = INTERP["motivation"]
if CO["n_skills"] not in SKILL_DS:
    raise ValueError(
        f"config interpretation.compute_optimal.n_skills = {CO['n_skills']} is not one of "
        f"interpretation.n_skills = {SKILL_DS}"
    )


# Paper figure numbers (NeurIPS version, docs/sources.md) per kind and number of skills; other d get no number.
# Figures 21-22 and 26-27 carry duplicated captions in the paper: we take the first as loadings, the second as
# the skill correlation (the order of the d=3 pair, Figure 2 then Figure 25).
FIGURE_NUMBERS = {
    "loadings": {2: "fig21", 3: "fig02", 4: "fig26"},
    "correlation": {2: "fig22", 3: "fig25", 4: "fig27"},
    "instruct": {2: "fig23", 3: "fig05", 4: "fig28"},
    "level_curves": {2: "fig24", 3: "fig04", 4: "fig29"},
}
FIGURE_STEMS = {
    "loadings": "loadings",
    "correlation": "skill_correlation",
    "instruct": "instruct_vs_base",
    "level_curves": "level_curves",
}
SKILL_FIGURES = {}  # name -> (kind, d)
for _kind, _stem in FIGURE_STEMS.items():
    for _d in SKILL_DS:
        _number = FIGURE_NUMBERS[_kind].get(_d, "skills")
        SKILL_FIGURES[f"{_number}_{_stem}_d{_d}"] = (_kind, _d)

MOTIVATION_FIGURES = {f"motivation/{slug(b)}": b for b in MOTIV["benchmarks"]}
for _name, _bench in (("fig08_motivation_mmlu-pro", "MMLU-PRO"), ("fig09_motivation_bbh", "BBH")):
    if _bench in MOTIV["benchmarks"]:
        MOTIVATION_FIGURES[_name] = _bench


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
        code=pkg("analysis/skills.py", "analysis/interpretation.py", "models", "tables.py"),
    output:
        fit=tracked(f"{OUT}/interpretation/skills_d{{d}}.json"),
    log:
        f"logs/{OUT}/interpretation/fit_d{{d}}.log",
    benchmark:
        f"benchmarks/rules/{OUT}/interpretation/fit_d{{d}}.tsv"
    wildcard_constraints:
        d="|".join(str(d) for d in SKILL_DS),
    conda:
        SOFTWARE_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        settings=lambda wc: fit_settings(wc.d),
    script:
        "../scripts/fit_skills.py"


rule skills_figure:
    """A skills figure: loadings, correlation, level curves, instruct vs base (Figs 2, 4, 5, 21-29)."""
    input:
        fit=lambda wc: f"{OUT}/interpretation/skills_d{SKILL_FIGURES[wc.name][1]}.json",
        code=pkg("analysis/skills.py", "analysis/interpretation.py", "models", "tables.py", "plotting"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    benchmark:
        f"benchmarks/rules/{OUT}/figures/{{name}}.tsv"
    wildcard_constraints:
        name=_alternatives(SKILL_FIGURES),
    conda:
        SOFTWARE_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
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
        code=pkg("analysis/skills.py", "analysis/interpretation.py", "models", "tables.py"),
    output:
        loadings=tracked(f"{OUT}/tables/loadings_d{{d}}.csv"),
        correlation=tracked(f"{OUT}/tables/skill_correlation_d{{d}}.csv"),
        coefficients=tracked(f"{OUT}/tables/skill_coefficients_d{{d}}.csv"),
        coefficients_tex=tracked(f"{OUT}/tables/skill_coefficients_d{{d}}.tex"),
    log:
        f"logs/{OUT}/interpretation/tables_d{{d}}.log",
    benchmark:
        f"benchmarks/rules/{OUT}/interpretation/tables_d{{d}}.tsv"
    wildcard_constraints:
        d="|".join(str(d) for d in SKILL_DS),
    conda:
        SOFTWARE_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        plot_order=list(INTERP["benchmarks"]),
    script:
        "../scripts/skills_tables.py"


rule compute_optimal:
    """Compute-optimal parameters and tokens per skill and budget (Tables 1-2)."""
    input:
        fit=f"{OUT}/interpretation/skills_d{CO['n_skills']}.json",
        code=pkg("analysis/skills.py", "analysis/interpretation.py", "models", "tables.py"),
    output:
        csv=tracked(f"{OUT}/tables/compute_optimal.csv"),
        table1=tracked(f"{OUT}/tables/table1_compute_optimal_if.tex"),
        table2=tracked(f"{OUT}/tables/table2_compute_optimal.tex"),
    log:
        f"logs/{OUT}/interpretation/compute_optimal.log",
    benchmark:
        f"benchmarks/rules/{OUT}/interpretation/compute_optimal.tsv"
    conda:
        SOFTWARE_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        n_budgets=CO["n_budgets"],
        low_flops=float(CO["low_flops"]),
    script:
        "../scripts/compute_optimal.py"


rule motivation_figure:
    """Scores against FLOPs per family for one benchmark (Figures 8-9 and the other benchmarks)."""
    input:
        dataset=DATASET,
        code=pkg("analysis/skills.py", "analysis/interpretation.py", "models", "tables.py", "plotting"),
    output:
        pdf=tracked(f"{OUT}/figures/{{name}}.pdf"),
        png=tracked(f"{OUT}/figures/{{name}}.png"),
    log:
        f"logs/{OUT}/figures/{{name}}.log",
    benchmark:
        f"benchmarks/rules/{OUT}/figures/{{name}}.tsv"
    wildcard_constraints:
        name=_alternatives(MOTIVATION_FIGURES),
    conda:
        SOFTWARE_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        benchmark=lambda wc: MOTIVATION_FIGURES[wc.name],
        n_families=MOTIV["n_families"],
    script:
        "../scripts/motivation_figure.py"
