"""A small synthetic world for the downstream stage: dataset rows, an EQ-Bench-like file and the config.

The families and sizes are those of ``test_pipeline_e2e.py`` (alpha, alpha-chat, beta, gamma, delta), so the
same ``downstream:`` config serves the stage's own snakemake test and the whole-pipeline test.  Scores follow
a d = 2 Sloth with sigmoid link and chance floors; the downstream scores a logistic function of its skills.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from synthetic_sources import FAMILIES

from slothpipe.analysis.skills import PLOT_ORDER
from slothpipe.models.registry import CHANCE_LEVELS

BENCHMARKS = list(PLOT_ORDER)
V1 = ["GSM8K", "MMLU", "TruthfulQA", "ARC", "HellaSwag", "Winogrande"]
V2 = ["MATH Lvl 5", "GPQA", "MMLU-PRO", "BBH", "MUSR", "IFEval"]
HELDOUT = ["alpha-14b", "alpha-14b-chat"]


def model_name(family: str, size: float, instruct: bool) -> str:
    return f"{family}-{size:g}b" + ("-chat" if instruct else "")


def simulate_dataset(seed: int = 0) -> pd.DataFrame:
    """Dataset-like rows: model, family, variant_family, instruct, params_b, tokens_t, scores, HumanEval."""
    rng = np.random.default_rng(seed)
    beta = np.array([[0.9, 0.5], [0.3, 0.8], [0.05, -0.05]])
    loadings = np.abs(rng.normal(0.8, 0.3, size=(len(BENCHMARKS), 2)))
    bias = rng.normal(-1.5, 0.3, size=len(BENCHMARKS))
    gamma = np.array([CHANCE_LEVELS[b] for b in BENCHMARKS])
    rows = []
    for variant, (family, instruct, tokens, sizes) in FAMILIES.items():
        alpha = rng.normal(0, 0.4, size=2) + (np.array([-0.2, 0.6]) if instruct else 0.0)
        for size in sizes:
            u, v = np.log(size), np.log(tokens)
            theta = np.array([u, v, u * v]) @ beta + alpha
            y = gamma + (1 - gamma) / (1 + np.exp(-(loadings @ theta + bias)))
            y = np.clip(y + rng.normal(0, 0.004, size=len(BENCHMARKS)), 0.0, 1.0)
            he = 1 / (1 + np.exp(-(1.2 * theta[0] + 0.3 * theta[1] - 1.0))) + rng.normal(0, 0.01)
            rows.append(
                {
                    "model": model_name(family, size, instruct),
                    "family": family,
                    "variant_family": variant,
                    "instruct": instruct,
                    "params_b": size,
                    "tokens_t": tokens,
                    **dict(zip(BENCHMARKS, y, strict=True)),
                    "HumanEval": float(np.clip(he, 0.0, 1.0)),
                    "theta0": theta[0],
                    "theta1": theta[1],
                }
            )
    return pd.DataFrame(rows)


def eq_bench_csv(truth: pd.DataFrame) -> str:
    """An EQ-Bench-like score file for the chat models and five base models (logistic in the true skills)."""
    lines = ["model,score,source"]
    base = ["beta-6b", "beta-12b", "gamma-8b", "gamma-30b", "delta-2.5b"]
    picked = truth[truth["instruct"] | truth["model"].isin(base)]
    for r in picked.sort_values("model").itertuples(index=False):
        score = 1 / (1 + np.exp(-(0.8 * r.theta0 + 0.8 * r.theta1 - 0.5)))
        lines.append(f"{r.model},{score:.4f},synthetic")
    return "\n".join(lines) + "\n"


def downstream_config(tasks: tuple[str, ...] = ("humaneval", "eq_bench")) -> dict:
    """A fast ``downstream:`` config for this world (d = 2, few starts, three link-function methods)."""
    task_specs = {
        "humaneval": {"label": "HumanEval", "column": "HumanEval", "heldout": list(HELDOUT)},
        "eq_bench": {"label": "EQ-Bench", "file": "config/downstream/eq_bench.csv", "heldout": [HELDOUT[1]]},
    }
    return {
        "benchmarks": list(BENCHMARKS),
        "n_skills": 2,
        "n_restarts": 3,
        "seeds": [0],
        "anchor": 0,
        "skills": {
            "main": {"method": "sloth", "exclude": list(HELDOUT)},
            "sloth_all": {"method": "sloth", "exclude": []},
            "pca_all": {"method": "pca", "exclude": []},
        },
        "tasks": {name: task_specs[name] for name in tasks},
        "regression": {"n_restarts": 2, "random_state": 0},
        "link_functions": {
            "suites": {"v1": list(V1), "v2": list(V2)},
            "cases": {
                "alpha": {
                    "exclude": list(HELDOUT),
                    "test_models": {"alpha": HELDOUT[0], "alpha-chat": HELDOUT[1]},
                    "n_train_models": 1,
                }
            },
            "methods": ["sloth_basic_d2", "flops_shared", "pca_flops_d2"],
            "sizes": {"min_b": 1, "max_b": 100, "n_points": 20},
            "random_state": 0,
        },
    }
