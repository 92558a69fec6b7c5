"""DataFrame in, DataFrame out: Sloth and the paper's baselines for notebook use.

>>> from slothpipe import Sloth, LEADERBOARD_V1
>>> sloth = Sloth(benchmarks=LEADERBOARD_V1).fit(train)           # one row per model
>>> sloth.predict(new_models)                                     # one column per benchmark

Each class is a thin layer over the estimators of :mod:`slothpipe.models`: it picks the paper's method from
the method table (:data:`slothpipe.models.methods.METHODS`), fits it on the evaluation folds' fit path
(:func:`slothpipe.models.fitting.fit_methods`: chance floors, seeds, restarts, warm start), and converts
frames to arrays and back.  Its hyper-parameters take the allowed values the estimators declare.  Fitting
the same rows in the same order therefore gives the same predictions as the pipeline's fold jobs.

Frames have one row per model and columns for size (billions of parameters, column ``params_b``), pretraining
tokens (trillions, ``tokens_t``), family (``variant_family``, the family of the paper's experiments) and one
column per benchmark (scores in [0, 1]); the column names are hyper-parameters.  ``fit`` uses the rows that
have a size, tokens, a family and every benchmark (as the pipeline's suites do) and records the others in
``skipped_``.  ``predict`` keeps the index of ``new_models``.

=================  ===========================  ==============================================
class              the paper's name             method-table methods (by ``intercept``/``link``)
=================  ===========================  ==============================================
:class:`Sloth`     Sloth (d=…)                  ``sloth_d{d}``, ``sloth_shared_d{d}``
:class:`SlothBasic` Sloth basic (d=…)           ``sloth_basic_d{d}``, ``sloth_basic_shared_d{d}``
:class:`PCAFlops`  PCA + FLOPs (d=…)            ``pca_flops_d{d}``
:class:`Flops`     FLOPs, FLOPs (shared int.)   ``flops``, ``flops_shared``, ``flops_link``, …
:class:`SizeAndTokens` Size and Tokens          ``size_tokens``, ``size_tokens_basic``, …
=================  ===========================  ==============================================
"""

from __future__ import annotations

import dataclasses
from dataclasses import KW_ONLY
from pathlib import Path
from typing import ClassVar

from slothpipe.leaderboards import benchmarks_of, leaderboard
from slothpipe.models._params import Estimator, hyperparameters
from slothpipe.models.fitting import FitOptions, fit_methods, make_estimator, warm_start_chain
from slothpipe.models.laws import PerBenchmarkLaw, SlothRegressor
from slothpipe.models.methods import CHANCE_LEVELS, METHODS, MethodSpec
from slothpipe.models.pca_flops import PCAFlopsRegressor

import numpy as np
import pandas as pd

#: The six Open LLM Leaderboard v1 benchmarks (dataset column names, in ``config.yaml``'s suite order).
LEADERBOARD_V1 = benchmarks_of(leaderboard("v1").key)
#: The six Open LLM Leaderboard v2 benchmarks.
LEADERBOARD_V2 = benchmarks_of(leaderboard("v2").key)

#: The method table has methods for d = 1..4; a larger d reuses the d = 4 method with more skills.
_MAX_TABLE_D = 4
#: The allowed values of the hyper-parameters the API shares with the estimators it builds (declared there)
_SLOTH = SlothRegressor._parameter_constraints
_LAW = PerBenchmarkLaw._parameter_constraints
_PCA = PCAFlopsRegressor._parameter_constraints


