# Forecasts with calibrated intervals (issue 23): what a lab that trained a new family's small model wants.
#
#   held_out_predictions        every fold + dataset + plan  -> {OUT}/evaluation/predictions.parquet
#                               (signed residual of every held-out prediction: the calibration data)
#   forecast_validation         predictions.parquet          -> {OUT}/tables/forecast_calibration.csv
#                               (nested leave-one-family-out coverage; names the default method)
#   forecast_calibration_figure forecast_calibration.csv     -> {OUT}/figures/forecast_calibration.{pdf,png}
#   forecast                    config/forecasts/{name}.csv  -> {OUT}/forecasts/{name}.csv   (one fit)
#   forecast_figure             the forecast + its request   -> {OUT}/forecasts/{name}.png
#
# A forecast fits once and calibrates from the tracked predictions table: no refit of the grid.  The figure
# reads the forecast table, so restyling it never refits.

from pathlib import Path

FC = config["forecasts"]
REQUEST_DIR = Path(FC["directory"])
FORECASTS = sorted(p.stem for p in REQUEST_DIR.glob("*.csv"))
unknown_requests = sorted(set(FC["requests"]) - set(FORECASTS))
if unknown_requests:
    raise ValueError(
        f"config forecasts.requests names {unknown_requests[0]!r}, but {REQUEST_DIR}/{unknown_requests[0]}.csv "
        "does not exist"
    )

FORECAST_OUTPUTS = [
    f"{OUT}/evaluation/predictions.parquet",
    f"{OUT}/tables/forecast_calibration.csv",
    *expand(f"{OUT}/figures/forecast_calibration.{{ext}}", ext=["pdf", "png"]),
    *expand(f"{OUT}/forecasts/{{name}}.{{ext}}", name=FORECASTS, ext=["csv", "png"]),
]


rule held_out_predictions:
    """Every held-out prediction of the grid with its signed residual and compute gap (calibration data)."""
    input:
        folds=lambda wc: fold_files(BUNDLES),
        dataset=DATASET,
        plan=plan_path(),
        code=code("held_out_predictions.py"),
    output:
        predictions=tracked(f"{OUT}/evaluation/predictions.parquet"),
    log:
        f"logs/{OUT}/held_out_predictions.log",
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=2000,
    script:
        "../scripts/held_out_predictions.py"


rule forecast_validation:
    """Coverage of the forecast intervals on families held out of the calibration (nested), per method."""
    input:
        predictions=f"{OUT}/evaluation/predictions.parquet",
        code=code("forecast_validation.py"),
    output:
        csv=tracked(f"{OUT}/tables/forecast_calibration.csv"),
    log:
        f"logs/{OUT}/forecast_validation.log",
    benchmark:
        f"logs/timings/{OUT}/forecast_validation.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        n_boot=FC["n_boot"],
        seed=FC["seed"],
    script:
        "../scripts/forecast_validation.py"


rule forecast_calibration_figure:
    """Empirical against nominal coverage of the default method's intervals, with the three baselines."""
    input:
        csv=f"{OUT}/tables/forecast_calibration.csv",
        code=code("forecast_calibration_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/forecast_calibration.pdf"),
        png=tracked(f"{OUT}/figures/forecast_calibration.png"),
    log:
        f"logs/{OUT}/figures/forecast_calibration.log",
    conda:
        SOFTWARE_ENV
    script:
        "../scripts/forecast_calibration_figure.py"


rule forecast:
    """Forecast one request of config/forecasts/: one fit, intervals from the held-out predictions."""
    input:
        request=f"{REQUEST_DIR}/{{name}}.csv",
        dataset=DATASET,
        predictions=f"{OUT}/evaluation/predictions.parquet",
        validation=f"{OUT}/tables/forecast_calibration.csv",
        code=code("forecast.py"),
    output:
        csv=tracked(f"{OUT}/forecasts/{{name}}.csv", kind="intermediate"),
    log:
        f"logs/{OUT}/forecasts/{{name}}.log",
    benchmark:
        f"logs/timings/{OUT}/forecasts/{{name}}.tsv"
    wildcard_constraints:
        name="|".join(re.escape(n) for n in FORECASTS) or "^$",
    conda:
        SOFTWARE_ENV
    params:
        options=lambda wc: forecast_options(wc.name, FC, EVAL),
    script:
        "../scripts/forecast.py"


rule forecast_figure:
    """A forecast against compute, per benchmark: known models, forecasts with intervals, the dataset faint."""
    input:
        forecast=f"{OUT}/forecasts/{{name}}.csv",
        request=f"{REQUEST_DIR}/{{name}}.csv",
        dataset=DATASET,
        code=code("forecast_figure.py"),
    output:
        png=tracked(f"{OUT}/forecasts/{{name}}.png", kind="result"),
    log:
        f"logs/{OUT}/forecasts/{{name}}_figure.log",
    wildcard_constraints:
        name="|".join(re.escape(n) for n in FORECASTS) or "^$",
    conda:
        SOFTWARE_ENV
    script:
        "../scripts/forecast_figure.py"
