"""The benchmark and source tables (slothpipe.leaderboards) and the figure plan derived from them.

The paper's settings must give exactly the figures, panels and names the rule files used to spell out by hand
(the literals below are those of workflow/rules/*.smk before issue 13), and every consumer of a benchmark fact
(schema, readers, registry floors, heat-map labels, skill groups, loadings order, config validation) must
read it from the tables.
"""

from __future__ import annotations

from pathlib import Path

from slothpipe import leaderboards as tables
from slothpipe.config import load_schema
from slothpipe.data.registry import REGISTRY_COLUMNS
from slothpipe.data.schema import DATASET_COLUMNS, PROVENANCE_COLUMNS
from slothpipe.data.sources import RUAN_BASE_COLUMNS, V1_COLUMNS, V2_COLUMNS
from slothpipe.figure_plan import (
    downstream_figures,
    family_figures,
    has_method,
    heatmap_figures,
    link_figures,
    loadings_figures,
    motivation_figures,
    shared_intercept_figures,
    shared_intercept_setting,
    skill_figures,
)
from slothpipe.interpretation.rotation import SKILL_GROUPS
from slothpipe.interpretation.skills_model import PLOT_ORDER
from slothpipe.models.methods import CHANCE_LEVELS, METHODS
from slothpipe.obsscaling.sloth import CHANCE
from slothpipe.plotting.heatmaps import SHORT_NAMES

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO_ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
SUITES = CONFIG["evaluation"]["suites"]


def test_every_benchmark_fact_comes_from_the_table():
    # The paper's twelve, pinned; a benchmark added to the table later leaves these checks as they are.
    names = tables.BENCHMARKS
    paper = tuple(SUITES["v1+v2"])
    assert len(paper) == 12 and names[:12] == paper
    assert tuple(SUITES["v1"]) == tables.benchmarks_of("leaderboard_v1")
    assert tuple(SUITES["v2"]) == tables.benchmarks_of("leaderboard_v2")
    assert CHANCE_LEVELS == {b.name: b.chance for b in tables.BENCHMARK_TABLE}
    in_paper = [b for b in PLOT_ORDER if b in paper]
    assert in_paper == CONFIG["interpretation"]["benchmarks"] == CONFIG["downstream"]["benchmarks"]
    assert set(V1_COLUMNS.values()) == set(SUITES["v1"]) and set(V2_COLUMNS.values()) == set(SUITES["v2"])
    assert all(col.endswith(" Raw") for col in V2_COLUMNS)
    assert {v for v in RUAN_BASE_COLUMNS.values() if v != "HumanEval"} == set(SUITES["v1"])
    assert CHANCE["ARC-C"] == CHANCE_LEVELS["ARC"] and CHANCE["Winograd"] == CHANCE_LEVELS["Winogrande"]
    short = {
        "HellaSwag": "HS",
        "Winogrande": "Wino",
        "TruthfulQA": "TQA",
        "MATH Lvl 5": "MATH5",
        "MMLU-PRO": "MMLU-P",
    }
    assert {k: v for k, v in SHORT_NAMES.items() if k in paper} == short
    paper_groups = {k: tuple(b for b in v if b in paper) for k, v in SKILL_GROUPS.items()}
    assert paper_groups == {
        "Reasoning": ("GSM8K", "MATH Lvl 5", "GPQA", "MMLU", "MMLU-PRO", "BBH"),
        "Knowledge": ("ARC", "HellaSwag", "Winogrande"),
        "Instruction following": ("TruthfulQA", "IFEval"),
    }
    # dataset contract: benchmarks in table order after the scale columns; provenance per leaderboard
    assert DATASET_COLUMNS[12 : 12 + len(names)] == names
    assert PROVENANCE_COLUMNS[:7] == ("source_v1", "row_v1", "fill_v1", "source_v1_fill", "row_v1_fill",
                                      "source_v2", "row_v2")  # fmt: skip
    assert PROVENANCE_COLUMNS[-2:] == ("source_humaneval", "row_humaneval")
    assert {"v1_fullname", "v2_fullname"} <= set(REGISTRY_COLUMNS)


