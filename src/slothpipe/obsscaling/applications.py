"""Ruan et al.'s three applications (their §4; ObsScaling code): per target, split, fit each predictor, score.

An application's design comes from ``config["obsscaling"]["applications"][name]`` (validated by the
workflow schema) and is turned into one :class:`TargetSpec` per target by :func:`target_specs`.  For each
target, :func:`target_frame` joins the benchmark and target tables, normalises y and drops rows without it;
:func:`split_rows` gives the training mask (and, for a rank split, the ranked row order the authors' code
fits in); :func:`fit_target` fits the compute baselines (ln size, ln FLOPs) and PC1 … PC1-k on the training
rows only and returns the per-model predictions, the per-predictor summary and the effective metric weights.
:func:`sweep_target` repeats the fits over a range of rank-split test ratios (the notebook's cutoff sweep).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from slothpipe.errors import ConfigError, DataError
from slothpipe.obsscaling.method import (
    ObservationalScalingLaw,
    PCAImputer,
    SigmoidLinkRegressor,
    area_under_error,
    equivalent_scale,
    log_compute,
    mse,
    split_by_cutoff,
    split_by_rank,
    to_equivalent,
)
from slothpipe.obsscaling.readers import EVAL_BASE_FAMILIES, EVAL_BASE_FAMILIES_WITH_FLOPS

import numpy as np
import pandas as pd

#: Which models an application uses: (benchmark table, target table, family filter).
MODEL_SETS = {
    "base_evaluated": ("base", EVAL_BASE_FAMILIES),
    "base_with_flops": ("base", EVAL_BASE_FAMILIES_WITH_FLOPS),
    "instruct": ("instruct", None),
}
BASELINES = {"size": "params_b", "flops": "flops_1e21"}
PREDICTION_COLUMNS = [
    "application",
    "target",
    "predictor",
    "model",
    "family",
    "role",
    "y",
    "prediction",
    "score",
    "x_equiv",
]
SUMMARY_COLUMNS = [
    "application",
    "target",
    "predictor",
    "n_train",
    "n_test",
    "mse_train",
    "mse_test",
    "intercept",
    "floor",
    "equiv_slope",
    "equiv_intercept",
]


@dataclass(frozen=True)
class TargetSpec:
    """One target of one application, with every setting its fits need."""

    application: str
    target: str
    label: str
    table: str
    models: str
    metrics: tuple[str, ...]
    y_range: tuple[float, float] | None
    split: str  # "cutoff" or "rank"
    threshold: float | None = None
    test_limit: float | None = None
    link: str = "sigmoid"
    loss: str = "huber"
    huber_delta: float = 1.0
    reference_family: str = "Llama-2"
    baselines: tuple[str, ...] = ()
    n_pcs: tuple[int, ...] = (1, 2, 3, 4)
    fit_kwargs: dict = field(default_factory=dict, compare=False)

    @property
    def predictors(self) -> list[str]:
        return [*self.baselines, *(pc_name(k) for k in self.n_pcs)]


def pc_name(k: int) -> str:
    """Predictor name of the first k PCs: ``pc1``, ``pc1-2``, …"""
    return "pc1" if k == 1 else f"pc1-{k}"


def target_specs(obs_config: dict, application: str) -> list[TargetSpec]:
    """The targets of ``application`` from the ``obsscaling`` config section, in config order."""
    apps = obs_config["applications"]
    if application not in apps:
        raise ConfigError(f"obsscaling.applications: no application {application!r}")
    app = apps[application]
    metric_sets = obs_config["metric_sets"]
    specs = []
    for target, t in app["targets"].items():
        split = {**app["split"], **t.get("split", {})}
        metrics = t.get("metrics", app["metrics"])
        if metrics not in metric_sets:
            raise ConfigError(
                f"obsscaling.applications.{application}.targets.{target}: no metric set {metrics!r}"
            )
        rng = t.get("range", None)
        specs.append(
            TargetSpec(
                application=application,
                target=target,
                label=t["label"],
                table=app["table"],
                models=app["models"],
                metrics=tuple(metric_sets[metrics]),
                y_range=None if rng is None else (float(rng[0]), float(rng[1])),
                split=split["method"],
                threshold=split.get("threshold"),
                test_limit=split.get("test_limit"),
                link=app["link"],
                loss=app["loss"],
                huber_delta=float(app.get("huber_delta", 1.0)),
                reference_family=app["reference_family"],
                baselines=tuple(app.get("baselines", [])),
                n_pcs=tuple(obs_config["n_pcs"]),
                fit_kwargs={
                    "init_weight": float(obs_config["init_weight"]),
                    "impute_max_iter": int(obs_config["imputation"]["max_iter"]),
                    "impute_tol": float(obs_config["imputation"]["tol"]),
                },
            )
        )
    return specs


def application_frame(tables: dict[str, pd.DataFrame], spec: TargetSpec) -> pd.DataFrame:
    """Benchmark rows of the application's models joined (inner, benchmark-table order) with the targets."""
    bench_name, families = MODEL_SETS[spec.models]
    bench = tables[bench_name]
    if families is not None:
        bench = bench[bench["family"].isin(families)]
    targets = tables[spec.table]
    if spec.target not in targets.columns:
        raise DataError(f"{spec.table} table: no target column {spec.target!r}")
    missing = [m for m in spec.metrics if m not in bench.columns]
    if missing:
        raise DataError(f"{bench_name} table: no metric column(s) {missing}")
    return bench.merge(targets[["model", spec.target]], on="model", how="inner", validate="one_to_one")


