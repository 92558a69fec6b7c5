"""The headline test (issue 27): paired comparisons over held-out groups; the tracked `ours` rows."""

from __future__ import annotations

from pathlib import Path

from slothpipe.evaluation.headline_test import (
    COLUMNS,
    headline_test,
    holm,
    select_leave_one_group_out,
)
from slothpipe.evaluation.protocol_tables import protocol_mae, with_ours

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

REPO = Path(__file__).resolve().parents[2]


def _groups(table: dict[str, list[float]], suite="v1", n=1) -> pd.DataFrame:
    """Group errors with two benchmarks per group whose mean is the given per-group value."""
    rows = []
    for method, values in table.items():
        for i, v in enumerate(values):
            for bench, shift in (("A", -1.0), ("B", 1.0)):
                rows.append((suite, n, method, f"g{i}", bench, v + shift))
    return pd.DataFrame(rows, columns=["suite", "n_train_models", "method", "group", "benchmark", "mae_pp"])


def test_holm_matches_the_step_down_definition():
    p = [0.01, 0.04, 0.03, np.nan, 0.5]
    # sorted 0.01, 0.03, 0.04, 0.5 with m = 4: 0.04, 0.09, max(0.09, 0.08), 0.5
    assert np.allclose(holm(p), [0.04, 0.09, 0.09, np.nan, 0.5], equal_nan=True)


def test_d_is_chosen_on_the_other_groups_only():
    table = pd.DataFrame(
        {"s_d1": [1.0, 5.0, 5.0], "s_d2": [9.0, 4.0, 4.0]}, index=pd.Index(["a", "b", "c"], name="group")
    )
    errors, chosen = select_leave_one_group_out(table, "s_selected_d")
    # a: others b, c prefer d2 (4 < 5); b: others a, c: d1 3.0 vs d2 6.5 -> d1; c likewise
    assert chosen.tolist() == [2, 1, 1]
    assert errors.tolist() == [9.0, 5.0, 5.0]


def test_headline_test_rows_pairs_and_interval():
    groups = _groups(
        {"m_d1": [2.0, 3.0, 4.0, 6.0], "m_d2": [3.0, 3.0, 3.0, 3.0], "base": [1.0, 2.0, 3.0, 4.0]}
    )
    table = headline_test(
        groups,
        settings=[("v1", 1), ("v2", 1)],
        methods=["m_d1", "m_selected_d", "absent"],
        baselines=["base"],
        n_boot=2000,
        seed=3,
        level=0.9,
    )
    assert list(table.columns) == COLUMNS
    assert table["method"].tolist() == ["m_d1", "m_selected_d"]  # v2 and "absent" have no errors
    first = table.iloc[0]
    assert first["n_groups"] == 4 and first["mean_diff_pp"] == pytest.approx(1.25)
    assert first["ci_low_pp"] <= 1.25 <= first["ci_high_pp"]
    assert first["p_value"] == pytest.approx(stats.wilcoxon([1.0, 1.0, 1.0, 2.0]).pvalue)
    assert (table["protocol"] == "ours").all()
    again = headline_test(
        groups, settings=[("v1", 1)], methods=["m_d1"], baselines=["base"], n_boot=2000, seed=3, level=0.9
    )
    assert again.iloc[0]["ci_low_pp"] == first["ci_low_pp"]  # fixed seed, same groups resampled


def test_a_run_without_the_methods_gives_an_empty_table_a_sentence_and_a_figure():
    from slothpipe.evaluation.headline_test import figure_panels, summary_markdown
    from slothpipe.plotting.paired import paired_differences_figure
    from slothpipe.plotting.style import close

    groups = _groups({"pca_flops_d1": [1.0, 2.0]})
    table = headline_test(
        groups,
        settings=[("v1", 1)],
        methods=["sloth_d2"],
        baselines=["size_tokens"],
        n_boot=100,
        seed=0,
        level=0.9,
    )
    assert table.empty and list(table.columns) == COLUMNS
    text = summary_markdown(
        table, groups, method="sloth_d2", baseline="size_tokens", labels={}, level=0.9, n_boot=100
    )
    assert text.startswith("No comparison")
    panels = figure_panels(groups, table, methods=["sloth_d2"], baseline="size_tokens")
    close(paired_differences_figure(panels, methods=["sloth_d2"], labels={}, baseline="size_tokens"))


def test_protocol_runs_follow_the_seeds_of_each_setting():
    from slothpipe.evaluation.protocol import protocol_label, protocol_runs

    spec = {
        "seeds": [0, 1, 2],
        "settings": [
            {"suite": "v2", "n_train_models": 1, "groups": ["a", "b"]},
            {"suite": "v1", "n_train_models": 1, "groups": ["c"], "seeds": [0, 1]},
        ],
    }
    runs = protocol_runs(spec)
    assert runs[:3] == [(0, "v2", 1, "a"), (0, "v2", 1, "b"), (0, "v1", 1, "c")]
    assert (2, "v1", 1, "c") not in runs and len(runs) == 8
    assert protocol_label("adam_paper", 2) == "adam_paper_s2"


