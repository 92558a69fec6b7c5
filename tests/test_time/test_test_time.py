"""The test-time stage's parts (issue 29): pass@k, the binomial IRT fit, and the cleaning of the MATH files.

- The unbiased pass@k estimator equals a direct computation (the product formula of Chen et al. and, for small
  n, the count of k-subsets with a correct sample); the predicted coverage is the mean of 1 − (1 − p)^k.
- The IRT fit on counts recovers known discriminations and difficulties from outcomes simulated sample by
  sample, and its objective is the sample-level mean cross-entropy.
- The 90 % mask on counts has the moments of a Bernoulli(0.9) mask over the samples.
- Bad input (a file without ``is_corrects``, problem counts that differ between models, a model name that is
  not in the registry, values that are not booleans) stops with one message naming the file, row and column.
- The download step reports an unreachable source (offline without a cached copy, a mirror without the repo)
  as "not available" instead of failing, and copies the files from a mirror that holds them.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

from slothpipe.errors import DataError
from slothpipe.test_time.irt import (
    BinomialIRT,
    coverage,
    k_grid,
    mean_cross_entropy,
    pass_at_k,
    select_and_fit,
    split_counts,
)
from slothpipe.test_time.monkey_data import clean_counts, fetch_files, literal_glob, read_counts

import numpy as np
import pandas as pd
import pytest


def test_pass_at_k_equals_the_direct_computation():
    rng = np.random.default_rng(0)
    for n in (1, 5, 12, 300, 10_000):
        for c in sorted({0, 1, n // 3, n - 1, n} & set(range(n + 1))):
            for k in sorted({1, 2, n // 2, n - 1, n} & set(range(1, n + 1))):
                product = 1.0 if n - c < k else 1.0 - np.prod([1.0 - k / i for i in range(n - c + 1, n + 1)])
                assert pass_at_k(n, c, k) == pytest.approx(product, rel=1e-9, abs=1e-12), (n, c, k)
    # small n: the share of the C(n, k) subsets of k samples that contain a correct one
    for n, c, k in [(6, 2, 3), (7, 0, 2), (5, 5, 1), (8, 3, 5)]:
        outcomes = [1] * c + [0] * (n - c)
        hits = sum(any(s) for s in itertools.combinations(outcomes, k))
        assert pass_at_k(n, c, k) == pytest.approx(hits / math.comb(n, k), rel=1e-12)
    # broadcast over problems, as the figure's ground truth averages them
    n, c = np.full(50, 200), rng.integers(0, 201, 50)
    assert pass_at_k(n, c, 10).mean() == pytest.approx(np.mean([pass_at_k(200, x, 10) for x in c]))
    with pytest.raises(ValueError):
        pass_at_k(5, 2, 6)


def test_coverage_and_k_grid():
    p = np.array([0.0, 0.1, 0.5, 1.0])
    ks = np.array([1, 3, 10])
    expected = [1 - np.mean((1 - p) ** k) for k in ks]
    np.testing.assert_allclose(coverage(p, ks), expected, rtol=1e-12)
    grid = k_grid(10_000, 60)
    assert grid[0] == 1 and grid[-1] == 10_000 and np.all(np.diff(grid) > 0)


def simulate(rng, m=40, J=30, d=2, n=400):
    theta = rng.normal(0.0, 1.0, (m, d))
    a = rng.normal(1.0, 0.5, (J, d))
    b = rng.normal(0.0, 1.0, J)
    p = 1 / (1 + np.exp(-(theta @ a.T - b)))
    samples = rng.random((m, J, n)) < p[..., None]  # sample-level outcomes
    return theta, a, b, samples


def test_irt_fit_on_counts_recovers_known_parameters_from_simulated_samples():
    rng = np.random.default_rng(1)
    theta, a, b, samples = simulate(rng)
    n = np.full(samples.shape[:2], samples.shape[2])
    c = samples.sum(axis=2)
    fit = BinomialIRT().fit(theta, n, c)
    assert fit.converged_
    assert np.abs(fit.discrimination_ - a).max() < 0.25
    assert np.abs(fit.difficulty_ - b).max() < 0.2
    assert np.corrcoef(fit.discrimination_.ravel(), a.ravel())[0, 1] > 0.99
    # the objective is the mean cross-entropy of the individual samples
    eta = fit.logits(theta)[..., None]
    per_sample = np.where(samples, np.logaddexp(0, -eta), np.logaddexp(0, eta)).mean()
    assert fit.loss_ == pytest.approx(per_sample, rel=1e-10)
    assert mean_cross_entropy(fit.logits(theta), n, c) == pytest.approx(per_sample, rel=1e-10)
    # weight decay shrinks the parameters
    shrunk = BinomialIRT(l2=10.0).fit(theta, n, c)
    assert np.linalg.norm(shrunk.discrimination_) < np.linalg.norm(fit.discrimination_)


def test_mask_on_counts_and_weight_decay_selection():
    rng = np.random.default_rng(2)
    n = np.full((200, 50), 100)
    c = rng.integers(0, 101, n.shape)
    n_tr, c_tr, n_val, c_val = split_counts(n, c, train_fraction=0.9, random_state=42)
    assert np.all((0 <= c_tr) & (c_tr <= c) & (c_tr <= n_tr) & (c_val <= n_val)) and np.all(n_tr + n_val == n)
    assert n_tr.mean() == pytest.approx(90, abs=0.1)  # Binomial(100, 0.9)
    assert (c_tr / np.maximum(n_tr, 1)).mean() == pytest.approx((c / n).mean(), abs=0.01)  # hypergeometric
    same = split_counts(n, c, train_fraction=0.9, random_state=42)
    assert all(np.array_equal(x, y) for x, y in zip(same, (n_tr, c_tr, n_val, c_val), strict=True))

    theta, _, _, samples = simulate(np.random.default_rng(3), m=7, J=20, d=3, n=200)
    model, rows = select_and_fit(
        theta, np.full((7, 20), 200), samples.sum(axis=2), l2_grid=[10.0, 1e-3, 0.0], train_fraction=0.9,
        random_state=42,
    )  # fmt: skip
    assert [r["l2"] for r in rows] == [10.0, 1e-3, 0.0]
    best = min(rows, key=lambda r: r["validation_bce"])
    assert model.l2 == best["l2"] and sum(r["chosen"] for r in rows) == 1
    assert rows[0]["validation_bce"] > best["validation_bce"]  # strong decay underfits


# ---- cleaning and bad input


def write_math(path: Path, rows: list, key: str = "is_corrects", lines: bool = False) -> Path:
    records = [{"question": f"q{i}", key: r} for i, r in enumerate(rows)]
    if lines:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    else:
        path.write_text(json.dumps(records), encoding="utf-8")
    return path


def registry(*models: str) -> pd.DataFrame:
    frame = pd.DataFrame({"model": list(models)})
    frame.attrs["path"] = "config/models.csv"
    return frame


def test_clean_counts_reads_records_json_lines_and_pandas_columns(tmp_path):
    write_math(tmp_path / "MATH_A.json", [[True, False, True], [False, False, False]])
    write_math(tmp_path / "MATH_B.json", [[1, 1, 0, 0], [0, 0, 0, 1]], lines=True)
    columns = {"is_corrects": {"0": [False], "1": [True]}, "question": {"0": "x", "1": "y"}}
    (tmp_path / "MATH_C.json").write_text(json.dumps(columns), encoding="utf-8")
    files = {"model-a": "MATH_A.json", "model-b": "sub/MATH_B.json", "model-c": "MATH_C.json"}
    table = clean_counts(tmp_path, files, registry=registry("model-a", "model-b", "model-c"))
    assert table.columns.tolist() == ["model", "file", "problem", "n_samples", "n_correct"]
    assert table[["n_samples", "n_correct"]].to_numpy().tolist() == [
        [3, 2],
        [3, 0],
        [4, 2],
        [4, 1],
        [1, 0],
        [1, 1],
    ]
    assert table["file"].iloc[2] == "sub/MATH_B.json"


def test_an_array_of_records_is_read_record_by_record(tmp_path, monkeypatch):
    rows = [[True, False] * 20, [False] * 7, [True] * 3]
    path = write_math(tmp_path / "MATH_A.json", rows)
    monkeypatch.setattr("slothpipe.test_time.monkey_data._CHUNK", 7)  # every record spans many chunks
    counts = read_counts(path)
    assert counts["n_samples"].tolist() == [40, 7, 3] and counts["n_correct"].tolist() == [20, 0, 3]
    path.write_text(path.read_text(encoding="utf-8")[:-30], encoding="utf-8")  # cut short
    with pytest.raises(DataError, match=r"MATH_A\.json: not a valid JSON array of records"):
        read_counts(path)


def test_bad_input_stops_with_one_message_naming_file_row_and_column(tmp_path):
    good = write_math(tmp_path / "MATH_A.json", [[True], [False]])
    files = {"model-a": "MATH_A.json", "model-b": "MATH_B.json"}
    write_math(tmp_path / "MATH_B.json", [[True], [False]], key="correct")
    with pytest.raises(DataError) as err:
        clean_counts(tmp_path, files, registry=registry("model-a", "model-b"))
    assert str(err.value) == (
        f"{tmp_path / 'MATH_B.json'}: no column 'is_corrects' (the per-sample correctness of each problem); "
        "its columns are correct, question"
    )
    write_math(tmp_path / "MATH_B.json", [[True], [False], [True]])
    with pytest.raises(
        DataError, match=r"MATH_B\.json: 3 problems \(rows\), but .*MATH_A\.json has 2: every"
    ):
        clean_counts(tmp_path, files, registry=registry("model-a", "model-b"))
    with pytest.raises(DataError) as err:
        clean_counts(tmp_path, files, registry=registry("model-a"))
    assert str(err.value) == (
        "config/config.yaml: test_time.files: model 'model-b' (file MATH_B.json) is not in the registry "
        "config/models.csv (column model); add its row there or correct the name"
    )
    write_math(tmp_path / "MATH_B.json", [[True], [True, "yes"]])
    with pytest.raises(DataError, match=r"MATH_B\.json: row 1 \(counting from 0\), column 'is_corrects': "
                       r"expected true/false values, found 'yes'"):  # fmt: skip
        read_counts(tmp_path / "MATH_B.json")
    (tmp_path / "MATH_B.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"MATH_B\.json: not a JSON file"):
        read_counts(tmp_path / "MATH_B.json")
    assert read_counts(good)["n_correct"].tolist() == [1, 0]


def test_fetch_reports_an_unreachable_source_and_copies_from_a_mirror(tmp_path, monkeypatch):
    spec = {"repo_id": "org/monkeys", "revision": "main"}
    files = {"model-a": "MATH_A.json", "model-b": "MATH_B[1].json"}
    assert literal_glob("MATH_B[1].json") == "MATH_B[[]1].json"
    # a mirror without the repo: not available, and the reason says where it looked
    status = fetch_files(source="monkeys", spec=spec, files=files, dest_dir=tmp_path / "raw", mirror=tmp_path)
    assert status["available"] is False and "no directory" in status["reason"]
    # a Hub that does not answer (connection refused): not available
    monkeypatch.setattr("huggingface_hub.constants.ENDPOINT", "http://127.0.0.1:9")
    status = fetch_files(source="monkeys", spec=spec, files=files, dest_dir=tmp_path / "raw", mirror=None)
    assert (
        status["available"] is False
        and "Could not reach the Hugging Face Hub at http://127.0.0.1:9" in (status["reason"])
    )
    # offline without a cached copy: not available either
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    status = fetch_files(source="monkeys", spec=spec, files=files, dest_dir=tmp_path / "raw", mirror=None)
    assert status["available"] is False and "HF_HUB_OFFLINE is set" in status["reason"]
    # a mirror that holds the files
    repo = tmp_path / "mirror" / "hub" / "org" / "monkeys"
    repo.mkdir(parents=True)
    write_math(repo / "MATH_A.json", [[True]])
    write_math(repo / "MATH_B[1].json", [[False]])
    status = fetch_files(
        source="monkeys", spec=spec, files=files, dest_dir=tmp_path / "raw", mirror=tmp_path / "mirror"
    )
    assert status["available"] is True
    assert sorted(status["manifests"]) == ["model-a", "model-b"]
    assert status["manifests"]["model-b"]["path"] == "MATH_B[1].json"
    assert (tmp_path / "raw" / "MATH_B[1].json").read_bytes() == (repo / "MATH_B[1].json").read_bytes()


def test_config_checks_name_the_test_time_setting():
    import copy

    from slothpipe.config import check_config
    from slothpipe.errors import ConfigError

    import yaml

    repo = Path(__file__).resolve().parents[2]
    base = yaml.safe_load((repo / "config" / "config.yaml").read_text(encoding="utf-8"))
    check_config(base, base_dir=repo)
    cases = [
        (("source",), "nowhere", "test_time.source: no such Hub source"),
        (
            ("files", "gemma-2b"),
            "data/x.parquet",
            "test_time.files.gemma-2b: does not match the source's file_glob",
        ),
        (("targets",), ["gemma-2b", "phi-9"], "test_time.targets[1]: not a model of test_time.files"),
        (("irt", "train_fraction"), 1.0, "test_time.irt.train_fraction"),
    ]
    for keys, value, message in cases:
        config = copy.deepcopy(base)
        node = config["test_time"]
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
        with pytest.raises(ConfigError, match=re.escape(message)):
            check_config(config, base_dir=repo)
    without = copy.deepcopy(base)
    del without["test_time"]  # the stage is optional
    check_config(without, base_dir=repo)
