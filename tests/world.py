"""The synthetic world of the tests: LLM scores simulated from a known Sloth model, and the files around them.

One generator, :func:`sloth_scores`, turns skills into benchmark scores (sigmoid link, chance floors, noise).
Three views of it serve every test:

- :func:`simulate_sloth`: arrays (log size, log tokens, family, scores) for the estimators in ``models/``.
- :func:`simulate_dataset`: one row per model of the families in :data:`FAMILIES`, in the columns of
  ``results/data/dataset.parquet`` (d = 2 with a fixed law, plus a HumanEval score and the true skills;
  ``d=3`` draws a three-skill law in log10 units, the interpretation stage's setting).
- :func:`write_world`: the raw inputs of the whole workflow for a dataset (leaderboards in the Hub schemas,
  Ruan et al.'s tables, the registry, an EQ-Bench file and a small config), served from an offline mirror
  under ``<root>/mirror`` or from the fake Hub of ``fake_servers.py``.

Run the workflow on it with ``snakemake_runner.snakemake``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from slothpipe.interpretation.skills_model import PLOT_ORDER
from slothpipe.models.laws import translog_design
from slothpipe.models.methods import CHANCE_LEVELS

import numpy as np
import pandas as pd
import yaml
from synthetic_sources import (
    FAMILIES,
    RUAN_BASE_HEADER,
    RUAN_INSTRUCT_HEADER,
    V1_SCHEMA,
    V2_SCHEMA,
    registry_row,
    v1_entry,
    v2_entry,
    write_leaderboard,
    write_registry,
    write_ruan,
)

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = list(PLOT_ORDER)
V1 = ["GSM8K", "MMLU", "TruthfulQA", "ARC", "HellaSwag", "Winogrande"]
V2 = ["MATH Lvl 5", "GPQA", "MMLU-PRO", "BBH", "MUSR", "IFEval"]
HELDOUT = ["alpha-14b", "alpha-14b-chat"]
COMMIT = "43dad3252c7fab354de3ee2e197a0a467cb5d327"
V1_MIRROR = "hub/open-llm-leaderboard-old/contents/data/train-00000-of-00001.parquet"
V2_MIRROR = "hub/open-llm-leaderboard/contents/data/train-00000-of-00001.parquet"
#: the families of the interpretation tests: the shared ones plus one with many tokens
SKILL_FAMILIES = {**FAMILIES, "eps": ("eps", False, 8.0, [0.5, 4.0, 20.0])}


def sloth_scores(theta, loadings, bias, chance, noise, rng) -> np.ndarray:
    """(scores, noiseless scores) of skills ``theta`` (models x d): the noiseless score is
    chance + (1 - chance) * sigmoid(theta A' + bias); the scores add N(0, noise) and are clipped to [0, 1]."""
    eta = np.atleast_2d(theta) @ loadings.T + bias
    mu = chance + (1 - chance) / (1 + np.exp(-eta))
    return np.clip(mu + rng.normal(0.0, noise, mu.shape), 0.0, 1.0), mu


# --- arrays, for the estimators ---------------------------------------------------------------------------


@dataclass
class SimData:
    X: np.ndarray
    families: np.ndarray
    Y: np.ndarray
    mu: np.ndarray  # noiseless truth
    loadings: np.ndarray
    slopes: np.ndarray
    chance: np.ndarray


def simulate_sloth(n_families=6, per_family=6, J=6, d=2, noise=0.01, seed=0) -> SimData:
    """Scores from known Sloth-basic parameters (sigmoid link, fixed floors) of random families."""
    rng = np.random.default_rng(seed)
    fams, u, v = [], [], []
    for f in range(n_families):
        sizes = np.sort(rng.uniform(np.log(0.1), np.log(70.0), per_family))
        tokens = rng.uniform(np.log(0.3), np.log(15.0)) + rng.normal(0.0, 0.4, per_family)
        fams += [f"fam{f}"] * per_family
        u.append(sizes)
        v.append(tokens)
    X = np.column_stack([np.concatenate(u), np.concatenate(v)])
    families = np.array(fams)
    slopes = np.array([[0.6, 0.2], [0.2, 0.7], [0.05, -0.05]])
    intercepts = rng.normal(0.0, 0.5, (n_families, d))
    loadings = np.abs(rng.normal(0.0, 1.0, (J, d))) + 0.2
    bias = rng.normal(-1.0, 0.5, J)
    chance = np.linspace(0.0, 0.3, J)
    fam_idx = np.searchsorted(np.unique(families), families)
    theta = translog_design(X) @ slopes + intercepts[fam_idx]
    Y, mu = sloth_scores(theta, loadings, bias, chance, noise, rng)
    return SimData(X, families, Y, mu, loadings, slopes, chance)


# --- dataset rows ---------------------------------------------------------------------------------------


def model_name(family: str, size: float, instruct: bool) -> str:
    return f"{family}-{size:g}b" + ("-chat" if instruct else "")


def simulate_dataset(seed: int = 0, d: int = 2, noise: float = 0.004) -> pd.DataFrame:
    """Dataset rows: model, hf_id, family, variant_family, instruct, params_b, tokens_t and the 12 benchmarks.

    ``d=2``: the families of :data:`FAMILIES`, a fixed translog law in natural logs (instruct lines shifted
    towards the second skill), plus ``HumanEval`` (logistic in the skills) and the true skills ``theta0`` and
    ``theta1``.  ``d=3`` (or more): the families of :data:`SKILL_FAMILIES` and a random law in log10 units.
    """
    rng = np.random.default_rng(seed)
    gamma = np.array([CHANCE_LEVELS[b] for b in BENCHMARKS])
    if d == 2:
        families, log, slopes = FAMILIES, np.log, np.array([[0.9, 0.5], [0.3, 0.8], [0.05, -0.05]])
        loadings = np.abs(rng.normal(0.8, 0.3, size=(len(BENCHMARKS), 2)))
        bias = rng.normal(-1.5, 0.3, size=len(BENCHMARKS))
    else:
        families, log = SKILL_FAMILIES, np.log10
        slopes = rng.normal(0.0, 0.5, (3, d)) + np.array([[0.8], [0.5], [0.0]])
        loadings = np.abs(rng.normal(0.8, 0.4, size=(len(BENCHMARKS), d)))
        bias = rng.normal(-1.0, 0.3, size=len(BENCHMARKS))
    rows = []
    for variant, (family, instruct, tokens, sizes) in families.items():
        alpha = rng.normal(0, 0.4, size=d) + (np.array([-0.2, 0.6]) if d == 2 and instruct else 0.0)
        for size in sizes:
            theta = (translog_design(log(np.array([[size, tokens]]))) @ slopes + alpha)[0]
            y, _ = sloth_scores(theta, loadings, bias, gamma, noise, rng)
            name = model_name(family, size, instruct)
            row = {"model": name, "hf_id": f"synth/{name}", "family": family, "variant_family": variant,
                   "instruct": instruct, "params_b": float(size), "tokens_t": float(tokens),
                   **dict(zip(BENCHMARKS, y[0], strict=True))}  # fmt: skip
            if d == 2:
                he = 1 / (1 + np.exp(-(1.2 * theta[0] + 0.3 * theta[1] - 1.0))) + rng.normal(0, 0.01)
                row.update(HumanEval=float(np.clip(he, 0.0, 1.0)), theta0=theta[0], theta1=theta[1])
            rows.append(row)
    return pd.DataFrame(rows)


def simulate_families(families=("alpha", "beta", "gamma"), **kwargs) -> pd.DataFrame:
    """The rows of :func:`simulate_dataset` of some variant families (by default three original families
    without instruct lines: three held-out groups)."""
    truth = simulate_dataset(**kwargs)
    return truth[truth["variant_family"].isin(families)].reset_index(drop=True)


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
    """A fast ``downstream:`` config for this world (d = 2, one start per fit, three link methods)."""
    task_specs = {
        "humaneval": {"label": "HumanEval", "column": "HumanEval", "heldout": list(HELDOUT)},
        "eq_bench": {"label": "EQ-Bench", "file": "config/downstream/eq_bench.csv", "heldout": [HELDOUT[1]]},
    }
    return {
        "benchmarks": list(BENCHMARKS),
        "n_skills": 2,
        "n_restarts": 1,
        "seeds": [0],
        "anchor": 0,
        "skills": {
            "main": {"method": "sloth", "exclude": list(HELDOUT)},
            "sloth_all": {"method": "sloth", "exclude": []},
            "pca_all": {"method": "pca", "exclude": []},
        },
        "tasks": {name: task_specs[name] for name in tasks},
        "regression": {"n_restarts": 1, "random_state": 0},
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


def forecast_request(truth: pd.DataFrame, family: str, n_known: int = 1) -> pd.DataFrame:
    """A forecast request for ``family`` (a variant family): its ``n_known`` smallest models with their LB v2
    scores, the others as targets (no scores)."""
    rows = truth[truth["variant_family"] == family].sort_values("params_b")
    out = rows[["model", "variant_family", "params_b", "tokens_t", *V2]].rename(
        columns={"variant_family": "family"}
    )
    out.loc[out.index[n_known:], list(V2)] = np.nan
    return out.reset_index(drop=True)


def repository_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def write_config(root: Path, config: dict) -> None:
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


# --- the raw inputs of the workflow ---------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def v2_rows(truth: pd.DataFrame, bump: dict[str, float] | None = None) -> list[dict]:
    """Leaderboard-v2 rows of every model; ``bump`` adds to the MUSR score of the named models."""
    bump = bump or {}
    return [
        v2_entry(
            f"synth/{r['model']}",
            {b: r[b] + (bump.get(r["model"], 0.0) if b == "MUSR" else 0.0) for b in V2},
        )
        for r in truth.to_dict("records")
    ]


def write_world(
    root: Path,
    truth: pd.DataFrame,
    *,
    hub=None,
    v2_only: tuple[str, ...] = (),
    evaluation: dict | None = None,
    paper_mae: dict | None = None,
) -> None:
    """The inputs of a workflow run on ``truth`` (rows of :func:`simulate_dataset`) in ``root``.

    Registry, config and downstream files under ``root/config``; the leaderboards (v1 scores rounded to
    0.01 pp; the models in ``v2_only`` not on v1) and Ruan et al.'s tables (one unrelated row each) under
    ``root/mirror`` in the layout of ``offline_mirror``, or on the fake ``hub`` when one is given.  The
    config: the repository's, with automatic groups, one training model, PCA + FLOPs (d=1) unless
    ``evaluation`` says otherwise, the EQ-Bench task of the downstream stage and no obsscaling section.
    """
    config_dir = root / "config"
    (config_dir / "downstream").mkdir(parents=True)
    registry, v1 = [], []
    for r in truth.to_dict("records"):
        full = f"synth/{r['model']}"
        has_v1 = r["model"] not in v2_only
        registry.append(
            registry_row(
                r["model"],
                hf_id=full,
                family=r["family"],
                variant_family=r["variant_family"],
                instruct=str(r["instruct"]).lower(),
                v1_fullname=full if has_v1 else "",
                v2_fullname=full,
                params_b_paper=f"{r['params_b']:g}",
                tokens_t_paper=f"{r['tokens_t']:g}",
            )
        )
        if has_v1:
            v1.append(v1_entry(full, {b: round(r[b] * 100, 2) for b in V1}))
    write_registry(config_dir / "models.csv", registry)
    evalplus = config_dir / "downstream" / "humaneval_evalplus.csv"
    evalplus.write_text("model,score,source\n", encoding="utf-8")
    (config_dir / "downstream" / "eq_bench.csv").write_text(eq_bench_csv(truth), encoding="utf-8")

    mirror = root / "mirror" if hub is None else root / "_sources"
    for rel, schema, rows in ((V1_MIRROR, V1_SCHEMA, v1), (V2_MIRROR, V2_SCHEMA, v2_rows(truth))):
        (mirror / rel).parent.mkdir(parents=True)
        write_leaderboard(mirror / rel, schema, rows)
    if hub is not None:  # the v1 export's name carries a hash, resolved per revision by the download code
        hub.add_commit(
            "open-llm-leaderboard-old/contents",
            {"data/train-00000-of-00001-abc.parquet": (mirror / V1_MIRROR).read_bytes()},
        )
        v2_export = {"data/train-00000-of-00001.parquet": (mirror / V2_MIRROR).read_bytes()}
        hub.add_commit("open-llm-leaderboard/contents", v2_export)
    github = {}
    for key, (header, path) in {
        "obsscaling_base": (RUAN_BASE_HEADER, "eval_results/base_llm_benchmark_eval.csv"),
        "obsscaling_instruct": (RUAN_INSTRUCT_HEADER, "eval_results/instruct_llm_benchmark_eval.csv"),
        "obsscaling_agent": (("Model", "ABench-OA"), "eval_results/instruct_llm_agent_eval.csv"),
    }.items():
        local = mirror / "github" / "ryoungj" / "ObsScaling" / COMMIT / path
        local.parent.mkdir(parents=True, exist_ok=True)
        write_ruan(local, header, [{"Model": "someone/unrelated-7b"}])
        if hub is not None:
            hub.add_github_file("ryoungj/ObsScaling", COMMIT, path, local.read_bytes())
        github[key] = {"repo": "ryoungj/ObsScaling", "commit": COMMIT, "path": path, "sha256": sha(local)}

    config = repository_config()
    config["sources"]["github"] = github
    config["evaluation"].update(groups="auto", n_train_models=[1], methods=["pca_flops_d1"])
    config["evaluation"].update(evaluation or {})
    config["downstream"] = downstream_config(tasks=("eq_bench",))
    config.pop("obsscaling", None)  # its tables are not in this world; tests/obsscaling runs that stage
    # one forecast request: beta's smallest model known (LB v2 scores), its bigger models the targets
    (config_dir / "forecasts").mkdir()
    forecast_request(truth, "beta").to_csv(config_dir / "forecasts" / "beta.csv", index=False)
    config["forecasts"]["requests"] = {"beta": {"leaderboard": "v2", "exclude_families": ["beta"]}}
    write_config(root, config)
    (config_dir / "paper_test_groups.yaml").write_text("{}\n", encoding="utf-8")
    paper_mae = paper_mae or {"v1": {1: {"n_test_groups": 4, "mae_pp": {"pca_d=1": 1.0}}}}
    (config_dir / "paper_mae.yaml").write_text(yaml.safe_dump(paper_mae), encoding="utf-8")


def write_dataset(root: Path, dataset: pd.DataFrame, config: dict) -> None:
    """A stage's inputs without the data stage: ``dataset`` where the data stage puts it, the repository's
    config files (the files the config names must exist) and ``config``."""
    import shutil

    data = root / "results" / "data"
    data.mkdir(parents=True)
    dataset.to_parquet(data / "dataset.parquet", index=False)
    shutil.copytree(REPO / "config", root / "config")
    write_config(root, config)
