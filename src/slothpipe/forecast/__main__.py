"""Forecast a new family's models: ``python -m slothpipe.forecast NEW.csv --leaderboard v1 --out OUT.csv``.

Reads the request (:mod:`slothpipe.forecast.new_models`), fits the method on the tracked dataset plus the
request's known models, and writes one row per target and benchmark: ``model, benchmark, predicted, lower,
upper, level, method`` (0-1 scale).  The intervals are calibrated on the grid's held-out predictions
(``results/evaluation/predictions.parquet``); their measured coverage is in
``results/tables/forecast_calibration.csv``, which also names the default method (the best pooled interval
score at 90 %).  Bad input stops with one message naming the row and column, and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
import time

from slothpipe.errors import PipelineError
from slothpipe.forecast.engine import FLOAT_FORMAT, forecast
from slothpipe.forecast.new_models import check_request, read_request, resolve_leaderboard, suite_names
from slothpipe.forecast.validation import default_method
from slothpipe.io import write_csv
from slothpipe.models.fitting import FitOptions

import pandas as pd

DATASET = "results/data/dataset.parquet"
PREDICTIONS = "results/evaluation/predictions.parquet"
VALIDATION = "results/tables/forecast_calibration.csv"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m slothpipe.forecast",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("request", help="CSV: model, family, params_b, tokens_t, benchmark scores (0-1)")
    p.add_argument(
        "--leaderboard", choices=suite_names(), help="benchmarks to forecast (or the file's column)"
    )
    p.add_argument("--level", type=float, default=0.9, help="nominal coverage of the intervals (default 0.9)")
    p.add_argument(
        "--method", help="method slug (python -m slothpipe.list_methods); default: the validated best"
    )
    p.add_argument(
        "--exclude-family",
        action="append",
        default=[],
        metavar="FAMILY",
        help="drop this original family's dataset models from the fit and the calibration (repeatable)",
    )
    p.add_argument("--out", required=True, help="output CSV")
    p.add_argument("--dataset", default=DATASET, help=f"dataset parquet (default {DATASET})")
    p.add_argument("--calibration", default=PREDICTIONS, help=f"held-out predictions (default {PREDICTIONS})")
    p.add_argument("--validation", default=VALIDATION, help=f"validation table (default {VALIDATION})")
    p.add_argument("--random-state", type=int, default=0, help="seed of the fit (as evaluation.random_state)")
    p.add_argument(
        "--n-restarts",
        type=int,
        default=None,
        help="random starts of the sigmoid fits (as evaluation.n_restarts)",
    )
    return p


def _read(path: str, what: str, reader):
    try:
        return reader(path)
    except FileNotFoundError:
        raise PipelineError(
            f"{path}: no such file ({what}); run from the repository root, or pass its path"
        ) from None


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    start = time.perf_counter()
    try:
        frame = read_request(args.request)
        suite = resolve_leaderboard(args.leaderboard, frame, args.request)
        request = check_request(frame, suite, args.request)
        dataset = _read(args.dataset, "the dataset", pd.read_parquet)
        predictions = _read(args.calibration, "the held-out predictions", pd.read_parquet)
        if args.method is None:
            method = default_method(_read(args.validation, "the validation table", pd.read_csv))
            why = f"the best pooled interval score at 90 % in {args.validation}"
        else:
            method, why = args.method, "--method"
        result = forecast(
            request,
            dataset,
            predictions,
            method=method,
            level=args.level,
            exclude_families=args.exclude_family,
            options=FitOptions(random_state=args.random_state, n_restarts=args.n_restarts),
        )
    except (PipelineError, ValueError) as exc:
        print(f"slothpipe.forecast: error: {exc}", file=sys.stderr)
        return 2
    for column in request.ignored_columns:
        print(f"note: column {column!r} is not a benchmark of leaderboard {suite}: ignored")
    for note in result.notes:
        print(f"note: {note}")
    print(f"method: {method} ({why}); leaderboard {suite}; level {args.level:g}")
    print(
        f"fit on {len(result.training)} models ({len(request.known)} known model(s) from {args.request}), "
        f"setting of {result.n_train_models} known model(s) per family"
    )
    write_csv(result.table, args.out, float_format=FLOAT_FORMAT)
    print(f"wrote {len(result.table)} forecasts to {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
