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

from slothpipe.blas_kernel import pin_openblas_kernel as _pin_openblas_kernel  # noqa: E402

# Pin OpenBLAS's kernel and numpy's SIMD level, also before numpy is imported: what made fits differ between
# machines (docs/numerics.md), so that x86-64 CPUs with AVX2 and FMA compute the tracked numbers bit for bit.
_pin_openblas_kernel()

__version__ = "0.1.0"

from slothpipe.lazy_exports import lazy_exports  # noqa: E402  (after the thread pins)

# Names served lazily from :mod:`slothpipe.api` (``from slothpipe import Sloth``), so that importing a
# submodule of the package does not import pandas and the model code (slothpipe.lazy_exports).
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
__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
