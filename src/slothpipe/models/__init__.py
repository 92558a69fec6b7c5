"""Sloth and its baselines (paper §3, §4.2): the estimators, the method table and the per-fold fit.

Public API
----------
* :class:`SlothRegressor`, :class:`PerBenchmarkLaw` (:mod:`.laws`) and :class:`PCAFlopsRegressor`
  (:mod:`.pca_flops`): scikit-learn-style estimators on X = [log params, log tokens].
* :mod:`.methods`: ``METHODS`` (the paper's 28 methods) and ``CHANCE_LEVELS``: plain data.
* :mod:`.fitting`: ``fit_methods``, the one fit path (warm-start chains) of the evaluation stage, the API
  and the forecasts; ``fit_predict``, the per-fold entry point; ``FitOptions``, their settings.

Interpretation of fitted skills (rotation, names, compute-optimal allocation) is
:mod:`slothpipe.interpretation`.
"""

from slothpipe.lazy_exports import lazy_exports

# Names are loaded from their modules on first use (PEP 562), so that a table or figure that only needs the
# method table (``slothpipe.models.methods``) neither imports nor depends on the fitting engine.  The
# workflow's code inputs read this map (slothpipe.lazy_exports).
_EXPORTS = {
    "slothpipe.models.fitting": (
        "FitOptions",
        "fit_methods",
        "fit_predict",
        "make_estimator",
        "warm_start_chain",
    ),
    "slothpipe.models.laws": ("PerBenchmarkLaw", "SlothRegressor", "log_flops", "translog_design"),
    "slothpipe.models.methods": ("CHANCE_LEVELS", "METHODS", "MethodSpec", "chance_levels"),
    "slothpipe.models.pca_flops": ("PCAFlopsRegressor",),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
