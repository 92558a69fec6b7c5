"""OpenBLAS's kernel is pinned before numpy loads (slothpipe.blas_kernel, docs/numerics.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from slothpipe import blas_kernel
from slothpipe.blas_kernel import NUMPY_FEATURES, PINNED_KERNEL, SWITCH, pin_openblas_kernel, supports_pin

import pytest

MARK = blas_kernel._MARK


PINNED = {"OPENBLAS_CORETYPE": PINNED_KERNEL, MARK: PINNED_KERNEL, "NPY_ENABLE_CPU_FEATURES": NUMPY_FEATURES}


def test_pins_on_a_supported_cpu_and_records_it():
    env = {}
    assert pin_openblas_kernel(env, supported=True) == PINNED_KERNEL
    assert env == PINNED


def test_keeps_the_users_kernel_and_numpy_features():
    env = {"OPENBLAS_CORETYPE": "SandyBridge"}
    assert pin_openblas_kernel(env, supported=True) is None
    assert env == {"OPENBLAS_CORETYPE": "SandyBridge"}
    env = {"NPY_DISABLE_CPU_FEATURES": "X86_V4"}
    assert pin_openblas_kernel(env, supported=True) == PINNED_KERNEL
    assert env == {
        "NPY_DISABLE_CPU_FEATURES": "X86_V4",
        "OPENBLAS_CORETYPE": PINNED_KERNEL,
        MARK: PINNED_KERNEL,
    }


def test_native_switch_turns_the_pin_off_also_when_inherited():
    env = {SWITCH: "native", **PINNED}
    assert pin_openblas_kernel(env, supported=True) is None
    assert env == {SWITCH: "native"}


def test_an_inherited_pin_is_decided_again_on_this_cpu():
    env = dict(PINNED)
    assert pin_openblas_kernel(env, supported=False) is None
    assert env == {}  # a CPU without AVX2/FMA must not be forced onto the Haswell kernels
    env = dict(PINNED)
    assert pin_openblas_kernel(env, supported=True) == PINNED_KERNEL
    assert env == PINNED


def test_supported_cpus(tmp_path):
    assert supports_pin("x86_64", frozenset({"sse2", "avx", "avx2", "fma"}))
    assert supports_pin("AMD64", frozenset({"avx2", "fma", "avx512f"}))
    assert not supports_pin("x86_64", frozenset({"sse2", "avx"}))  # Sandy Bridge: no AVX2
    assert not supports_pin("x86_64", frozenset({"avx2"}))
    assert not supports_pin("aarch64", frozenset({"avx2", "fma"}))
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert blas_kernel.cpu_flags(str(cpuinfo)) == frozenset({"fpu", "sse2", "avx2", "fma"})
    assert blas_kernel.cpu_flags(str(tmp_path / "absent")) == frozenset()


def _kernels_in_child(**env_changes) -> dict[str, str]:
    """The kernels numpy's and scipy's OpenBLAS use in a fresh process that imports slothpipe first."""
    drop = ("OPENBLAS_CORETYPE", MARK, SWITCH, "NPY_ENABLE_CPU_FEATURES", "NPY_DISABLE_CPU_FEATURES")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_changes)
    code = (
        "import json, slothpipe, scipy.optimize\n"
        "from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__\n"
        "from slothpipe.blas_kernel import loaded_kernels\n"
        "kernels = loaded_kernels()\n"
        "kernels['numpy SIMD'] = ' '.join(f for f in __cpu_dispatch__ if __cpu_features__[f])\n"
        "print(json.dumps(kernels))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_numpy_and_scipy_load_the_pinned_kernel():
    if not supports_pin():
        pytest.skip("this CPU has no AVX2/FMA (or is not x86-64): nothing is pinned here")
    kernels = _kernels_in_child()
    simd = kernels.pop("numpy SIMD")
    if not kernels:
        pytest.skip("no OpenBLAS of the numpy/scipy wheels found (another BLAS build)")
    assert set(kernels.values()) == {PINNED_KERNEL}, kernels
    assert simd == NUMPY_FEATURES  # numpy's own SIMD capped at AVX2/FMA, also on an AVX-512 CPU
    # a user's choice wins, for both libraries
    chosen = _kernels_in_child(OPENBLAS_CORETYPE="SandyBridge")
    chosen.pop("numpy SIMD")
    assert {name.lower() for name in chosen.values()} == {"sandybridge"}  # OpenBLAS spells it Sandybridge
    native = _kernels_in_child(**{SWITCH: "native"})
    native.pop("numpy SIMD")
    assert len(set(native.values())) == 1  # whatever OpenBLAS picks for this CPU, the same for both


def test_environments_for_studies_that_vary_the_kernel():
    from slothpipe.blas_kernel import environ_for

    base = {"PATH": "/bin", **PINNED}
    assert environ_for("default", base) == {"PATH": "/bin"}  # the child pins again, on its own CPU
    assert environ_for("native", base) == {"PATH": "/bin", SWITCH: "native"}
    assert environ_for("SandyBridge", base) == {"PATH": "/bin", "OPENBLAS_CORETYPE": "SandyBridge"}
    users = {
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_ENABLE_CPU_FEATURES": "X86_V3",
    }  # the user's, not the pin's
    assert environ_for("SandyBridge", users) == {
        "OPENBLAS_CORETYPE": "SandyBridge",
        "NPY_ENABLE_CPU_FEATURES": "X86_V3",
    }


def test_numpy_version_is_read_without_importing_numpy_metadata():
    from importlib.metadata import version

    major, minor = version("numpy").split(".")[:2]
    assert blas_kernel._numpy_version() == (int(major), int(minor))