@hyperparameters
class _FrameModel(Estimator):
    """Shared frame handling and hyper-parameters (declared here, keyword-only; documented in :class:`Sloth`);
    subclasses add their own and choose the method-table method (:meth:`_method`)."""

    _: KW_ONLY
    benchmarks: object = None
    size: str = "params_b"
    tokens: str = "tokens_t"
    family: str = "variant_family"
    chance: object = None
    n_restarts: int | None = None
    random_state: int = 0

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "benchmarks": ["no_validation"],  # the columns and the data are checked in fit
        "size": ["no_validation"],
        "tokens": ["no_validation"],
        "family": ["no_validation"],
        "chance": ["no_validation"],
        "n_restarts": FitOptions._parameter_constraints["n_restarts"],
        "random_state": FitOptions._parameter_constraints["random_state"],
    }
    _fitted_attribute = "estimator_"

    # -- to be provided by subclasses ----------------------------------------------------------------------
    def _method(self) -> tuple[str, int | None]:
        """(method slug, the number of skills/components when it is not the slug's own, else None)."""
        raise NotImplementedError

    def _n_train_models(self) -> int:
        """The method table's setting to build the estimator: 2 (family slopes, the paper's setting with two
        training models per held-out family) for the models with a ``family_slopes`` parameter set, else 1."""
        return 2 if getattr(self, "family_slopes", False) else 1

    # -- helpers -------------------------------------------------------------------------------------------
    def _specs(self) -> list[MethodSpec]:
        """The method-table specs to fit, warm-start ancestors first, adapted to a d beyond the table's."""
        slug, d = self._method()
        specs = []
        for fit in warm_start_chain([slug]):
            spec = METHODS[fit.name]
            if d is not None:

                def rename(slug: str | None, d: int = d) -> str | None:
                    return None if slug is None else slug.removesuffix(f"d{_MAX_TABLE_D}") + f"d{d}"

                spec = dataclasses.replace(
                    spec,
                    name=rename(spec.name),
                    label=spec.label.replace(f"(d={_MAX_TABLE_D})", f"(d={d})"),
                    warm_start=rename(spec.warm_start),
                    settings={**spec.settings, spec.dimension: d},
                )
            specs.append(spec)
        return specs

    def _uses_families(self, spec: MethodSpec) -> bool:
        est = make_estimator(spec, chance=None, n_train_models=self._n_train_models())
        return est.needs_families

    def _frame(self, df, what: str) -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(
                f"{what} must be a pandas DataFrame with one row per model, got {type(df).__name__}"
            )
        return df

    def _require(self, df: pd.DataFrame, columns, what: str) -> None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise ValueError(
                f"{what} has no column(s) {', '.join(repr(c) for c in missing)} "
                f"(its columns: {', '.join(repr(c) for c in df.columns)}); name yours with the "
                "size=, tokens=, family= or benchmarks= arguments"
            )

    def _covariates(self, df: pd.DataFrame, what: str) -> np.ndarray:
        """[log size, log tokens] of every row; a missing, non-numeric or non-positive value is an error."""
        out = []
        for col in (self.size, self.tokens):
            values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(values) | (values <= 0)
            if bad.any():
                i = int(np.argmax(bad))
                value = df[col].iloc[i]
                value = value.item() if isinstance(value, np.generic) else value
                raise ValueError(
                    f"{what}: row {df.index[i]!r}, column {col!r} has {value!r}; sizes and token "
                    "counts must be positive numbers (billions of parameters, trillions of tokens)"
                )
            out.append(np.log(values))
        return np.column_stack(out)

    def _scores(self, df: pd.DataFrame, benchmarks: list[str]) -> pd.DataFrame:
        """The benchmark columns as floats; NaN/None is missing, anything else must be a score in [0, 1]."""
        raw = df[benchmarks]
        scores = raw.apply(pd.to_numeric, errors="coerce").astype(float)
        with np.errstate(invalid="ignore"):
            bad = (raw.notna() & scores.isna()) | (scores < 0) | (scores > 1) | np.isinf(scores)
        if bad.to_numpy().any():
            i, j = (int(k) for k in np.argwhere(bad.to_numpy())[0])
            value = raw.iloc[i, j]
            value = value.item() if isinstance(value, np.generic) else value
            raise ValueError(
                f"fit's data: row {df.index[i]!r}, column {benchmarks[j]!r} has {value!r}; scores must be "
                f"numbers in [0, 1] (percentages divided by 100) or missing; {int(bad.to_numpy().sum())} "
                "bad value(s) in total"
            )
        return scores

    def _chance(self, benchmarks: list[str]) -> np.ndarray:
        levels = dict(CHANCE_LEVELS)
        if self.chance is not None:
            levels.update({str(k): float(v) for k, v in dict(self.chance).items()})
        unknown = [b for b in benchmarks if b not in levels]
        if unknown:
            raise ValueError(
                f"no chance level for benchmark(s) {', '.join(repr(b) for b in unknown)}: pass "
                "chance={name: floor} (0 for open-ended tasks); known: " + ", ".join(CHANCE_LEVELS)
            )
        return np.array([levels[b] for b in benchmarks], dtype=float)

    # -- the estimator API ---------------------------------------------------------------------------------
    def fit(self, df):
        """Fit on a frame with one row per model; rows lacking a size, tokens, family or score are skipped."""
        self._validate_params()
        df = self._frame(df, "fit's data")
        specs = self._specs()
        spec = specs[-1]
        needs_family = any(self._uses_families(s) for s in specs)
        if self.benchmarks is None:
            benchmarks = [b for b in CHANCE_LEVELS if b in df.columns]
            if not benchmarks:
                raise ValueError(
                    "fit's data has no benchmark column of the leaderboards "
                    f"({', '.join(CHANCE_LEVELS)}); name yours with benchmarks=[...]"
                )
        else:
            benchmarks = [self.benchmarks] if isinstance(self.benchmarks, str) else list(self.benchmarks)
            if not benchmarks or len(set(benchmarks)) != len(benchmarks):
                raise ValueError(f"benchmarks must be distinct column names, got {self.benchmarks!r}")
        design = [self.size, self.tokens, *([self.family] if needs_family else [])]
        self._require(df, [*design, *benchmarks], "fit's data")
        scores = self._scores(df, benchmarks)
        complete = scores.notna().all(axis=1) & df[design].notna().all(axis=1)
        if not complete.any():
            raise ValueError(
                f"fit's data has no row with {', '.join(design)} and all of {', '.join(benchmarks)}"
            )
        train = df[complete]
        chance = self._chance(benchmarks)
        X = self._covariates(train, "fit's data")
        Y = scores[complete].to_numpy(dtype=float)
        families = train[self.family].astype(str).to_numpy() if needs_family else None
        options = FitOptions(random_state=self.random_state, n_restarts=self.n_restarts)
        fitted = fit_methods(
            specs, X, Y, families, chance=chance, n_train_models=self._n_train_models(), options=options
        )
        self.estimator_ = fitted[spec.name]
        self.method_ = spec.name
        self.label_ = spec.label
        self.benchmarks_ = benchmarks
        self.families_ = np.unique(families) if needs_family else None
        # per family, the largest log compute (log size + log tokens) of its training models: how far a
        # forecast extrapolates, which the intervals of predict_interval scale with
        self.known_compute_ = (
            pd.Series(X.sum(axis=1), index=train[self.family].astype(str).to_numpy()).groupby(level=0).max()
            if self.family in train.columns
            else None
        )
        self.n_models_ = int(complete.sum())
        self.skipped_ = df.index[~complete.to_numpy()]
        return self

    def _inputs(self, new_models, what: str):
        self._check_fitted()
        df = self._frame(new_models, what)
        needs_family = self.families_ is not None
        self._require(df, [self.size, self.tokens, *([self.family] if needs_family else [])], what)
        X = self._covariates(df, what)
        families = None
        if needs_family:
            families = df[self.family].to_numpy(dtype=object)
            seen = set(self.families_.tolist())
            for i, fam in enumerate(families):
                if pd.isna(fam) or str(fam) not in seen:
                    raise ValueError(
                        f"{what}: row {df.index[i]!r} has family {fam!r}, which had no model in fit's data; "
                        f"{self.label_} predicts a family from at least one of its models (its family "
                        "intercept), so fit on data that includes the family's smallest model"
                    )
            families = families.astype(str)
        return df, X, families

    def predict(self, new_models) -> pd.DataFrame:
        """Predicted scores: one row per row of ``new_models`` (same index), one column per benchmark."""
        df, X, families = self._inputs(new_models, "predict's data")
        Y = self.estimator_.predict(X, families)
        return pd.DataFrame(Y, index=df.index, columns=pd.Index(self.benchmarks_, name="benchmark"))

    def predict_interval(
        self, new_models, level: float = 0.9, *, calibration=None, exclude_families=()
    ) -> pd.DataFrame:
        """Predictions with calibrated intervals: one row per model and benchmark, columns ``model, benchmark,
        predicted, lower, upper, level, method`` (0-1 scale), as ``python -m slothpipe.forecast`` writes.

        The intervals come from the pipeline's held-out predictions of the same method
        (``calibration``: that table or its path; default the tracked
        ``results/evaluation/predictions.parquet``), scaled by benchmark and by how far each model's training
        compute lies beyond its family's largest model in fit's data (:mod:`slothpipe.forecast.conformal`);
        their coverage on unseen families is in ``results/tables/forecast_calibration.csv``.
        ``exclude_families`` (original families) leave the calibration, e.g. the family being forecast."""
        from slothpipe.forecast.engine import calibrated, interval_table

        predicted = self.predict(new_models)
        df = new_models
        self._require(df, [self.family], "predict_interval's data")
        families = df[self.family].astype(str).to_numpy()
        unseen = [f for f in families if self.known_compute_ is None or f not in self.known_compute_.index]
        if unseen:
            raise ValueError(
                f"predict_interval's data: family {unseen[0]!r} had no model in fit's data; an interval "
                "scales with the distance from the family's largest known model"
            )
        compute = self._covariates(df, "predict_interval's data").sum(axis=1)
        if calibration is None:
            calibration = _TRACKED_PREDICTIONS
        if not isinstance(calibration, pd.DataFrame):
            calibration = pd.read_parquet(calibration)
        calibrator = calibrated(calibration, self.method_, exclude_families=list(exclude_families))
        return interval_table(
            calibrator,
            predicted.to_numpy(),
            models=df.index.to_numpy(),
            benchmarks=self.benchmarks_,
            log_compute=compute,
            known_log_compute=self.known_compute_[families].to_numpy(),
            level=level,
            method=self.method_,
        )


