"""Snakemake script: one forecast request of config/forecasts/ with calibrated intervals."""

import logging

from slothpipe.forecast.engine import FLOAT_FORMAT, forecast
from slothpipe.forecast.new_models import check_request, read_request, resolve_leaderboard
from slothpipe.forecast.validation import default_method
from slothpipe.io import write_csv
from slothpipe.models.fitting import FitOptions
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    options = snakemake.params.options
    source = snakemake.input.request
    frame = read_request(source)
    request = check_request(frame, resolve_leaderboard(options["leaderboard"], frame, source), source)
    method = options["method"]
    if method == "best":
        method = default_method(pd.read_csv(snakemake.input.validation))
    result = forecast(
        request,
        pd.read_parquet(snakemake.input.dataset),
        pd.read_parquet(snakemake.input.predictions),
        method=method,
        level=options["level"],
        exclude_families=options["exclude_families"],
        options=FitOptions(random_state=options["random_state"], n_restarts=options["n_restarts"]),
    )
    log = logging.getLogger("slothpipe.forecast")
    for note in result.notes:
        log.info(note)
    log.info("method %s, fit on %d models", method, len(result.training))
    write_csv(result.table, snakemake.output.csv, float_format=FLOAT_FORMAT)


run(main, snakemake)