def target_frame(tables: dict[str, pd.DataFrame], spec: TargetSpec) -> pd.DataFrame:
    """The application frame with ``y`` (min-max normalised over ``y_range``, or raw) and no NaN y."""
    frame = application_frame(tables, spec)
    y = frame[spec.target].astype(float)
    if spec.y_range is not None:
        lo, hi = spec.y_range
        y = (y - lo) / (hi - lo)
    frame = frame.assign(y=y)
    return frame[frame["y"].notna()].reset_index(drop=True)


def split_rows(frame: pd.DataFrame, spec: TargetSpec, test_limit: float | None = None) -> pd.DataFrame:
    """The frame in fitting order with a boolean ``train`` column.

    Cutoff split: FLOPs ≤ threshold trains (inclusive; NaN FLOPs test), file order kept.  Rank split on y:
    the top ``test_limit`` (ratio or count) test, rows reordered by rank as the authors' ``sort_values``.
    """
    if spec.split == "cutoff":
        return frame.assign(train=split_by_cutoff(frame["flops_1e21"], spec.threshold))
    if spec.split == "rank":
        limit = spec.test_limit if test_limit is None else test_limit
        order, train = split_by_rank(frame["y"], limit)
        return frame.assign(train=train).iloc[order].reset_index(drop=True)
    raise ConfigError(f"obsscaling: unknown split method {spec.split!r}")


def _regressor(spec: TargetSpec) -> SigmoidLinkRegressor:
    return SigmoidLinkRegressor(
        link=spec.link,
        loss=spec.loss,
        huber_delta=spec.huber_delta,
        init_weight=spec.fit_kwargs["init_weight"],
    )


def _law(spec: TargetSpec, k: int) -> ObservationalScalingLaw:
    imputer = PCAImputer(max_iter=spec.fit_kwargs["impute_max_iter"], tol=spec.fit_kwargs["impute_tol"])
    return ObservationalScalingLaw(k, imputer=imputer, regressor=_regressor(spec))


def fit_rows(rows: pd.DataFrame, spec: TargetSpec, predictor: str):
    """Fit one predictor on ``rows`` (a :func:`split_rows` frame); return (used rows, regressor-like, X).

    Baselines use ln(x + 1e-9) of size or FLOPs and drop rows where it is NaN (train and test alike, as the
    authors); PCs keep every row.  The returned object has ``predict`` and ``decision_function`` on X.
    """
    train = rows["train"].to_numpy()
    y = rows["y"].to_numpy(float)
    if predictor in BASELINES:
        x = log_compute(rows[BASELINES[predictor]].to_numpy(float))
        ok = np.isfinite(x)
        used = rows[ok].reset_index(drop=True)
        X = x[ok][:, None]
        model = _regressor(spec).fit(X[train[ok]], y[ok][train[ok]])
        return used, model, X
    k = _pcs_of(predictor)
    M = rows[list(spec.metrics)].to_numpy(float)
    model = _law(spec, k).fit(M[train], y[train])
    return rows, model, M


def _pcs_of(predictor: str) -> int:
    if predictor == "pc1":
        return 1
    if predictor.startswith("pc1-"):
        return int(predictor[4:])
    raise ValueError(f"unknown predictor {predictor!r}")


def _summary(spec, predictor, used, pred, intercept, floor, w_e=np.nan, b_e=np.nan) -> dict:
    train = used["train"].to_numpy()
    y = used["y"].to_numpy(float)
    return {
        "application": spec.application,
        "target": spec.target,
        "predictor": predictor,
        "n_train": int(train.sum()),
        "n_test": int((~train).sum()),
        "mse_train": mse(y[train], pred[train]),
        "mse_test": mse(y[~train], pred[~train]),
        "intercept": intercept,
        "floor": floor,
        "equiv_slope": w_e,
        "equiv_intercept": b_e,
    }


