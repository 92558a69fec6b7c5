"""A fit's result is a property of the data and the method, not of the CPU (issue 10, docs/numerics.md).

Another machine rounds differently: other BLAS kernels, other SIMD paths.  ``OPENBLAS_CORETYPE`` swaps
OpenBLAS's kernels on this machine, which is what another machine does to the fits.  The same small
trainable-link problem is fitted in two subprocesses under two kernels; their predictions must agree within
the stated tolerance, while the kernels themselves must really round differently (else the test proves
nothing and is skipped).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

KERNELS = ("Haswell", "SandyBridge")
#: Agreement asked of a single prediction across kernels (percentage points), as in issue 10's targets.
TOLERANCE_PP = 0.5

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    import numpy as np
    sys.path.insert(0, {tests!r})
    from world import simulate_sloth
    from slothpipe.models import SlothRegressor

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(96, 96)), rng.normal(size=(96, 96))
    blas = hashlib.sha256((a @ b).tobytes()).hexdigest()

    sim = simulate_sloth(n_families=8, per_family=6, J=6, d=2, noise=0.02, seed=4)
    # floors above the lowest scores of every benchmark, as BBH, MUSR and GPQA on the leaderboard: the
    # paper's objective then has no minimiser (eta -> -inf fits them ever better)
    chance = np.quantile(sim.Y, 0.1, axis=0)
    # the smallest model of family fam0 is in training, the others are predicted (as in the paper's folds)
    test = (sim.families == "fam0") & (sim.X[:, 0] > sim.X[sim.families == "fam0", 0].min())
    train = ~test
    kw = dict(chance=chance, random_state=0, **json.loads(sys.argv[1]))
    basic = SlothRegressor(3, link="sigmoid", floor="fixed", **kw).fit(
        sim.X[train], sim.Y[train], sim.families[train]
    )
    init = basic.fitted_params()
    sloth = SlothRegressor(3, link="monotone", floor="learned", init=init, n_restarts=1, **kw)
    sloth.fit(sim.X[train], sim.Y[train], sim.families[train])
    pred = sloth.predict(sim.X[test], sim.families[test])
    print(json.dumps({{"blas": blas, "pred": pred.ravel().tolist(), "converged": sloth.converged_}}))
    """
)


def _fit_under(kernel: str, settings: dict) -> dict:
    env = dict(os.environ)
    env["OPENBLAS_CORETYPE"] = kernel
    env["OPENBLAS_NUM_THREADS"] = "1"
    code = SCRIPT.format(tests=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    res = subprocess.run(
        [sys.executable, "-c", code, json.dumps(settings)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_trainable_link_fit_agrees_across_blas_kernels():
    first, second = (_fit_under(k, {}) for k in KERNELS)
    if first["blas"] == second["blas"]:
        pytest.skip(f"OPENBLAS_CORETYPE={KERNELS} round identically here: nothing to compare")
    assert first["converged"] and second["converged"]
    diff_pp = 100.0 * np.abs(np.array(first["pred"]) - np.array(second["pred"]))
    assert diff_pp.max() <= TOLERANCE_PP, f"largest difference {diff_pp.max():.3f} pp"
