# Ruan et al.'s observational scaling laws (arXiv 2405.10938): their three applications, and Sloth skills on
# the same splits (issue 12; method: the ObsScaling code, docs/sources.md).
#
#   obsscaling_clean    the five ObsScaling CSVs (download_github) -> results/obsscaling/data/{table}.parquet
#   obsscaling_fit      per application: size / FLOPs baselines and PC1 ... PC1-k at the configured split
#                       -> results/obsscaling/{application}/{predictions,summary,weights}.parquet
#   obsscaling_sloth    per application: Sloth-skill predictors on the same splits -> .../sloth_*.parquet
#   obsscaling_sweep    per application with a `sweep` and target: rank-by-y test-ratio sweep -> sweep/*.parquet
#   obsscaling_tables   -> results/tables/obsscaling_mse.csv, results/tables/obsscaling_cutoff_sweep.csv
#   obsscaling_figure   Ruan-style figures -> results/figures/obsscaling_*.{pdf,png}
#
# The stage reads only the ObsScaling tables: it needs neither the leaderboards nor any Sloth fold job.

OBS = config.get("obsscaling")
OBS_DIR = "results/obsscaling"
# clean table -> the github source that provides it (config sources.github)
OBS_SOURCES = {
    "base": "obsscaling_base",
    "instruct": "obsscaling_instruct",
    "emergent": "obsscaling_emergent",
    "post_training": "obsscaling_post_training",
    "agent": "obsscaling_agent",
}
if OBS:
    _missing = [s for s in OBS_SOURCES.values() if s not in GITHUB_SOURCES]
    if _missing:
        from slothpipe.errors import ConfigError

        raise ConfigError(
            f"obsscaling: the stage reads the GitHub sources {sorted(OBS_SOURCES.values())}\n"
            f"  missing under sources.github: {_missing}\n"
            "  allowed: configure them (config/config.yaml has all five) or remove the obsscaling section"
        )
OBS_APPS = list(OBS["applications"]) if OBS else []
# (application, target index) of every sweep job; targets are named by index (their names hold ',' and '@')
OBS_SWEEPS = [
    (app, i)
    for app in OBS_APPS
    if "sweep" in OBS["applications"][app]
    for i in range(len(OBS["applications"][app]["targets"]))
]
OBS_FIGURES = (
    [f"obsscaling_curves_{app}" for app in OBS_APPS]
    + (["obsscaling_test_mse", "obsscaling_weights"] if OBS else [])
    + (["obsscaling_cutoff_sweep"] if OBS_SWEEPS else [])
)
OBSSCALING_OUTPUTS = (
    [
        "results/tables/obsscaling_mse.csv",
        "results/tables/obsscaling_cutoff_sweep.csv",
        *expand("results/figures/{name}.{ext}", name=OBS_FIGURES, ext=["pdf", "png"]),
    ]
    if OBS
    else []
)


wildcard_constraints:
    obs_app="|".join(OBS_APPS) if OBS_APPS else "^$",


rule obsscaling_clean:
    """Validate Ruan et al.'s five ObsScaling tables and write them as clean parquet."""
    input:
        **{table: f"resources/raw/{source}.csv" for table, source in OBS_SOURCES.items()},
        code=code("obsscaling_clean.py"),
    output:
        **{table: tracked(f"{OBS_DIR}/data/{table}.parquet") for table in OBS_SOURCES},
    log:
        "logs/obsscaling/clean.log",
    benchmark:
        "logs/timings/obsscaling/clean.tsv"
    conda:
        SOFTWARE_ENV
    script:
        "../scripts/obsscaling_clean.py"


rule obsscaling_fit:
    """One application: size, FLOPs and PC1..PC1-k predictors fitted at the configured split."""
    input:
        **{table: f"{OBS_DIR}/data/{table}.parquet" for table in OBS_SOURCES},
        code=code("obsscaling_fit.py"),
    output:
        predictions=tracked(f"{OBS_DIR}/{{obs_app}}/predictions.parquet"),
        summary=tracked(f"{OBS_DIR}/{{obs_app}}/summary.parquet"),
        weights=tracked(f"{OBS_DIR}/{{obs_app}}/weights.parquet"),
    log:
        "logs/obsscaling/fit_{obs_app}.log",
    benchmark:
        "logs/timings/obsscaling/fit_{obs_app}.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        obs=lambda wc: obs_params(wc.obs_app, OBS),
    script:
        "../scripts/obsscaling_fit.py"


rule obsscaling_sloth:
    """One application: Sloth-skill predictors (skills from scores; skills from the law) on the same split."""
    input:
        **{table: f"{OBS_DIR}/data/{table}.parquet" for table in OBS_SOURCES},
        code=code("obsscaling_sloth.py"),
    output:
        predictions=tracked(f"{OBS_DIR}/{{obs_app}}/sloth_predictions.parquet"),
        summary=tracked(f"{OBS_DIR}/{{obs_app}}/sloth_summary.parquet"),
    log:
        "logs/obsscaling/sloth_{obs_app}.log",
    benchmark:
        "logs/timings/obsscaling/sloth_{obs_app}.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        obs=lambda wc: obs_params(wc.obs_app, OBS),
    script:
        "../scripts/obsscaling_sloth.py"