#: The tracked held-out predictions of the grid (the default calibration of ``predict_interval``).
_TRACKED_PREDICTIONS = Path(__file__).resolve().parents[2] / "results" / "evaluation" / "predictions.parquet"


@hyperparameters
class Sloth(_FrameModel):
    """The paper's Sloth (paper §3): d skills, trainable monotone link per benchmark, learned floors,
    family intercepts, warm-started from Sloth basic.

    Parameters
    ----------
    n_skills : d, the number of latent skills (the paper reports d = 1..4; 3 in its interpretation).
    intercept : ``"family"`` (the paper's Sloth) or ``"shared"`` (its "(shared intercept)" variant).
    benchmarks : score columns (None = every leaderboard benchmark column of the data,
        :data:`~slothpipe.models.methods.CHANCE_LEVELS` order); :data:`LEADERBOARD_V1` and
        :data:`LEADERBOARD_V2` are the paper's suites.
    size, tokens, family : column names of parameters (billions), pretraining tokens (trillions), family.
    chance : ``{benchmark: floor}`` for benchmarks without a built-in chance level (or to override one).
    n_restarts : random starts of the Sloth basic fit (None = the pipeline's default, 3).
    random_state : base seed (as ``evaluation: random_state``).

    Fitted attributes: ``estimator_`` (the fitted :class:`~slothpipe.models.laws.SlothRegressor`),
    ``method_`` (method slug), ``label_`` (the paper's name), ``benchmarks_``, ``families_``,
    ``n_models_`` (training rows used), ``skipped_`` (index of the rows fit left out).
    """

    n_skills: int = 3
    _: KW_ONLY
    intercept: str = "family"

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_FrameModel._parameter_constraints,
        "n_skills": _SLOTH["n_skills"],
        "intercept": _SLOTH["intercept"],
    }
    _basic = False

    def _method(self):
        d = int(self.n_skills)
        stem = "sloth_basic" if self._basic else "sloth"
        shared = "_shared" if self.intercept == "shared" else ""
        return f"{stem}{shared}_d{min(d, _MAX_TABLE_D)}", (d if d > _MAX_TABLE_D else None)

    def skills(self, new_models) -> pd.DataFrame:
        """The fitted skills θ (paper §3): one row per model, columns ``skill 1`` … ``skill d``."""
        df, X, families = self._inputs(new_models, "skills' data")
        theta = self.estimator_.skills(X, families)
        cols = pd.Index([f"skill {k + 1}" for k in range(theta.shape[1])], name="skill")
        return pd.DataFrame(theta, index=df.index, columns=cols)


