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

import importlib

# Names are loaded from their modules on first use (PEP 562), so that a table or figure that only needs the
# method table (``slothpipe.models.methods``) neither imports nor depends on the fitting engine.  The
# workflow's code inputs (slothpipe.code_inputs) read this mapping: a script that takes a name from here
# depends on the module that serves it, and only on that one.
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
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])


__all__ = sorted(_MODULE_OF)
