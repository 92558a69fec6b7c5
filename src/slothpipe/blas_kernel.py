"""OpenBLAS's kernel, pinned: every x86-64 CPU with AVX2 and FMA computes the tracked numbers bit for bit.

What made our fits differ between machines was which kernels OpenBLAS picked for the CPU, nothing else
(docs/numerics.md, measured on three machines of two vendors): an AMD EPYC without AVX-512 (OpenBLAS's
``Haswell`` kernels), an Intel Xeon and an AMD EPYC with AVX-512 (``SkylakeX``). Under the same kernel the
three give the same bytes; under different kernels a few fits land in other optima. OpenBLAS reads
``OPENBLAS_CORETYPE`` once, when the library is loaded (the first import of numpy or scipy in a process), so
``import slothpipe`` sets it before anything imports numpy, and the Snakemake jobs inherit it from the
Snakemake process, which imports the package while it parses the workflow.

The rules, in order:

* ``OPENBLAS_CORETYPE`` set by the user is kept (the stability studies vary it on purpose).
* ``SLOTHPIPE_BLAS_KERNEL=native`` turns the pin off: OpenBLAS chooses for the CPU, and the numbers may move
  within the tolerances of ``python -m slothpipe.verify``.
* Otherwise, on Linux x86-64, when the CPU has the instructions of the ``Haswell`` kernels (AVX2 and FMA, in
  ``/proc/cpuinfo``), ``OPENBLAS_CORETYPE=Haswell``. Elsewhere (another architecture, another OS, an older
  CPU) nothing is set: forcing kernels that the CPU lacks would stop the process.
* A pin inherited from a parent process (a Slurm job started from a login node) is decided again on this CPU.
* With the kernel, numpy's own SIMD code is capped at the same level (``NPY_ENABLE_CPU_FEATURES=X86_V3``: AVX2
  and FMA, the names of numpy >= 2.4), unless the user set ``NPY_ENABLE_CPU_FEATURES`` or
  ``NPY_DISABLE_CPU_FEATURES``: numpy's AVX-512 paths of exp, log and friends round differently from its AVX2
  paths, which moved the observational-scaling fits between a CPU with AVX-512 and one without.

Where numpy was imported before slothpipe, the pin cannot act in that process (its children still get it).
It does nothing for other BLAS libraries (MKL, Accelerate).
"""

from __future__ import annotations

import os
import sys

#: The kernel every supported CPU is pinned to, and the CPU flags it needs.
PINNED_KERNEL = "Haswell"
REQUIRED_FLAGS = frozenset({"avx2", "fma"})
#: numpy's SIMD level that goes with the kernel (numpy >= 2.4 names the x86-64 levels).
NUMPY_FEATURES = "X86_V3"
_NUMPY_MIN = (2, 4)
#: Set to "native" to leave the choice to OpenBLAS and numpy.
SWITCH = "SLOTHPIPE_BLAS_KERNEL"
#: Records that the pin (not the user) set OPENBLAS_CORETYPE: a child process on another CPU decides again.
_MARK = "SLOTHPIPE_PINNED_CORETYPE"
_CPUINFO = "/proc/cpuinfo"
#: The function naming the kernel in use, as numpy's (64-bit integers) and scipy's wheels spell it.
_CORENAME_SYMBOLS = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename")


