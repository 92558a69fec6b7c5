"""Snakemake script: a forecast against compute, per benchmark."""

from pathlib import Path

from slothpipe.forecast.charts import forecast_figure
from slothpipe.forecast.new_models import read_request
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run

import pandas as pd


def main(snakemake):
    table = pd.read_csv(snakemake.input.forecast)
    benchmarks = list(dict.fromkeys(table["benchmark"]))
    request = read_request(snakemake.input.request)
    dataset = pd.read_parquet(snakemake.input.dataset)
    title = f"{Path(snakemake.input.request).stem}: {table['method'].iloc[0]}"
    save_and_close(forecast_figure(table, request, dataset, benchmarks, title), snakemake.output.png)


run(main, snakemake)