@hyperparameters
class SlothBasic(Sloth):
    """The paper's "Sloth basic": as :class:`Sloth` with a sigmoid link and chance floors (paper §3)."""

    _basic = True


@hyperparameters
class PCAFlops(_FrameModel):
    """The paper's "PCA + FLOPs" baseline (Ruan et al.'s observational scaling laws as adapted, App. E).

    Parameters
    ----------
    n_components : d, principal components of the scores.
    family_slopes : one log-FLOPs slope per family (the paper's setting with two training models of the
        held-out family) instead of a shared slope.
    benchmarks, size, tokens, family : as :class:`Sloth` (``chance``, ``n_restarts`` and ``random_state``
        are unused: the fit is closed-form).

    Fitted attributes as :class:`Sloth`; ``estimator_`` is a :class:`~slothpipe.models.PCAFlopsRegressor`.
    Predictions are not clipped to [0, 1].
    """

    n_components: int = 3
    _: KW_ONLY
    family_slopes: bool = False

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_FrameModel._parameter_constraints,
        "n_components": _PCA["n_components"],
        "family_slopes": _PCA["family_slopes"],
    }

    def _method(self):
        d = int(self.n_components)
        return f"pca_flops_d{min(d, _MAX_TABLE_D)}", (d if d > _MAX_TABLE_D else None)


