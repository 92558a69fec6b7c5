"""The interpretation file: one fitted, interpreted skills model as JSON, written once, read by every product.

:func:`interpretation_record` and :func:`write_interpretation` are what the fit job writes;
:func:`read_interpretation` gives the figures and tables a :class:`SkillsResult`.  Kept apart from the
products (:mod:`slothpipe.interpretation.products`) so that the fit job runs the fit's and the file's code
alone: a new figure or table re-runs no fit (docs/architecture.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slothpipe.errors import DataError
from slothpipe.interpretation.skills_model import SkillsFit
from slothpipe.io import write_text

import numpy as np
import pandas as pd

FORMAT_VERSION = 1

_MODEL_COLUMNS = ("model", "family", "variant_family", "instruct", "params_b", "tokens_t", "u", "v")


# ------------------------------------------------------------------------------------- interpretation file


def interpretation_record(fit: SkillsFit, settings: dict[str, Any]) -> dict[str, Any]:
    """A JSON-ready dict of a fitted, interpreted skills model; ``settings`` records how it was made."""
    it = fit.interpretation
    model = fit.model
    frame = fit.frame
    rows = []
    for r in frame[list(_MODEL_COLUMNS)].itertuples(index=False):
        rows.append(
            {
                "model": str(r.model),
                "family": str(r.family),
                "variant_family": str(r.variant_family),
                "instruct": bool(r.instruct),
                "params_b": float(r.params_b),
                "tokens_t": float(r.tokens_t),
                "u": float(r.u),
                "v": float(r.v),
            }
        )
    search = fit.rotation_search
    return {
        "format_version": FORMAT_VERSION,
        "settings": dict(settings),
        "n_skills": int(it.loadings.shape[0]),
        "benchmarks": list(fit.benchmarks),
        "names": list(fit.names),
        "anchor": int(it.anchor),
        "fit": {
            "train_mae": float(model.train_mae_),
            "loss": float(model.loss_),
            "restart_losses": [float(x) for x in model.restart_losses_],
        },
        "rotation_search": None
        if search is None
        else {
            "criteria": search.criteria,
            "chosen": search.chosen,
            "tol": search.tol,
            "max_iter": search.max_iter,
        },
        "loadings": it.loadings.tolist(),
        "coef_names": list(it.coef_names),
        "coefficients": it.coefficients.tolist(),
        "bias": it.bias.tolist(),
        "floors": model.floors_.tolist(),
        "translation": it.translation.tolist(),
        "rotation": it.rotation.tolist(),
        "whitening": it.whitening.tolist(),
        "skill_correlation": it.skill_correlation.tolist(),
        "families": [str(f) for f in it.families],
        "models": rows,
        "skills": it.skills.tolist(),
    }


def write_interpretation(record: dict[str, Any], path: str | Path) -> None:
    """Write an interpretation record as sorted-key JSON (floats in shortest round-trip form: exact)."""
    write_text(json.dumps(record, indent=1, sort_keys=True, allow_nan=False) + "\n", path)


@dataclass(frozen=True)
class SkillsResult:
    """An interpretation file, loaded: named loadings, coefficients, skills and the training rows."""

    record: dict[str, Any]
    path: str

    @property
    def names(self) -> list[str]:
        return list(self.record["names"])

    @property
    def benchmarks(self) -> list[str]:
        return list(self.record["benchmarks"])

    @property
    def models(self) -> pd.DataFrame:
        return pd.DataFrame(self.record["models"], columns=list(_MODEL_COLUMNS))

    @property
    def loadings(self) -> pd.DataFrame:
        """d×J loadings, rows = skill names, columns = benchmarks."""
        return pd.DataFrame(self.record["loadings"], index=self.names, columns=self.benchmarks)

    @property
    def coefficients(self) -> pd.DataFrame:
        """(3 + f)×d rotated coefficients: rows u, v, u·v then one per family; columns = skill names."""
        return pd.DataFrame(self.record["coefficients"], index=self.record["coef_names"], columns=self.names)

    @property
    def slopes(self) -> pd.DataFrame:
        """The translog rows (log params, log tokens, interaction) of :attr:`coefficients`."""
        return self.coefficients.iloc[:3]

    @property
    def skills(self) -> pd.DataFrame:
        """Centred rotated skills of the training rows (index = model id)."""
        return pd.DataFrame(self.record["skills"], index=self.models["model"], columns=self.names)

    @property
    def skill_correlation(self) -> pd.DataFrame:
        return pd.DataFrame(self.record["skill_correlation"], index=self.names, columns=self.names)

    def eta(self) -> np.ndarray:
        """Linear predictor of the training rows, η = skills · loadings + bias (n×J)."""
        return np.asarray(self.record["skills"]) @ np.asarray(self.record["loadings"]) + np.asarray(
            self.record["bias"]
        )

    def predict(self) -> pd.DataFrame:
        """Predicted scores γ + (1 − γ) σ(η) of the training rows (Sloth basic: sigmoid link)."""
        floors = np.asarray(self.record["floors"])
        mu = floors + (1.0 - floors) / (1.0 + np.exp(-self.eta()))
        return pd.DataFrame(mu, index=self.models["model"], columns=self.benchmarks)


def read_interpretation(path: str | Path) -> SkillsResult:
    """Load an interpretation file written by :func:`write_interpretation`, checking its shape."""
    path = str(path)
    try:
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read the interpretation file ({exc})") from None
    if record.get("format_version") != FORMAT_VERSION:
        raise DataError(f"{path}: format_version {record.get('format_version')!r}, expected {FORMAT_VERSION}")
    d, J, n = record["n_skills"], len(record["benchmarks"]), len(record["models"])
    shapes = {
        "loadings": (d, J),
        "coefficients": (len(record["coef_names"]), d),
        "skills": (n, d),
        "skill_correlation": (d, d),
        "bias": (J,),
        "floors": (J,),
    }
    for key, shape in shapes.items():
        got = np.asarray(record[key], dtype=float).shape
        if got != shape and not (n == 0 and key == "skills"):
            raise DataError(f"{path}: {key!r} has shape {got}, expected {shape}")
    if len(record["names"]) != d:
        raise DataError(f"{path}: {len(record['names'])} skill names for {d} skills")
    return SkillsResult(record, path)
