"""slothpipe: a reproducible pipeline for Sloth skill scaling laws and their baselines."""

import os as _os

# Pin BLAS/OpenMP threads before numpy is imported anywhere in this process, so that every fit is
# bit-identical whatever the machine's core count.  A caller that really wants more threads can set
# these variables explicitly before importing slothpipe.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    _os.environ.setdefault(_var, "1")

__version__ = "0.1.0"

# Names served lazily from :mod:`slothpipe.api` (``from slothpipe import Sloth``, PEP 562), so that importing
# a submodule of the package does not import pandas and the model code.  The workflow's code inputs
# (slothpipe.code_inputs) read this mapping: only a script that takes one of these names depends on the API.
_EXPORTS = {
    "slothpipe.api": (
        "LEADERBOARD_V1",
        "LEADERBOARD_V2",
        "Flops",
        "PCAFlops",
        "SizeAndTokens",
        "Sloth",
        "SlothBasic",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str):
    if name in _MODULE_OF:
        import importlib

        return getattr(importlib.import_module(_MODULE_OF[name]), name)
    raise AttributeError(f"module 'slothpipe' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])