def _predictions(spec, predictor, used, pred, score, x_equiv) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "application": spec.application,
            "target": spec.target,
            "predictor": predictor,
            "model": used["model"].to_numpy(),
            "family": used["family"].to_numpy(),
            "role": np.where(used["train"].to_numpy(), "train", "test"),
            "y": used["y"].to_numpy(float),
            "prediction": pred,
            "score": score,
            "x_equiv": x_equiv,
        }
    )


def fit_target(tables: dict[str, pd.DataFrame], spec: TargetSpec):
    """Every predictor of one target at its configured split.

    Returns (predictions, summary, weights): per-model predictions (:data:`PREDICTION_COLUMNS`; ``score`` is
    the linear score C = c + w·x, ``x_equiv`` the model's ln reference-family-equivalent FLOPs for PC
    predictors and ln size / ln FLOPs for the baselines), one summary row per predictor
    (:data:`SUMMARY_COLUMNS`) and the effective weights of the PC fits on the raw metrics.
    """
    rows = split_rows(target_frame(tables, spec), spec)
    preds, summary, weights = [], [], []
    for predictor in spec.predictors:
        used, model, X = fit_rows(rows, spec, predictor)
        pred = model.predict(X)
        score = model.decision_function(X)
        reg = model if predictor in BASELINES else model.regressor_
        if predictor in BASELINES:
            summary.append(_summary(spec, predictor, used, pred, reg.intercept_, reg.floor_))
            x_equiv = X[:, 0]
        else:
            ref = (used["family"] == spec.reference_family).to_numpy()
            flops = used["flops_1e21"].to_numpy(float)
            w_e, b_e = equivalent_scale(score[ref], np.log(flops[ref]))
            x_equiv = to_equivalent(score, w_e, b_e)
            summary.append(_summary(spec, predictor, used, pred, reg.intercept_, reg.floor_, w_e, b_e))
            weights.append(
                pd.DataFrame(
                    {
                        "application": spec.application,
                        "target": spec.target,
                        "predictor": predictor,
                        "metric": list(spec.metrics),
                        "weight": model.metric_weights_,
                    }
                )
            )
        preds.append(_predictions(spec, predictor, used, pred, score, x_equiv))
    return (
        pd.concat(preds, ignore_index=True),
        pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        pd.concat(weights, ignore_index=True) if weights else pd.DataFrame(),
    )


def sweep_ratios(start: float, stop: float, num: int) -> np.ndarray:
    """The notebook's test ratios ``np.linspace(start, stop, num)``."""
    return np.linspace(float(start), float(stop), int(num))


def sweep_target(
    tables: dict[str, pd.DataFrame], spec: TargetSpec, ratios: Sequence[float], predictors: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test MSE of every predictor at every rank-by-y test ratio, and its area under the curve (AUE).

    The fixed split of the spec is replaced by a rank split on y (the notebook's ``rank_by_y_metric``).  A fit
    that raises (e.g. too few training rows) is recorded as NaN and skipped by the AUE, as the authors'
    sweep skips failed fits.  Returns (curve rows: application, target, predictor, ratio, n_train, n_test,
    mse_test; AUE rows: application, target, predictor, aue).
    """
    frame = target_frame(tables, spec)
    rank_spec = _with_split(spec, "rank")
    curve, aue = [], []
    for predictor in predictors:
        errors = []
        for ratio in ratios:
            rows = split_rows(frame, rank_spec, test_limit=float(ratio))
            try:
                used, model, X = fit_rows(rows, rank_spec, predictor)
                pred = model.predict(X)
                train = used["train"].to_numpy()
                y = used["y"].to_numpy(float)
                err, n_train, n_test = mse(y[~train], pred[~train]), int(train.sum()), int((~train).sum())
            except (ValueError, np.linalg.LinAlgError, RuntimeError):
                err, n_train, n_test = np.nan, 0, 0
            errors.append(err)
            curve.append(
                {
                    "application": spec.application,
                    "target": spec.target,
                    "predictor": predictor,
                    "ratio": float(ratio),
                    "n_train": n_train,
                    "n_test": n_test,
                    "mse_test": err,
                }
            )
        aue.append(
            {
                "application": spec.application,
                "target": spec.target,
                "predictor": predictor,
                "aue": area_under_error(ratios, errors),
            }
        )
    return pd.DataFrame(curve), pd.DataFrame(aue)


def _with_split(spec: TargetSpec, split: str) -> TargetSpec:
    from dataclasses import replace

    return replace(spec, split=split, threshold=None)
