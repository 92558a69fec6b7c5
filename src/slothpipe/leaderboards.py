"""The one place for the facts about benchmarks and their sources: two tables, everything else derives.

:data:`SOURCES` lists the raw score sources the clean step reads (the leaderboards and Ruan et al.'s tables),
in the order the dataset's provenance columns and ``unmatched.csv`` use.  :data:`BENCHMARK_TABLE` lists every
benchmark of the dataset, in the order of the dataset's columns: the source (a leaderboard) and the column of
that source it comes from, the suite (the leaderboard version), the chance floor γ_j of the Sloth link, the
short label of the heat-maps, its position in the loadings figures, the skill it identifies, and the
columns of the fill sources (Ruan et al.'s tables) that hold it too.

The dataset schema, the data readers, the config validation, the method registry's floors, the reports, the
plots, the skill naming and the figure panels of the workflow read these tables.  Adding a benchmark or a
leaderboard version: see ``docs/contributing.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

__all__ = [
    "BENCHMARKS",
    "BENCHMARK_TABLE",
    "BY_NAME",
    "CHANCE_LEVELS",
    "FIGURE3_BENCHMARKS",
    "FILL_SOURCES",
    "LEADERBOARDS",
    "PLOT_ORDER",
    "SHORT_LABELS",
    "SKILL_GROUPS",
    "SOURCES",
    "SUITES",
    "Benchmark",
    "Source",
    "benchmarks_of",
    "leaderboard",
    "source_columns",
]


class Source(NamedTuple):
    """A raw score source of the clean step (also its key under ``sources`` in ``config/config.yaml``)."""

    key: str  # config key, file stem under resources/raw/, provenance value in the dataset
    kind: str  # "leaderboard" (a Hub parquet, one suite of benchmarks) or "fill" (Ruan et al.'s CSV)
    suite: str  # leaderboard: its suite (evaluation suite name, provenance suffix, figure panel); fill: ""
    link: str  # the registry column that names the model in this source
    scale: float = 1.0  # scores are divided by it (percent: 100)
    duplicates: str = "first"  # one row per name: "first" in file order, or "latest" by its `date` column
    filled_by_fill_sources: bool = False  # leaderboard whose benchmarks Ruan et al.'s rows supply or fill
    fill_kind: str = ""  # fill sources: "base" or "instruct" (the layout of Ruan et al.'s table)
    description: str = ""


class Benchmark(NamedTuple):
    """A benchmark of the dataset: a score column on a 0-1 scale."""

    name: str  # dataset column
    source: str  # key of its leaderboard in SOURCES
    column: str  # column of that source's file
    # floor γ_j = chance level (paper §4.2, footnote 4; Sloth code ``definitions.lower_bounds``; BBH and MUSR:
    # the authors' values for their multiple-choice mixes)
    chance: float
    label: str  # short label of the heat-maps' narrow columns
    plot_order: int  # position in the column order of the paper's loadings figures (Figure 2)
    skill: str = ""  # the skill whose loadings identify it (interpretation.rotation.name_skills); "" = none
    fill_columns: Mapping[str, str] = {}  # fill source key -> its column holding this benchmark
    motivation_figure: str = ""  # the paper's number of its motivation scatter (Figures 8-9), if any
    figure3: bool = False  # a column of the paper's Figure 3 (shared-intercept comparison)


#: The raw score sources, in provenance order: leaderboards first, then the fill sources.
SOURCES: tuple[Source, ...] = (
    Source(
        "leaderboard_v1",
        "leaderboard",
        "v1",
        link="v1_fullname",
        scale=100.0,
        duplicates="latest",
        filled_by_fill_sources=True,
        description="Open LLM Leaderboard v1 (open-llm-leaderboard-old/contents)",
    ),
    Source(
        "leaderboard_v2",
        "leaderboard",
        "v2",
        link="v2_fullname",
        description="Open LLM Leaderboard v2 (open-llm-leaderboard/contents), the `<name> Raw` columns",
    ),
    Source("obsscaling_base", "fill", "", link="ruan_model", fill_kind="base"),
    Source("obsscaling_instruct", "fill", "", link="ruan_model", fill_kind="instruct"),
)


def _ruan(base: str, instruct: str | None = None) -> dict[str, str]:
    return {"obsscaling_base": base, "obsscaling_instruct": base if instruct is None else instruct}


#: Every benchmark, in the order of the dataset's columns (LB v1, then LB v2).  One row per benchmark.
# fmt: off
BENCHMARK_TABLE: tuple[Benchmark, ...] = (
    #          name          source            column          chance  label     plot  skill                    fill columns (Ruan et al.)           paper figures
    Benchmark("MMLU",       "leaderboard_v1", "MMLU",           0.25,   "MMLU",   3,    "Reasoning",             _ruan("MMLU")),
    Benchmark("ARC",        "leaderboard_v1", "ARC",            0.25,   "ARC",    8,    "Knowledge",             _ruan("ARC-C")),
    Benchmark("HellaSwag",  "leaderboard_v1", "HellaSwag",      0.25,   "HS",     9,    "Knowledge",             _ruan("HellaSwag"),                  figure3=True),
    Benchmark("Winogrande", "leaderboard_v1", "Winogrande",     0.5,    "Wino",   10,   "Knowledge",             _ruan("Winograd", "Winogrande")),
    Benchmark("TruthfulQA", "leaderboard_v1", "TruthfulQA",     0.31,   "TQA",    7,    "Instruction following", _ruan("TruthfulQA"),                 figure3=True),
    Benchmark("GSM8K",      "leaderboard_v1", "GSM8K",          0.0,    "GSM8K",  0,    "Reasoning",             _ruan("GSM8K")),
    Benchmark("IFEval",     "leaderboard_v2", "IFEval Raw",     0.0,    "IFEval", 11,   "Instruction following"),
    Benchmark("BBH",        "leaderboard_v2", "BBH Raw",        0.3407, "BBH",    5,    "Reasoning",                                                  figure3=True, motivation_figure="fig09"),
    Benchmark("MATH Lvl 5", "leaderboard_v2", "MATH Lvl 5 Raw", 0.0,    "MATH5",  1,    "Reasoning",                                                  figure3=True),
    Benchmark("GPQA",       "leaderboard_v2", "GPQA Raw",       0.25,   "GPQA",   2,    "Reasoning",                                                  figure3=True),
    Benchmark("MUSR",       "leaderboard_v2", "MUSR Raw",       0.3491, "MUSR",   6),
    Benchmark("MMLU-PRO",   "leaderboard_v2", "MMLU-PRO Raw",   0.1,    "MMLU-P", 4,    "Reasoning",                                                  motivation_figure="fig08"),
)
# fmt: on


def _check() -> None:
    keys = [s.key for s in SOURCES]
    assert len(set(keys)) == len(keys), "duplicate source key"
    names = [b.name for b in BENCHMARK_TABLE]
    assert len(set(names)) == len(names), "duplicate benchmark name"
    orders = sorted(b.plot_order for b in BENCHMARK_TABLE)
    assert orders == list(range(len(BENCHMARK_TABLE))), "plot_order must number the benchmarks 0..n-1"
    for b in BENCHMARK_TABLE:
        assert b.source in keys and dict(zip(keys, SOURCES, strict=True))[b.source].kind == "leaderboard", b
        assert set(b.fill_columns) <= set(keys), b
    for key in keys:  # source_columns maps each column of a source to one benchmark
        held = [b.column for b in BENCHMARK_TABLE if b.source == key]
        held += [b.fill_columns[key] for b in BENCHMARK_TABLE if key in b.fill_columns]
        assert len(set(held)) == len(held), f"source {key}: a column holds two benchmarks"


_check()

#: Benchmark names in the dataset's column order.
BENCHMARKS: tuple[str, ...] = tuple(b.name for b in BENCHMARK_TABLE)
BY_NAME: dict[str, Benchmark] = {b.name: b for b in BENCHMARK_TABLE}
#: The leaderboard sources, in order, and their suites.
LEADERBOARDS: tuple[Source, ...] = tuple(s for s in SOURCES if s.kind == "leaderboard")
FILL_SOURCES: tuple[Source, ...] = tuple(s for s in SOURCES if s.kind == "fill")
SUITES: tuple[str, ...] = tuple(s.suite for s in LEADERBOARDS)
#: The columns of the paper's Figure 3, in dataset order.
FIGURE3_BENCHMARKS: tuple[str, ...] = tuple(b.name for b in BENCHMARK_TABLE if b.figure3)
#: Floors γ_j of the Sloth link, by benchmark.
CHANCE_LEVELS: dict[str, float] = {b.name: b.chance for b in BENCHMARK_TABLE}
#: Short labels of the heat-maps' narrow columns (only those that differ from the name).
SHORT_LABELS: dict[str, str] = {b.name: b.label for b in BENCHMARK_TABLE if b.label != b.name}
#: Benchmarks in the column order of the paper's loadings figures.
PLOT_ORDER: tuple[str, ...] = tuple(b.name for b in sorted(BENCHMARK_TABLE, key=lambda b: b.plot_order))
#: Skill name -> the benchmarks (in plot order) whose loadings identify it; skills in the order of their first
#: benchmark in the table.
SKILL_GROUPS: dict[str, tuple[str, ...]] = {
    skill: tuple(name for name in PLOT_ORDER if BY_NAME[name].skill == skill)
    for skill in dict.fromkeys(b.skill for b in BENCHMARK_TABLE if b.skill)
}


def leaderboard(suite_or_key: str) -> Source:
    """The leaderboard source with this suite (``"v1"``) or key (``"leaderboard_v1"``)."""
    for source in LEADERBOARDS:
        if suite_or_key in (source.suite, source.key):
            return source
    raise KeyError(f"no leaderboard {suite_or_key!r}; known: {', '.join(SUITES)}")


def benchmarks_of(source_key: str) -> tuple[str, ...]:
    """The benchmarks a source holds: a leaderboard's own, or the ones a fill source has a column for."""
    return tuple(source_columns(source_key).values())


def source_columns(source_key: str) -> dict[str, str]:
    """Column of the source file -> dataset benchmark name, for every benchmark the source holds."""
    out = {}
    for b in BENCHMARK_TABLE:
        if b.source == source_key:
            out[b.column] = b.name
        elif source_key in b.fill_columns:
            out[b.fill_columns[source_key]] = b.name
    return out