@hyperparameters
class Flops(_FrameModel):
    """The paper's "FLOPs" laws: one sigmoid law in log FLOPs per benchmark (paper §4.2).

    The Sloth code's ``methods_names`` 0–3.

    Parameters
    ----------
    intercept : ``"family"`` ("FLOPs") or ``"shared"`` ("FLOPs (shared intercept)").
    link : ``"sigmoid"`` (as plotted in the paper) or ``"monotone"`` (the trainable-link variants the authors
        fitted but did not plot).
    family_slopes : one slope per family (the paper's setting with two training models per held-out family).
    benchmarks, size, tokens, family, chance, n_restarts, random_state : as :class:`Sloth`.

    ``estimator_`` is a :class:`~slothpipe.models.PerBenchmarkLaw`.
    """

    _: KW_ONLY
    intercept: str = "family"
    link: str = "sigmoid"
    family_slopes: bool = False

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_FrameModel._parameter_constraints,
        "intercept": _LAW["intercept"],
        "link": _LAW["link"],
        "family_slopes": _LAW["family_slopes"],
    }

    def _method(self):
        shared = "_shared" if self.intercept == "shared" else ""
        return f"flops{shared}{'_link' if self.link == 'monotone' else ''}", None


@hyperparameters
class SizeAndTokens(_FrameModel):
    """The paper's "Size and Tokens" law: Sloth with one skill per benchmark (Λ = I; paper §4.2).

    The Sloth code's ``methods_names`` 4–7.

    Parameters
    ----------
    intercept : ``"family"`` (the paper's) or ``"shared"``.
    link : ``"monotone"`` (the paper's, warm-started from the sigmoid fit) or ``"sigmoid"`` with chance
        floors ("Size and Tokens basic").
    benchmarks, size, tokens, family, chance, n_restarts, random_state : as :class:`Sloth`.
    """

    _: KW_ONLY
    intercept: str = "family"
    link: str = "monotone"

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_FrameModel._parameter_constraints,
        "intercept": _LAW["intercept"],
        "link": _LAW["link"],
    }

    def _method(self):
        basic = "_basic" if self.link == "sigmoid" else ""
        shared = "_shared" if self.intercept == "shared" else ""
        return f"size_tokens{basic}{shared}", None


__all__ = ["LEADERBOARD_V1", "LEADERBOARD_V2", "Flops", "PCAFlops", "SizeAndTokens", "Sloth", "SlothBasic"]
