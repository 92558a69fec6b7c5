"""Geomin local minima of a fitted interpretation (issue 4).  Not a test: prints measurements.

Reads an interpretation file (default ``results/interpretation/skills_d3.json``), recovers the whitened,
unrotated loadings Λ_w = Λ_rot Tᵀ and rotates them from ``--starts`` starts (T = I, then seeded Haar-random
orthogonal ones), each iterated to a projected gradient below ``--tol``.  Solutions are grouped into basins by
their criterion (rounded to 3 decimals); for each basin it prints how many starts reached it, the first start
that did, and (d = 3) the loadings after content-based naming and sign fixing, with the largest absolute
difference per skill from the paper's Figure 2.  Also prints where factor_analyzer's own
stopping rule (tol 1e-5, 500 steps) leaves the T = I start.  This is the measurement behind the
``interpretation.rotation_starts`` setting (results/README.md, "Interpretation").
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

from slothpipe.interpretation.rotation import geomin_oblique, name_skills
from slothpipe.interpretation.skills_model import _random_orthogonal, geomin_criterion

import numpy as np

PAPER_FIG2 = {
    "Reasoning": [3.43, 3.42, 2.30, 1.71, 1.78, 1.65, 0.86, 0.60, 0.65, 0.51, 0.66, 0.05],
    "Knowledge": [-0.51, -0.60, 0.06, 0.11, 0.07, 0.15, 0.06, -0.00, 0.44, 0.55, 0.56, 0.04],
    "Instruction following": [0.03, -0.02, -0.22, -0.01, 0.00, 0.03, -0.02, 0.33, 0.07, 0.05, -0.01, 0.63],
}
PAPER_ORDER = ["GSM8K", "MATH Lvl 5", "GPQA", "MMLU", "MMLU-PRO", "BBH", "MUSR", "TruthfulQA", "ARC",
               "HellaSwag", "Winogrande", "IFEval"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="results/interpretation/skills_d3.json")
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("--max-iter", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with open(args.path, encoding="utf-8") as fh:
        record = json.load(fh)
    benchmarks = record["benchmarks"]
    loadings = np.asarray(record["loadings"])  # d×J
    rotation = np.asarray(record["rotation"])
    coefficients = np.asarray(record["coefficients"])
    anchor = record["anchor"]
    whitened = loadings.T @ rotation.T  # J×d
    B_w = coefficients @ np.linalg.inv(rotation)
    d = whitened.shape[1]

    early, _ = geomin_oblique(whitened @ np.eye(d))  # factor_analyzer's defaults from T = I
    early_criterion = geomin_criterion(early)
    print(f"d={d}: T = I with factor_analyzer's stopping rule (tol 1e-5, 500 steps): {early_criterion:.4f}")

    basins: dict[float, list[int]] = defaultdict(list)
    solutions = {}
    rng = np.random.default_rng(args.seed)  # the same stream as geomin_multistart (start 0 = identity)
    for k in range(args.starts):
        Q = np.eye(d) if k == 0 else _random_orthogonal(d, rng)
        rotated, T_prime = geomin_oblique(whitened @ Q, tol=args.tol, max_iter=args.max_iter)
        criterion = round(geomin_criterion(rotated), 3)
        basins[criterion].append(k)
        solutions.setdefault(criterion, Q @ T_prime)
    for criterion in sorted(basins):
        starts = basins[criterion]
        T = solutions[criterion]
        sign = np.sign((B_w @ T)[anchor])
        sign[sign == 0] = 1.0
        T = T * sign[None, :]
        lam = (whitened @ np.linalg.inv(T).T).T
        names = name_skills(lam, benchmarks)
        corr = T.T @ T
        print(f"\ncriterion {criterion:.3f}: {len(starts)} of {args.starts} starts (first: {starts[0]})")
        for name, row in zip(names, lam, strict=True):
            text = " ".join(f"{x:6.2f}" for x in row)
            extra = ""
            if name in PAPER_FIG2 and benchmarks == PAPER_ORDER:
                extra = f"  max |diff| vs paper {np.max(np.abs(row - PAPER_FIG2[name])):.2f}"
            print(f"  {name:34s} {text}{extra}")
        pairs = [(names[i], names[j], corr[i, j]) for i in range(d) for j in range(i + 1, d)]
        print("  correlations: " + ", ".join(f"{a[:4]}-{b[:4]} {c:.2f}" for a, b, c in pairs))


if __name__ == "__main__":
    main()