def test_the_config_schema_takes_its_benchmark_names_from_the_table():
    schema = load_schema()
    assert schema["$defs"]["benchmark"]["enum"] == list(tables.BENCHMARKS)
    assert "Winograd" in schema["$defs"]["obsscaling_metric"]["enum"]


# The literals of workflow/rules/evaluation.smk, interpretation.smk and downstream.smk before issue 13.
OLD_HEATMAPS = {
    "fig01_errors_n1": dict(panels=[("v1", 1), ("v2", 1)], complete=False, metric="mae_pp"),
    "fig10_mape_n1": dict(panels=[("v1", 1), ("v2", 1)], complete=False, metric="mape_pct"),
    "fig11_errors_n1_complete": dict(panels=[("v1", 1), ("v2", 1)], complete=True, metric="mae_pp"),
    "fig12_errors_v1v2_n1": dict(panels=[("v1+v2", 1)], complete=False, metric="mae_pp"),
    "fig12_errors_v1v2_n1_complete": dict(panels=[("v1+v2", 1)], complete=True, metric="mae_pp"),
    "fig16_errors_n2": dict(panels=[("v1", 2), ("v2", 2)], complete=False, metric="mae_pp"),
    "fig16_errors_n2_complete": dict(panels=[("v1", 2), ("v2", 2)], complete=True, metric="mae_pp"),
    "fig17_errors_v1v2_n2": dict(panels=[("v1+v2", 2)], complete=False, metric="mae_pp"),
    "fig17_errors_v1v2_n2_complete": dict(panels=[("v1+v2", 2)], complete=True, metric="mae_pp"),
}
OLD_FAMILY = {
    "fig13_family_errors_v1_n1": ("v1", 1),
    "fig14_family_errors_v2_n1": ("v2", 1),
    "fig15_family_errors_v1v2_n1": ("v1+v2", 1),
    "fig18_family_errors_v1_n2": ("v1", 2),
    "fig19_family_errors_v2_n2": ("v2", 2),
    "fig20_family_errors_v1v2_n2": ("v1+v2", 2),
}


def test_the_paper_settings_give_the_paper_figures():
    assert heatmap_figures(SUITES, [1, 2]) == OLD_HEATMAPS
    assert list(heatmap_figures(SUITES, [1, 2])) == list(OLD_HEATMAPS)
    assert family_figures(SUITES, [1, 2]) == OLD_FAMILY
    assert shared_intercept_setting(SUITES, [1, 2], list(METHODS)) == ("v1+v2", 1)
    # one training model only: the n = 2 figures go
    assert set(heatmap_figures(SUITES, [1])) == {k for k in OLD_HEATMAPS if "_n1" in k}
    # a suite left out of the config leaves the figures that need it out
    v2_only = heatmap_figures({"v2": SUITES["v2"]}, [1])
    assert v2_only["fig01_errors_n1"]["panels"] == [("v2", 1)] and "fig12_errors_v1v2_n1" not in v2_only
    assert family_figures({"v2": SUITES["v2"]}, [1]) == {"fig14_family_errors_v2_n1": ("v2", 1)}


def test_figure3_needs_its_methods_and_a_combined_suite():
    methods = ["flops_shared", "sloth_d2", "sloth_shared_d2"]
    assert shared_intercept_setting(SUITES, [1], methods) == ("v1+v2", 1)
    assert shared_intercept_setting(SUITES, [1], methods[:2]) is None
    assert shared_intercept_setting(SUITES, [2], methods) is None
    assert shared_intercept_setting({"v1": SUITES["v1"]}, [1], methods) is None
    assert shared_intercept_figures(SUITES, [1], methods) == {"fig03_shared_intercept": ("v1+v2", 1)}
    assert shared_intercept_figures(SUITES, [2], methods) == {}
    assert has_method(["sloth_d3"], "sloth_d") and not has_method(["sloth_dx"], "sloth_d")
    assert has_method(["flops_shared"], "flops_shared") and not has_method(["sloth_shared_d2"], "sloth_d")


