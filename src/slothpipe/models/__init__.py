"""Sloth and its baselines (paper §3, §4.2), interpretation (App. A.1) and compute-optimal allocation (§4.6).

Public API
----------
* :class:`SlothRegressor`, :class:`PerBenchmarkLaw` (:mod:`.laws`) and :class:`PCAFlopsRegressor`
  (:mod:`.pca_flops`): scikit-learn-style estimators on X = [log params, log tokens].
* :mod:`.registry`: ``METHODS`` (the paper's 28 methods), ``CHANCE_LEVELS`` and ``fit_predict``, the
  per-fold entry point of the evaluation stage.
* :mod:`.interpret`: ``interpret`` (whiten, geomin-oblique rotation, sign fix, centring), ``geomin_oblique``,
  ``name_skills``.
* :mod:`.compute_optimal`: ``optimal_allocation``, ``budget_grid``.
"""

from slothpipe.models.compute_optimal import Allocation, budget_grid, optimal_allocation
from slothpipe.models.interpret import Interpretation, geomin_oblique, interpret, name_skills
from slothpipe.models.laws import PerBenchmarkLaw, SlothRegressor, log_flops, translog_design
from slothpipe.models.pca_flops import PCAFlopsRegressor
from slothpipe.models.registry import CHANCE_LEVELS, METHODS, MethodSpec, chance_levels, fit_predict

__all__ = [
    "CHANCE_LEVELS",
    "METHODS",
    "Allocation",
    "Interpretation",
    "MethodSpec",
    "PCAFlopsRegressor",
    "PerBenchmarkLaw",
    "SlothRegressor",
    "budget_grid",
    "chance_levels",
    "fit_predict",
    "geomin_oblique",
    "interpret",
    "log_flops",
    "name_skills",
    "optimal_allocation",
    "translog_design",
]