rule obsscaling_sweep:
    """One application and target: the test-share sweep of the split and its area under the error curve."""
    input:
        **{table: f"{OBS_DIR}/data/{table}.parquet" for table in OBS_SOURCES},
        code=code("obsscaling_sweep.py"),
    output:
        curve=tracked(f"{OBS_DIR}/{{obs_app}}/sweep/target{{index}}_curve.parquet"),
        aue=tracked(f"{OBS_DIR}/{{obs_app}}/sweep/target{{index}}_aue.parquet"),
    log:
        "logs/obsscaling/sweep_{obs_app}_{index}.log",
    benchmark:
        "logs/timings/obsscaling/sweep_{obs_app}_{index}.tsv"
    wildcard_constraints:
        index=r"\d+",
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        obs=lambda wc: obs_params(wc.obs_app, OBS),
        index=lambda wc: int(wc.index),
    script:
        "../scripts/obsscaling_sweep.py"


rule obsscaling_tables:
    """Tables obsscaling_mse.csv and obsscaling_cutoff_sweep.csv from every application."""
    input:
        summaries=expand(f"{OBS_DIR}/{{app}}/summary.parquet", app=OBS_APPS),
        sloth=expand(f"{OBS_DIR}/{{app}}/sloth_summary.parquet", app=OBS_APPS),
        aues=[f"{OBS_DIR}/{app}/sweep/target{i}_aue.parquet" for app, i in OBS_SWEEPS],
        code=code("obsscaling_tables.py"),
    output:
        mse=tracked("results/tables/obsscaling_mse.csv"),
        sweep=tracked("results/tables/obsscaling_cutoff_sweep.csv"),
    log:
        "logs/obsscaling/tables.log",
    conda:
        SOFTWARE_ENV
    params:
        targets=[t for app in OBS_APPS for t in OBS["applications"][app]["targets"]] if OBS else [],
    script:
        "../scripts/obsscaling_tables.py"


rule obsscaling_curves_figure:
    """Ruan-style fitted curves over Llama-2-equivalent FLOPs for one application."""
    input:
        predictions=f"{OBS_DIR}/{{obs_app}}/predictions.parquet",
        summary=f"{OBS_DIR}/{{obs_app}}/summary.parquet",
        code=code("obsscaling_figure.py"),
    output:
        pdf=tracked("results/figures/obsscaling_curves_{obs_app}.pdf"),
        png=tracked("results/figures/obsscaling_curves_{obs_app}.png"),
    log:
        "logs/obsscaling/figure_curves_{obs_app}.log",
    conda:
        SOFTWARE_ENV
    params:
        kind="curves",
        labels=lambda wc: {t: s["label"] for t, s in OBS["applications"][wc.obs_app]["targets"].items()},
        reference_family=lambda wc: OBS["applications"][wc.obs_app]["reference_family"],
    script:
        "../scripts/obsscaling_figure.py"


rule obsscaling_test_mse_figure:
    """Held-out MSE of every predictor and target."""
    input:
        mse="results/tables/obsscaling_mse.csv",
        code=code("obsscaling_figure.py"),
    output:
        pdf=tracked("results/figures/obsscaling_test_mse.pdf"),
        png=tracked("results/figures/obsscaling_test_mse.png"),
    log:
        "logs/obsscaling/figure_test_mse.log",
    conda:
        SOFTWARE_ENV
    params:
        kind="test_mse",
        labels=obs_target_labels(OBS),
    script:
        "../scripts/obsscaling_figure.py"


rule obsscaling_sweep_figure:
    """Test MSE against the held-out share for every swept target."""
    input:
        curves=[f"{OBS_DIR}/{app}/sweep/target{i}_curve.parquet" for app, i in OBS_SWEEPS],
        sweep="results/tables/obsscaling_cutoff_sweep.csv",
        code=code("obsscaling_figure.py"),
    output:
        pdf=tracked("results/figures/obsscaling_cutoff_sweep.pdf"),
        png=tracked("results/figures/obsscaling_cutoff_sweep.png"),
    log:
        "logs/obsscaling/figure_sweep.log",
    conda:
        SOFTWARE_ENV
    params:
        kind="sweep",
        labels=obs_target_labels(OBS),
    script:
        "../scripts/obsscaling_figure.py"


rule obsscaling_weights_figure:
    """Effective benchmark weights of the PC predictors."""
    input:
        weights=expand(f"{OBS_DIR}/{{app}}/weights.parquet", app=OBS_APPS),
        code=code("obsscaling_figure.py"),
    output:
        pdf=tracked("results/figures/obsscaling_weights.pdf"),
        png=tracked("results/figures/obsscaling_weights.png"),
    log:
        "logs/obsscaling/figure_weights.log",
    conda:
        SOFTWARE_ENV
    params:
        kind="weights",
        labels=obs_target_labels(OBS),
    script:
        "../scripts/obsscaling_figure.py"