def test_interpretation_and_downstream_figures():
    interp = CONFIG["interpretation"]
    skills = skill_figures(interp["n_skills"])
    assert skills["fig02_loadings_d3"] == ("loadings", 3) and skills["fig21_loadings_d2"] == ("loadings", 2)
    assert skill_figures([5]) == {
        "skills_loadings_d5": ("loadings", 5),
        "skills_skill_correlation_d5": ("correlation", 5),
        "skills_instruct_vs_base_d5": ("instruct", 5),
        "skills_level_curves_d5": ("level_curves", 5),
    }
    motivation = motivation_figures(interp["motivation"]["benchmarks"])
    assert (
        motivation["fig08_motivation_mmlu-pro"] == "MMLU-PRO" and motivation["fig09_motivation_bbh"] == "BBH"
    )
    assert (
        motivation["motivation/math-lvl-5"] == "MATH Lvl 5"
        and len(motivation) == len(interp["motivation"]["benchmarks"]) + 2
    )
    assert motivation_figures(["GSM8K"]) == {"motivation/gsm8k": "GSM8K"}

    ds = CONFIG["downstream"]
    figures = downstream_figures(ds["tasks"], ds["skills"])
    assert list(figures) == ["fig06_humaneval", "fig30_eq_bench", "fig37_humaneval_sloth_vs_pca",
                             "fig38_eq_bench_sloth_vs_pca"]  # fmt: skip
    assert list(downstream_figures(["eq_bench"], ["main"])) == ["fig30_eq_bench"]
    assert list(loadings_figures(ds["skills"])) == ["fig32_downstream_loadings", "fig39_loadings_sloth_all",
                                                    "fig40_loadings_pca"]  # fmt: skip
    link = ds["link_functions"]
    names = link_figures(link["suites"], link["cases"])
    assert names["fig33_link_functions_v1_meta-llama-3"] == ("v1", "meta-llama-3")
    assert names["figK_link_functions_v2_yi-1.5-chat"] == ("v2", "yi-1.5-chat") and len(names) == 8


def test_a_new_leaderboard_gets_its_panels_from_the_source_table(monkeypatch):
    import slothpipe.figure_plan as plan

    monkeypatch.setattr(plan, "SUITES", ("v1", "v2", "v3"))
    suites = {"v1": ["a"], "v2": ["b"], "v3": ["c"], "v1+v2+v3": ["a", "b", "c"]}
    figures = plan.heatmap_figures(suites, [1])
    assert figures["fig01_errors_n1"]["panels"] == [("v1", 1), ("v2", 1), ("v3", 1)]
    assert figures["fig12_errors_v1v2v3_n1"]["panels"] == [("v1+v2+v3", 1)]
    assert plan.family_figures(suites, [1])["figfamily_family_errors_v3_n1"] == ("v3", 1)


def test_table_checks():
    with pytest.raises(KeyError, match="no leaderboard 'v9'"):
        tables.leaderboard("v9")
    assert tables.leaderboard("leaderboard_v2").suite == "v2"


def test_the_table_check_rejects_a_source_column_that_holds_two_benchmarks(monkeypatch):
    tables._check()  # the shipped table passes
    first = tables.BENCHMARK_TABLE[0]
    twin = first._replace(name="Twin", plot_order=len(tables.BENCHMARK_TABLE))
    monkeypatch.setattr(tables, "BENCHMARK_TABLE", (*tables.BENCHMARK_TABLE, twin))
    with pytest.raises(AssertionError, match=f"source {first.source}: a column holds two benchmarks"):
        tables._check()
    monkeypatch.setattr(tables, "BENCHMARK_TABLE", (*tables.BENCHMARK_TABLE[:-1], first))
    with pytest.raises(AssertionError, match="duplicate benchmark name"):
        tables._check()
