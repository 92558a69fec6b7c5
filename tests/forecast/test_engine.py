"""One engine, three entry points: a forecast's points are a fold job's predictions on the same training rows,
and the command line, the engine and the API give the same numbers."""

from __future__ import annotations

from slothpipe import SlothBasic
from slothpipe.evaluation.folds import evaluate_fold
from slothpipe.evaluation.groups import Group, split_group, suite_frame
from slothpipe.forecast.__main__ import main
from slothpipe.forecast.engine import FORECAST_COLUMNS, forecast
from slothpipe.forecast.new_models import check_request, suite_benchmarks

import numpy as np
import pandas as pd
import pytest
from conftest import calibration_table

V1 = suite_benchmarks("v1")
GROUP = Group("qwen1.5", ("qwen1.5", "qwen1.5-chat"))  # every variant family of the original family qwen1.5
METHODS = ["flops", "sloth_basic_d2"]


@pytest.fixture(scope="module")
def fold(dataset):
    """The LB v1 fold holding out Qwen1.5 with one training model per family, and the same as a request."""
    frame = suite_frame(dataset, V1, 1)
    split = split_group(frame, GROUP, 1)
    known, targets = frame.iloc[split.train], frame.iloc[split.test]
    known = known[known["variant_family"].isin(GROUP.families)]
    rows = pd.concat([known, targets.assign(**{b: np.nan for b in V1})])
    new = rows[["model", "variant_family", "params_b", "tokens_t", *V1]].rename(
        columns={"variant_family": "family"}
    )
    errors = evaluate_fold(dataset, suite="v1", benchmarks=V1, n_train_models=1, group=GROUP, methods=METHODS)
    return new.reset_index(drop=True), errors


def test_a_forecast_predicts_what_the_fold_job_predicts(fold, dataset):
    new, errors = fold
    request = check_request(new, "v1")
    for method in METHODS:
        result = forecast(
            request, dataset, calibration_table(), method=method, exclude_families=["qwen1.5"], level=0.9
        )
        assert result.n_train_models == 1
        got = result.table.set_index(["model", "benchmark"])["predicted"]
        want = errors[errors["method"] == method].set_index(["model", "benchmark"])["y_pred"].clip(0, 1)
        assert len(got) == len(want) == 6 * len(request.targets)
        np.testing.assert_array_equal(got.loc[want.index].to_numpy(), want.to_numpy())
        table = result.table
        assert list(table.columns) == FORECAST_COLUMNS
        assert ((table["lower"] <= table["predicted"]) & (table["predicted"] <= table["upper"])).all()
        assert ((table["lower"] >= 0) & (table["upper"] <= 1)).all()


def test_the_command_line_the_engine_and_the_api_agree(fold, dataset, tmp_path, calibration, sim_dataset):
    new, _ = fold
    path = tmp_path / "qwen.csv"
    new.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    args = [str(path), "--leaderboard", "v1", "--method", "sloth_basic_d2", "--exclude-family", "qwen1.5"]
    assert main([*args, "--out", str(out), "--dataset", sim_dataset, "--calibration", calibration]) == 0
    cli = pd.read_csv(out)
    engine = forecast(
        check_request(new, "v1"),
        dataset,
        pd.read_parquet(calibration),
        method="sloth_basic_d2",
        exclude_families=["qwen1.5"],
    )
    np.testing.assert_allclose(
        cli[["predicted", "lower", "upper"]], engine.table[["predicted", "lower", "upper"]], atol=1e-6
    )
    # the API on the engine's training rows, in the engine's order
    train = engine.training.set_index("model")
    targets = new[new[V1].isna().all(axis=1)].set_index("model").rename(columns={"family": "variant_family"})
    model = SlothBasic(2, benchmarks=V1).fit(train)
    api = model.predict_interval(targets, calibration=calibration, exclude_families=["qwen1.5"])
    assert list(api.columns) == FORECAST_COLUMNS
    np.testing.assert_array_equal(api["model"], engine.table["model"])
    np.testing.assert_allclose(
        api[["predicted", "lower", "upper"]],
        engine.table[["predicted", "lower", "upper"]],
        rtol=0,
        atol=1e-12,
    )


def test_a_family_of_the_dataset_brings_its_models_as_known_models(dataset):
    """Targets named by a variant family of the dataset: its models train, and the notes say how many."""
    new = pd.DataFrame([dict(model="qwen1.5-200b", family="qwen1.5", params_b=200.0, tokens_t=3.0)])
    result = forecast(check_request(new, "v1"), dataset, calibration_table(), method="flops")
    assert any("family qwen1.5: 7 dataset model(s) used as known models" in n for n in result.notes)
    assert result.n_train_models == 2 and len(result.table) == 6
