"""The test-time stage (issue 29) through snakemake: on the fake Hub, and skipped where its source is absent.

The leaderboard dataset of the synthetic world (d = 3, log10 units) is written where the data stage puts it;
synthetic ``MATH_<model>.json`` files in the real schema (one record per problem, ``is_corrects`` a list of
booleans per sample) are served by the fake Hub at a pinned commit.  Only the stage's rules may run.

- Online, the whole stage runs: download (manifest with the resolved commit of every file), counts equal to
  the simulated outcomes, skills, IRT fit, the pass@k table (its ground truth equal to a direct computation
  from the samples) and Figure 7, and results/README.md (the report's captions) lists the stage's files.
- Offline without a cached copy (``HF_HUB_OFFLINE=1``), and with an offline mirror that does not hold the
  repo, the stage target completes and says once that Figure 7 was skipped and how to get it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from slothpipe.catalog import describe, read_catalog

import numpy as np
import pandas as pd
import pytest
from snakemake_runner import environment, output, planned_rules, snakemake
from synthetic_sources import registry_row, write_registry
from world import BENCHMARKS, REPO, repository_config, simulate_dataset, write_dataset

pytestmark = pytest.mark.slow(seconds=45)

REPO_ID = "ScalingIntelligence/monkey_business"
TRAIN = ["alpha-1b", "alpha-3b", "beta-1.5b", "beta-6b", "gamma-2b", "delta-2.5b"]
TARGETS = ["alpha-7b", "gamma-8b"]
RULES = ["test_time", "download_test_time", "test_time_clean", "test_time_skills", "test_time_fit",
         "test_time_table", "test_time_figure", "publish_result", "publish_intermediate"]  # fmt: skip
MESSAGE = "Figure 7 (test-time scaling, the test_time stage) was skipped"


def simulated_samples(
    truth: pd.DataFrame, models: list[str], n_problems=12, n_samples=40
) -> dict[str, np.ndarray]:
    """Per model, problems x samples booleans from a one-skill IRT layer on log10 size (bigger solve more)."""
    rng = np.random.default_rng(7)
    a = rng.uniform(0.5, 2.0, n_problems)
    b = rng.normal(0.0, 1.0, n_problems)
    size = truth.set_index("model")["params_b"]
    out = {}
    for m in models:
        p = 1 / (1 + np.exp(-(a * np.log10(size[m]) * 2 - b)))
        out[m] = rng.random((n_problems, n_samples)) < p[:, None]
    return out


def math_file(samples: np.ndarray) -> bytes:
    records = [
        {
            "question": f"problem {j}",
            "samples": ["..."] * samples.shape[1],
            "is_corrects": [bool(x) for x in row],
        }
        for j, row in enumerate(samples)
    ]
    return json.dumps(records).encode()


def write_stage(root: Path, hub=None) -> tuple[dict, dict[str, np.ndarray]]:
    truth = simulate_dataset(d=3)
    models = TRAIN + TARGETS
    samples = simulated_samples(truth, models)
    files = {m: f"MATH_{m.title()}.json" for m in models}
    config = repository_config()
    config["interpretation"].update(rotation_starts=1, rotation_max_iter=500)
    config["test_time"].update(
        files=files, targets=TARGETS, drop=["alpha-14b"], benchmarks=list(BENCHMARKS), n_skills=2,
        n_restarts=1, seeds=[0], k_points=8,
        irt={"train_fraction": 0.9, "l2_grid": [1.0e-3, 0.0], "random_state": 42},
    )  # fmt: skip
    if hub is not None:
        content = {files[m]: math_file(samples[m]) for m in models} | {"README.md": b"# card"}
        config["sources"]["hub"]["monkey_business"]["revision"] = hub.add_commit(REPO_ID, content)
    write_dataset(root, truth, config)
    rows = [
        registry_row(r["model"], hf_id=f"synth/{r['model']}", family=r["family"],
                     variant_family=r["variant_family"], instruct=str(r["instruct"]).lower(),
                     params_b_paper=f"{r['params_b']:g}", tokens_t_paper=f"{r['tokens_t']:g}")
        for r in truth.to_dict("records")
    ]  # fmt: skip
    write_registry(root / "config" / "models.csv", rows)
    return config, samples


def test_the_stage_runs_end_to_end_on_the_fake_hub(tmp_path, fake_hub):
    root = tmp_path / "world"
    config, samples = write_stage(root, fake_hub)
    run = snakemake(root, "test_time", hub=fake_hub, allowed_rules=RULES)
    assert run.returncode == 0, output(run)[-4000:]
    assert MESSAGE not in output(run)

    results = root / "results"
    manifest = json.loads((results / "data" / "manifests" / "monkey_business.json").read_text())
    commit = config["sources"]["hub"]["monkey_business"]["revision"]
    assert sorted(manifest["files"]) == sorted(TRAIN + TARGETS)
    assert {f["resolved_revision"] for f in manifest["files"].values()} == {commit}

    counts = pd.read_parquet(results / "test_time" / "counts.parquet")
    assert counts.columns.tolist() == ["model", "file", "problem", "n_samples", "n_correct"]
    for model, outcome in samples.items():
        rows = counts[counts["model"] == model].sort_values("problem")
        assert rows["n_correct"].tolist() == outcome.sum(axis=1).tolist()
        assert set(rows["n_samples"]) == {outcome.shape[1]}

    table = pd.read_csv(results / "tables" / "test_time_pass_at_k.csv")
    assert table.columns.tolist() == ["model", "role", "k", "pass_at_k", "predicted"]
    assert table["model"].unique().tolist() == TARGETS + sorted(TRAIN)
    assert set(table.loc[table["model"].isin(TARGETS), "role"]) == {"target"}
    assert table["k"].min() == 1 and table["k"].max() == 40
    for model in TARGETS:
        outcome = samples[model]
        for k in (1, 5, 40):
            direct = np.mean([1 - math.comb(40 - c, k) / math.comb(40, k) for c in outcome.sum(axis=1)])
            got = table[(table["model"] == model) & (table["k"] == k)]["pass_at_k"].item()
            assert got == pytest.approx(direct, abs=1e-6)  # the CSV keeps six significant digits
    assert np.all(np.diff(table[table["model"] == TARGETS[0]]["predicted"]) >= 0)  # coverage grows with k
    info = json.loads((results / "test_time" / "irt_info.json").read_text())
    assert info["train_models"] == sorted(TRAIN) and info["chosen_l2"] in (1.0e-3, 0.0)
    assert "Binomial(n, fraction)" in info["mask"]
    for ext in ("pdf", "png"):
        assert (results / "figures" / f"fig07_test_time.{ext}").stat().st_size > 0

    # the report shows every published file with its results/README.md row (publish.smk): Figure 7's rows
    catalog = read_catalog(REPO / "results" / "README.md")
    for name in ("figures/fig07_test_time.png", "tables/test_time_pass_at_k.csv", "test_time/irt_info.json"):
        entry = describe(catalog, name)
        assert entry.section == "Test-time scaling" and entry.rule.startswith("test_time_"), name
    assert describe(catalog, "figures/fig07_test_time.pdf").caption().startswith("Reproduces: Fig. 7.")


def test_without_the_source_the_stage_is_skipped_with_one_message(tmp_path):
    root = tmp_path / "world"
    write_stage(root)
    env = environment(None, HF_HOME=str(root / "_hf_home"))  # HF_HUB_OFFLINE=1 and an empty cache
    run = snakemake(root, "test_time", env=env, allowed_rules=RULES)
    assert run.returncode == 0, output(run)[-4000:]
    said = output(run)
    assert said.count(MESSAGE) == 1, said[-3000:]
    assert "HF_HUB_OFFLINE is set" in said and "snakemake --cores 8 test_time" in said
    assert "--forcerun download_test_time" in said
    assert not (root / "results" / "test_time").exists()
    assert not (root / "results" / "figures").exists()

    # an offline mirror without the repo: decided when the workflow is planned, no job runs
    (root / "mirror" / "hub").mkdir(parents=True)
    dry = snakemake(root, "test_time", "--dry-run", env=env, mirror=root / "mirror", allowed_rules=RULES)
    assert dry.returncode == 0, output(dry)[-4000:]
    assert output(dry).count(MESSAGE) == 1
    assert f"the offline mirror {root / 'mirror'} has no directory hub/{REPO_ID}/" in output(dry)
    assert planned_rules(output(dry)) == {"test_time"}