def cpu_flags(cpuinfo: str = _CPUINFO) -> frozenset[str]:
    """The CPU's instruction-set flags: the first ``flags`` line of ``/proc/cpuinfo`` (empty elsewhere)."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def supports_pin(machine: str | None = None, flags: frozenset[str] | None = None) -> bool:
    """Whether this CPU runs the pinned kernel: x86-64 with AVX2 and FMA."""
    if machine is None:  # os.uname, not the platform module, which would add ~9 ms to every process's start
        machine = os.uname().machine if hasattr(os, "uname") else ""
    if machine.lower() not in ("x86_64", "amd64"):
        return False
    return REQUIRED_FLAGS <= (cpu_flags() if flags is None else flags)


def pin_openblas_kernel(environ=None, supported: bool | None = None) -> str | None:
    """Apply the rules of this module to ``environ`` (``os.environ``); returns the kernel pinned, or None."""
    env = os.environ if environ is None else environ
    current = env.get("OPENBLAS_CORETYPE")
    if current is not None and current != env.get(_MARK):
        return None  # the user's choice
    _remove_pin(env)
    if env.get(SWITCH, "").strip().lower() == "native":
        return None
    if not (supports_pin() if supported is None else supported):
        return None
    env["OPENBLAS_CORETYPE"] = env[_MARK] = PINNED_KERNEL
    users_numpy = "NPY_ENABLE_CPU_FEATURES" in env or "NPY_DISABLE_CPU_FEATURES" in env
    if not users_numpy and _numpy_version() >= _NUMPY_MIN:
        env["NPY_ENABLE_CPU_FEATURES"] = NUMPY_FEATURES
    return PINNED_KERNEL


def _remove_pin(env) -> None:
    """Take out of ``env`` what the pin set (the kernel, numpy's SIMD level, the mark); a user's own kept."""
    ours = env.pop(_MARK, None)
    if ours is None:
        return
    if env.get("OPENBLAS_CORETYPE") == ours:
        env.pop("OPENBLAS_CORETYPE")
    if env.get("NPY_ENABLE_CPU_FEATURES") == NUMPY_FEATURES:
        env.pop("NPY_ENABLE_CPU_FEATURES")


def _numpy_version() -> tuple[int, int]:
    """numpy's installed version, from the name of its ``.dist-info`` directory beside the package on
    ``sys.path``, without importing numpy or ``importlib.metadata`` (which would add ~35 ms to the start of
    every process that imports slothpipe); (0, 0) when not found."""
    for entry in sys.path:
        directory = entry or "."
        if not os.path.isdir(os.path.join(directory, "numpy")):
            continue
        for name in os.listdir(directory):
            if name.startswith("numpy-") and name.endswith(".dist-info"):
                try:
                    major, minor = name[len("numpy-") :].split(".")[:2]
                    return int(major), int(minor)
                except ValueError:
                    return (0, 0)
        return (0, 0)
    return (0, 0)


def loaded_kernels() -> dict[str, str]:
    """The kernel each OpenBLAS loaded in this process uses (numpy's and scipy's wheels bundle one each):
    ``{library file name: kernel name}``, empty where no OpenBLAS of the wheels is found (conda, MKL).
    Loads numpy and scipy."""
    import ctypes
    import glob

    import numpy
    import scipy

    found = {}
    for package in (numpy, scipy):
        libs = os.path.join(os.path.dirname(os.path.dirname(package.__file__)), f"{package.__name__}.libs")
        for path in sorted(glob.glob(os.path.join(libs, "*openblas*"))):
            lib = ctypes.CDLL(path)
            for symbol in _CORENAME_SYMBOLS:
                func = getattr(lib, symbol, None)
                if func is not None:
                    func.restype = ctypes.c_char_p
                    found[os.path.basename(path)] = func().decode()
                    break
    return found


def environ_for(kernel: str, environ=None) -> dict[str, str]:
    """A copy of ``environ`` (``os.environ``) for a child process that should run under ``kernel``: "default"
    as the pipeline runs (the pin, where this CPU supports it), "native" OpenBLAS's and numpy's own choice for
    the CPU, any other name that OpenBLAS kernel (numpy's own choice of SIMD). For studies of the kernels."""
    env = dict(os.environ if environ is None else environ)
    _remove_pin(env)
    for var in ("OPENBLAS_CORETYPE", SWITCH):
        env.pop(var, None)
    if kernel == "native":
        env[SWITCH] = "native"
    elif kernel != "default":
        env["OPENBLAS_CORETYPE"] = kernel
    return env
