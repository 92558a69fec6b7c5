"""Helpers of the obsscaling tests: the real tables' paths and a tiny synthetic ObsScaling world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "config.yaml"
COMMIT = "43dad3252c7fab354de3ee2e197a0a467cb5d327"
FILES = {
    "base": "base_llm_benchmark_eval.csv",
    "instruct": "instruct_llm_benchmark_eval.csv",
    "emergent": "base_llm_emergent_capability_eval.csv",
    "post_training": "base_llm_post_training_eval.csv",
    "agent": "instruct_llm_agent_eval.csv",
}
BASE_METRICS = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]
INSTRUCT_METRICS = ["MMLU", "ARC-C", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K", "HumanEval"]


def obsscaling_files(shared: Path) -> dict[str, Path]:
    base = shared / "github" / "ryoungj" / "ObsScaling" / COMMIT / "eval_results"
    return {name: base / file for name, file in FILES.items()}


def _scores(rng, skill, n_metrics):
    load = np.linspace(0.6, 1.2, n_metrics)
    z = np.outer(skill, load) - 1.0 + rng.normal(0.0, 0.05, (len(skill), n_metrics))
    return np.clip(0.25 + 0.7 / (1.0 + np.exp(-z)), 0.0, 1.0)


def synthetic_world(seed: int = 0) -> dict[str, pd.DataFrame]:
    """Five small CSV tables with the ObsScaling columns: 4 base families, 12 instruct models (2 API)."""
    rng = np.random.default_rng(seed)
    rows = []
    for family, eff in (("Llama-2", 0.0), ("Pythia", -0.6), ("OPT", -0.8), ("Qwen", 0.4)):
        for size in (1.0, 3.0, 7.0, 13.0, 30.0, 70.0):
            tokens = 2.0 if family != "Pythia" else 0.3
            rows.append((f"org/{family.lower()}-{size:g}b", family, size, tokens, 6 * size * tokens, eff))
    base = pd.DataFrame(rows, columns=["Model", "Model Family", "Model Size (B)", "Pretraining Data Size (T)",
                                       "FLOPs (1E21)", "eff"])  # fmt: skip
    skill = np.log(base["FLOPs (1E21)"].to_numpy()) / 2.0 + base.pop("eff").to_numpy()
    base[BASE_METRICS] = _scores(rng, skill, len(BASE_METRICS))
    base.loc[3, "HumanEval"] = np.nan  # one gap for the imputation
    emergent = pd.DataFrame({"Model": base["Model"]})
    emergent["word_unscrambling_2_exact_match"] = 1 / (1 + np.exp(-(2.0 * skill - 5.0)))
    post = pd.DataFrame({"Model": base["Model"]})
    post["gsm8k_cot_8_exact_match,flexible-extract"] = 1 / (1 + np.exp(-(1.5 * skill - 4.0)))

    names = [f"chat-{i}" for i in range(10)] + ["api-a", "api-b"]
    fam = ["Llama-2-Chat"] * 4 + ["Vicuna"] * 3 + ["Koala"] * 3 + ["GPT-4", "Claude-2"]
    size = np.array([7, 13, 70, 34, 7, 13, 33, 7, 13, 65, np.nan, np.nan], dtype=float)
    iskill = np.concatenate([np.log(6 * size[:10] * 2.0) / 2.0, [4.5, 4.2]])
    instruct = pd.DataFrame({"Model": names, "Model Family": fam, "Model Size (B)": size,
                             "Pretraining Data Size (T)": np.where(np.isnan(size), np.nan, 2.0)})  # fmt: skip
    instruct["FLOPs (1E21)"] = 6 * instruct["Model Size (B)"] * instruct["Pretraining Data Size (T)"]
    instruct["Arena-Elo"] = 0.5
    instruct["MTBench"] = 0.6
    instruct[INSTRUCT_METRICS] = _scores(rng, iskill, len(INSTRUCT_METRICS))
    agent = pd.DataFrame({"Model": names, "ABench-OA": 10 / (1 + np.exp(-(1.2 * iskill - 4.5)))})
    return {"base": base, "instruct": instruct, "emergent": emergent, "post_training": post, "agent": agent}


def write_world(world: dict[str, pd.DataFrame], directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in world.items():
        paths[name] = directory / FILES[name]
        frame.to_csv(paths[name], index=False, lineterminator="\n")
    return paths
