"""Interpretation stage: multi-start geomin, re-rotation, the interpretation file, tables, compute-optimal
allocation, instruction-tuning pairs and motivation rows (synthetic data; the paper check needs ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

from slothpipe.errors import ConfigError, DataError
from slothpipe.interpretation.products import (
    budget_floor,
    compute_optimal_latex,
    compute_optimal_table,
    instruct_pairs,
    loadings_table,
    motivation_frame,
    skill_order,
    slug,
)
from slothpipe.interpretation.records import interpretation_record, read_interpretation, write_interpretation
from slothpipe.interpretation.rotation import geomin_oblique, name_skills
from slothpipe.interpretation.skills_model import (
    PLOT_ORDER,
    fit_skills,
    geomin_criterion,
    geomin_multistart,
    rerotate,
    skills_frame,
    whitened_loadings,
)
from slothpipe.models.methods import chance_levels

import numpy as np
import pandas as pd
import pytest
import yaml

CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.yaml"

SETTINGS = {"log_base": 10.0, "n_skills": 3}


def model_eta(fit):
    X = fit.frame[["u", "v"]].to_numpy()
    families = fit.frame["variant_family"].to_numpy(dtype=str)
    return fit.model._eta(*fit.model._designs(X, families, "families"))


def saved(fit, tmp_path, settings=SETTINGS):
    path = tmp_path / "skills.json"
    write_interpretation(interpretation_record(fit, settings), path)
    return read_interpretation(path)


# ----------------------------------------------------------------------------------------- rotation


def test_multistart_keeps_the_lowest_criterion_and_starts_at_identity():
    rng = np.random.default_rng(1)
    lam = np.abs(rng.normal(0.5, 0.6, (12, 3)))
    T, search = geomin_multistart(lam, n_starts=4, random_state=0, tol=1e-6, max_iter=1000)
    assert search.criterion == pytest.approx(min(search.criteria), abs=1e-6)
    assert len(search.criteria) == 4
    # start 0 is exactly the single-start rotation (T = I)
    single, _ = geomin_oblique(lam, tol=1e-6, max_iter=1000)
    assert search.criteria[0] == pytest.approx(geomin_criterion(single))
    # the returned T has unit-norm columns and reaches the reported criterion
    assert np.allclose(np.linalg.norm(T, axis=0), 1.0)
    assert geomin_criterion(lam @ np.linalg.inv(T).T) == pytest.approx(search.criterion)
    # deterministic
    T2, search2 = geomin_multistart(lam, n_starts=4, random_state=0, tol=1e-6, max_iter=1000)
    assert np.array_equal(T, T2) and search.criteria == search2.criteria
    with pytest.raises(ValueError, match="n_starts"):
        geomin_multistart(lam, n_starts=0)


def test_rerotation_leaves_predictions_unchanged(fit3):
    it = fit3.interpretation
    rng = np.random.default_rng(3)
    T = rng.normal(size=(3, 3))
    T /= np.linalg.norm(T, axis=0)
    new = rerotate(it, T)
    X = fit3.frame[["u", "v"]].to_numpy()
    families = fit3.frame["variant_family"].to_numpy(dtype=str)
    assert np.allclose(new.eta(X, families), model_eta(fit3), atol=1e-10)
    assert np.allclose(new.skills @ new.loadings + new.bias, model_eta(fit3), atol=1e-10)
    assert np.allclose(new.skills.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(np.diag(new.skill_correlation), 1.0)
    assert np.allclose(np.cov(new.skills.T), new.skill_correlation, atol=1e-8)  # unit variances kept


def test_fit_with_several_starts_is_a_rotation_of_the_single_start(dataset):
    frame = skills_frame(dataset, PLOT_ORDER)
    one = fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=2, rotation_starts=1)
    many = fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=2, rotation_starts=5, rotation_tol=1e-7)
    assert one.rotation_search is None and len(many.rotation_search.criteria) == 5
    assert np.allclose(
        many.interpretation.skills @ many.interpretation.loadings,
        one.interpretation.skills @ one.interpretation.loadings,
        atol=1e-9,
    )
    assert np.allclose(whitened_loadings(many.interpretation), whitened_loadings(one.interpretation))
    # the search includes the single start, so it is never worse; two runs to the same optimum agree to
    # rounding only (under OPENBLAS_CORETYPE=SandyBridge the search's optimum was 1e-15 above the other)
    criterion_many = geomin_criterion(many.interpretation.loadings.T)
    assert criterion_many <= geomin_criterion(one.interpretation.loadings.T) + 1e-9


def test_fit_takes_other_floors(dataset, fit3):
    frame = skills_frame(dataset, PLOT_ORDER)
    floors = chance_levels(PLOT_ORDER) * 0.5
    fit = fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=2, chance=floors)
    assert np.allclose(fit.model.floors_, floors)
    assert np.allclose(fit3.model.floors_, chance_levels(PLOT_ORDER))  # the default: the paper's chance
    assert not np.isclose(fit.model.loss_, fit3.model.loss_)
    with pytest.raises(ValueError, match="chance"):
        fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=1, chance=floors[:5])


@pytest.mark.parametrize("anchor", [0, 1])
def test_sign_convention(dataset, anchor):
    frame = skills_frame(dataset, PLOT_ORDER)
    fit = fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=2, anchor=anchor, rotation_starts=3)
    assert np.all(fit.interpretation.coefficients[anchor] > 0)
    assert np.allclose(fit.interpretation.skills @ fit.interpretation.loadings + fit.interpretation.bias,
                       model_eta(fit), atol=1e-10)  # fmt: skip


# ------------------------------------------------------------------------------- interpretation file


def test_file_round_trip_reproduces_the_model(fit3, tmp_path):
    result = saved(fit3, tmp_path)
    # predictions recomputed from the file equal the fitted model's (whitening + rotation change nothing)
    X = fit3.frame[["u", "v"]].to_numpy()
    families = fit3.frame["variant_family"].to_numpy(dtype=str)
    assert np.allclose(result.predict().to_numpy(), fit3.model.predict(X, families), atol=1e-12)
    assert np.allclose(result.eta(), model_eta(fit3), atol=1e-10)
    # every array survives exactly (JSON floats are shortest round-trip reprs)
    assert np.array_equal(result.loadings.to_numpy(), fit3.interpretation.loadings)
    assert np.array_equal(result.coefficients.to_numpy(), fit3.interpretation.coefficients)
    assert np.array_equal(result.skills.to_numpy(), fit3.interpretation.skills)
    assert result.names == fit3.names and result.benchmarks == list(PLOT_ORDER)
    assert result.models["model"].tolist() == fit3.frame["model"].tolist()
    assert result.record["rotation_search"]["chosen"] == fit3.rotation_search.chosen
    # same record, same bytes
    again = tmp_path / "again.json"
    write_interpretation(interpretation_record(fit3, SETTINGS), again)
    assert again.read_bytes() == (tmp_path / "skills.json").read_bytes()


def test_bad_interpretation_files_are_rejected(fit3, tmp_path):
    record = interpretation_record(fit3, SETTINGS)
    bad = dict(record, loadings=[row[:-1] for row in record["loadings"]])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(DataError, match="'loadings' has shape"):
        read_interpretation(path)
    path.write_text(json.dumps(dict(record, format_version=99)), encoding="utf-8")
    with pytest.raises(DataError, match="format_version"):
        read_interpretation(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="cannot read"):
        read_interpretation(path)


# ------------------------------------------------------------------------------------------- tables


def constructed_record(perm):
    """An interpretation record whose loadings have a clear Reasoning / Knowledge / IF structure, rows in
    the order ``perm``."""
    lam = np.zeros((3, 12))
    idx = {b: k for k, b in enumerate(PLOT_ORDER)}
    for b in ("GSM8K", "MATH Lvl 5", "GPQA", "MMLU", "MMLU-PRO", "BBH"):
        lam[0, idx[b]] = 2.0
    for b in ("ARC", "HellaSwag", "Winogrande"):
        lam[1, idx[b]] = 0.6
    lam[1, idx["GSM8K"]] = -0.5
    lam[2, idx["IFEval"]] = 0.6
    lam[2, idx["TruthfulQA"]] = 0.3
    lam = lam[list(perm)]
    names = name_skills(lam, PLOT_ORDER)
    return lam, names


@pytest.mark.parametrize("perm", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)])
def test_names_and_tables_follow_content_not_row_order(perm, tmp_path):
    lam, names = constructed_record(perm)
    truth = ["Reasoning", "Knowledge", "Instruction following"]
    assert names == [truth[p] for p in perm]
    shuffled = list(reversed(PLOT_ORDER))
    record = {
        "names": names, "benchmarks": shuffled, "loadings": lam[:, ::-1].tolist(),
    }  # fmt: skip
    from slothpipe.interpretation.records import SkillsResult

    table = loadings_table(SkillsResult(record, "x"), PLOT_ORDER)
    assert table.columns.tolist() == ["skill", *PLOT_ORDER]
    assert table["skill"].tolist() == truth
    assert table.loc[0, "GSM8K"] == 2.0 and table.loc[1, "GSM8K"] == -0.5 and table.loc[2, "IFEval"] == 0.6


def test_skill_order():
    assert skill_order(["Instruction following", "Knowledge 2", "Reasoning", "Knowledge 1"]) == [
        "Reasoning", "Knowledge 1", "Knowledge 2", "Instruction following",
    ]  # fmt: skip
    assert skill_order(["Knowledge + Instruction following", "Reasoning"]) == [
        "Reasoning", "Knowledge + Instruction following",
    ]  # fmt: skip


# ------------------------------------------------------------------------------- compute-optimal


def test_compute_optimal_table_matches_grid_search(fit3, tmp_path):
    result = saved(fit3, tmp_path)
    table = compute_optimal_table(result, n_budgets=5, low_flops=2e21)
    models = result.models
    s_lo, s_hi = models["params_b"].min(), models["params_b"].max()
    t_lo, t_hi = models["tokens_t"].min(), models["tokens_t"].max()
    budgets = np.geomspace(2e21, 6e21 * s_hi * t_hi, 5)
    assert table.columns.tolist() == ["flops_1e19", "skill", "params_b", "tokens_t"]
    assert len(table) == 5 * 3
    assert np.allclose(sorted(set(table["flops_1e19"])), budgets / 1e19)
    for skill in result.names:
        beta = result.slopes[skill].to_numpy()
        rows = table[table["skill"] == skill]
        for c, (_, row) in zip(budgets, rows.iterrows(), strict=True):
            # brute force over a fine grid of the budget line inside the box
            line = np.log10(c / 6e21)
            lo = max(line - np.log10(t_hi), np.log10(s_lo))
            hi = min(line - np.log10(t_lo), np.log10(s_hi))
            u = np.linspace(lo, hi, 100001)
            g = beta[0] * u + beta[1] * (line - u) + beta[2] * u * (line - u)
            u_row = np.log10(row["params_b"])
            g_row = beta[0] * u_row + beta[1] * (line - u_row) + beta[2] * u_row * (line - u_row)
            assert g_row >= g.max() - 1e-9
            assert row["params_b"] * row["tokens_t"] * 6e21 == pytest.approx(c)
    # within a budget, skills in reading order
    assert table["skill"].tolist()[:3] == skill_order(result.names)
    tex = compute_optimal_latex(table, ["Instruction following"], caption="c", label="l")
    assert tex.count(r"\\") == 2 + 5 and "Instruction following" in tex
    low = compute_optimal_table(result, n_budgets=5, low_flops=1e20)  # below the box: starts at its corner
    assert low["flops_1e19"].min() == pytest.approx(budget_floor(result) / 1e19)
    assert np.allclose(low.iloc[:3][["params_b", "tokens_t"]].min(), [0.3, 0.6])
    with pytest.raises(ConfigError, match="outside the size/token box"):
        compute_optimal_table(result, n_budgets=5, high_flops=1e30)


# --------------------------------------------------------------------------- instruction tuning, motivation


def test_instruct_pairs_match_models_of_the_same_size(fit3, tmp_path):
    result = saved(fit3, tmp_path)
    pairs = instruct_pairs(result, [("alpha", "alpha-chat"), ("absent", "absent-it")])
    assert sorted(set(zip(pairs["base_model"], pairs["instruct_model"], strict=True))) == [
        ("alpha-14b", "alpha-14b-chat"), ("alpha-1b", "alpha-1b-chat"), ("alpha-7b", "alpha-7b-chat"),
    ]  # fmt: skip
    assert len(pairs) == 3 * 3
    row = pairs.iloc[0]
    assert row["base"] == result.skills.at[row["base_model"], row["skill"]]
    assert row["instruct"] == result.skills.at[row["instruct_model"], row["skill"]]


def test_motivation_rows_top_families_base_only(dataset):
    data = pd.concat([dataset, dataset.assign(model=dataset["model"] + "-x", family="zeta")])
    data.loc[data["model"] == "beta-0.4b", "BBH"] = np.nan
    rows = motivation_frame(data, "BBH", n_families=2)
    # base models with a score: zeta 17 (all its rows, instruct ones dropped -> 14), alpha 5, beta 3, ...
    assert list(dict.fromkeys(rows["family"])) == ["zeta", "alpha"]
    assert not rows["model"].str.endswith("-chat").any() and not rows["model"].str.endswith("-chat-x").any()
    first = rows.iloc[0]
    assert first["log_flops"] == pytest.approx(np.log(6 * 0.3e9 * 0.6e12))
    with pytest.raises(DataError, match="no benchmark column"):
        motivation_frame(dataset, "Nope")


def test_slug():
    assert slug("MATH Lvl 5") == "math-lvl-5" and slug("MMLU-PRO") == "mmlu-pro" and slug("BBH") == "bbh"


# ----------------------------------------------------------------------------------- the paper's data

# Table 2 of the paper: (params B, tokens T) for Reasoning and Knowledge at the six budgets.
TABLE2_REASONING = [(0.93, 0.18), (5.36, 0.18), (30.98, 0.18), (72.0, 0.45), (72.0, 2.59), (72.0, 15.0)]
TABLE2_KNOWLEDGE = [(0.16, 1.04), (0.16, 6.02), (0.37, 15.0), (2.15, 15.0), (12.44, 15.0), (72.0, 15.0)]


@pytest.mark.shared
@pytest.mark.slow(seconds=25)
def test_table2_reasoning_and_knowledge_on_the_papers_data(shared_dir, tmp_path):
    ref = pd.read_csv(shared_dir / "reference" / "sloth_data_v2.csv", index_col="Model")
    dataset = pd.DataFrame(
        {
            "model": ref.index.astype(str),
            "family": ref["Family"].astype(str).to_numpy(),
            "variant_family": ref["Family2"].astype(str).to_numpy(),
            "instruct": ref["Instruct"].astype(bool).to_numpy(),
            "params_b": ref["#Params (B)"].to_numpy(dtype=float),
            "tokens_t": ref["Pretraining Data Size (T)"].to_numpy(dtype=float),
            **{b: ref[b].to_numpy(dtype=float) for b in PLOT_ORDER},
        }
    )
    frame = skills_frame(dataset, PLOT_ORDER)
    assert len(frame) == 79
    # the pipeline's settings of the interpretation fit, ridge included (config/config.yaml)
    ridge = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["interpretation"]["ridge"]
    fit = fit_skills(frame, PLOT_ORDER, n_skills=3, n_restarts=20, random_state=0, rotation_starts=10,
                     rotation_tol=1e-6, rotation_max_iter=5000, ridge=ridge)  # fmt: skip
    result = saved(fit, tmp_path)
    table = compute_optimal_table(result, n_budgets=6)
    assert np.round(sorted(set(table["flops_1e19"])), 0).tolist() == [100, 579, 3347, 19362, 112011, 648000]
    # Every cell within 0.01 of the printed value: the closed form is exact where the paper searched a grid,
    # so three cells round to one unit more than the paper prints (30.99, 6.03, 12.45 vs 30.98, 6.02, 12.44).
    for skill, expected in (("Reasoning", TABLE2_REASONING), ("Knowledge", TABLE2_KNOWLEDGE)):
        rows = table[table["skill"] == skill]
        got = rows[["params_b", "tokens_t"]].to_numpy()
        assert np.abs(got - np.array(expected)).max() <= 0.01, (skill, got.round(4).tolist())