def test_protocol_tables_add_seed_mean_and_our_fits_of_the_same_folds():
    refit = _groups({"size_tokens": [2.0, 4.0]}).assign(protocol="adam_paper_s0")
    refit = pd.concat([refit, refit.assign(protocol="adam_paper_s1", mae_pp=refit["mae_pp"] + 2.0)])
    ours = _groups({"size_tokens": [1.0, 1.0, 9.0], "flops": [5.0, 5.0, 5.0]})
    table = with_ours(refit, ours)
    assert list(dict.fromkeys(table["protocol"])) == [
        "adam_paper_s0",
        "adam_paper_s1",
        "adam_paper_seedmean",
        "ours",
    ]
    paper = {"v1": {1: {"n_test_groups": 2, "mae_pp": {"logSlogT_trainlink_faminter": 3.5}}}}
    mae = protocol_mae(table, paper, {"size_tokens": "logSlogT_trainlink_faminter"})
    got = dict(zip(mae["protocol"], mae["mae_pp"], strict=True))
    assert got == {"adam_paper_s0": 3.0, "adam_paper_s1": 5.0, "adam_paper_seedmean": 4.0, "ours": 1.0}
    assert set(mae["paper_mae_pp"]) == {3.5} and set(mae["n_groups"]) == {2}


# --------------------------------------------------------------------------- the tracked table, recomputed


def _logo(per_group: pd.DataFrame, prefix: str) -> pd.Series:
    ks = sorted(int(c.rsplit("_d", 1)[1]) for c in per_group.columns if c.startswith(f"{prefix}_d"))
    out = {}
    for g in per_group.index:
        others = per_group.drop(index=g)
        means = [others[f"{prefix}_d{k}"].mean() for k in ks]
        out[g] = per_group.loc[g, f"{prefix}_d{ks[int(np.argmin(means))]}"]
    return pd.Series(out)


def test_tracked_ours_rows_recomputed_from_the_tracked_group_errors():
    table_path = REPO / "results" / "tables" / "headline_test.csv"
    groups_path = REPO / "results" / "evaluation" / "group_errors.parquet"
    if not table_path.exists() or not groups_path.exists():
        pytest.skip("results/tables/headline_test.csv or group_errors.parquet not present")
    spec = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["evaluation"]
    spec = spec["headline_test"]
    tracked = pd.read_csv(table_path)
    assert list(tracked.columns) == COLUMNS
    ours = tracked[tracked["protocol"] == "ours"].reset_index(drop=True)
    assert len(ours) == len(tracked)
    groups = pd.read_parquet(groups_path)
    expected = []
    for r in ours.itertuples(index=False):
        sub = groups[(groups["suite"] == r.suite) & (groups["n_train_models"] == r.n_train_models)]
        per_group = sub.groupby(["group", "method"])["mae_pp"].mean().unstack()

        def errors(name, per_group=per_group):
            if name.endswith("_selected_d"):
                return _logo(per_group, name.removesuffix("_selected_d"))
            return per_group[name]

        diff = (errors(r.method) - errors(r.baseline)).dropna().to_numpy()
        rng = np.random.default_rng(spec["seed"])
        boot = diff[rng.integers(0, len(diff), size=(spec["n_boot"], len(diff)))].mean(axis=1)
        low, high = np.quantile(boot, [(1 - spec["level"]) / 2, (1 + spec["level"]) / 2])
        expected.append((len(diff), diff.mean(), low, high, stats.wilcoxon(diff).pvalue))
    expected = np.array(expected)
    assert (ours["n_groups"].to_numpy() == expected[:, 0]).all()
    got = ours[["mean_diff_pp", "ci_low_pp", "ci_high_pp", "p_value"]].to_numpy()
    assert np.allclose(got, expected[:, 1:], atol=6e-5, rtol=0)  # the CSV has four decimals
    m = len(ours)
    order = np.argsort(expected[:, 4], kind="mergesort")
    adjusted = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * expected[order, 4]))
    p_holm = np.empty(m)
    p_holm[order] = adjusted
    assert np.allclose(ours["p_holm"].to_numpy(), p_holm, atol=6e-5, rtol=0)
    assert spec["n_boot"] >= 10_000
    # every setting and every configured method x baseline that the run fitted is in the table
    assert set(ours["method"]) == set(spec["methods"]) and set(ours["baseline"]) == set(spec["baselines"])
