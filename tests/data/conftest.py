"""Synthetic inputs of the data stage, generated in tmp_path with the real schemas.

``synthetic_world`` writes a small consistent set of all inputs that exercises every rule of the clean step;
the writers live in ``tests/synthetic_sources.py`` (shared with the pipeline tests).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from synthetic_sources import (
    RUAN_BASE_HEADER,
    RUAN_INSTRUCT_HEADER,
    V1_SCHEMA,
    V1_SCORES,
    V2_SCHEMA,
    model_html,
    registry_row,
    v1_entry,
    v2_entry,
    write_leaderboard,
    write_registry,
    write_ruan,
)


@pytest.fixture
def synthetic_world(tmp_path: Path) -> dict[str, Path]:
    """All inputs of build_dataset, small and consistent.  Models (registry ids):

    - ``alpha-1b`` / ``alpha-7b``: base models; Ruan base rows are primary; alpha-7b's Ruan row lacks ARC,
      filled from its leaderboard-v1 row.  v2 duplicates for alpha-7b (the first row wins).  alpha-7b has a
      corrected size.
    - ``alpha-7b-chat``: instruct; Ruan instruct row (bare name) primary; EvalPlus HumanEval overrides Ruan.
    - ``beta-3b``: two leaderboard-v1 rows (the later one wins) come first, the Ruan row (role ``fill``) fills
      the missing GSM8K and gives HumanEval; no tokens.
    - ``gamma-2b``: linked to v2 only, under a name that is absent (a stale link): no scores at all.
    Unmatched extras: ``org/alpha-13b`` on v1 (a family look-alike), ``org/beta-3b`` on v2 (the registry
    model's own hf_id, not linked to v2), ``other/alpha-9b`` (another organisation: ignored).
    """
    reg = write_registry(
        tmp_path / "models.csv",
        [
            registry_row(
                "alpha-1b",
                v1_fullname="org/alpha-1b",
                v2_fullname="org/alpha-1b",
                ruan_source="obsscaling_base",
                ruan_model="org/alpha-1b",
                ruan_role="primary",
                params_b_paper="1",
                tokens_t_paper="2",
            ),
            registry_row(
                "alpha-7b",
                v1_fullname="org/alpha-7b",
                v2_fullname="org/alpha-7b",
                ruan_source="obsscaling_base",
                ruan_model="org/alpha-7b",
                ruan_role="primary",
                params_b_paper="7",
                tokens_t_paper="2",
                params_b_corrected="7.5",
                correction="nominal size",
            ),
            registry_row(
                "alpha-7b-chat",
                hf_id="org/alpha-7b-chat",
                variant_family="fam-chat",
                instruct="true",
                base_model="alpha-7b",
                ruan_source="obsscaling_instruct",
                ruan_model="alpha-7b-chat",
                ruan_role="primary",
                params_b_paper="7",
                tokens_t_paper="2",
            ),
            registry_row(
                "beta-3b",
                family="beta",
                variant_family="beta",
                v1_fullname="org/beta-3b-deduped",
                ruan_source="obsscaling_base",
                ruan_model="org/beta-3b-deduped",
                ruan_role="fill",
                params_b_paper="3",
                tokens_t_paper="",
            ),
            registry_row("gamma-2b", family="gamma", variant_family="gamma", v2_fullname="org/gamma-2b-old"),
        ],
    )
    v1 = write_leaderboard(
        tmp_path / "leaderboard_v1.parquet",
        V1_SCHEMA,
        [
            v1_entry("org/alpha-13b", 70.0),
            v1_entry("org/alpha-7b", 60.0, date="2024-02-01T00:00:00Z"),
            v1_entry("org/alpha-1b", 40.0),
            v1_entry("org/beta-3b-deduped", 31.0, date="2023-09-09T10:52:17Z"),
            v1_entry(
                "org/beta-3b-deduped", {**{b: 30.0 for b in V1_SCORES}, "GSM8K": None}, date="2024-03-01"
            ),
            v1_entry("other/alpha-9b", 45.0),
        ],
    )
    v2 = write_leaderboard(
        tmp_path / "leaderboard_v2.parquet",
        V2_SCHEMA,
        [
            v2_entry("org/alpha-7b", 0.61),
            v2_entry("org/alpha-7b", 0.59, Precision="float16"),
            v2_entry("org/beta-3b", 0.3),
            v2_entry("org/alpha-1b", 0.2),
        ],
    )
    base = write_ruan(
        tmp_path / "obsscaling_base.csv",
        RUAN_BASE_HEADER,
        [
            {"Model": "org/alpha-1b", "MMLU": 0.25, "ARC-C": 0.3, "HellaSwag": 0.4, "Winograd": 0.5,
             "TruthfulQA": 0.35, "GSM8K": 0.01, "HumanEval": 0.05},
            {"Model": "org/alpha-7b", "MMLU": 0.55, "ARC-C": None, "HellaSwag": 0.7, "Winograd": 0.7,
             "TruthfulQA": 0.4, "GSM8K": 0.2, "HumanEval": 0.15},
            {"Model": "org/beta-3b-deduped", "MMLU": 0.9, "ARC-C": 0.9, "HellaSwag": 0.9, "Winograd": 0.9,
             "TruthfulQA": 0.9, "GSM8K": 0.05, "HumanEval": 0.1},
        ],
    )  # fmt: skip
    instruct = write_ruan(
        tmp_path / "obsscaling_instruct.csv",
        RUAN_INSTRUCT_HEADER,
        [
            {"Model": "gpt-x", "MMLU": 0.8, "ARC-C": 0.9, "HumanEval": 0.8},
            {"Model": "alpha-7b-chat", "MMLU": 0.5, "ARC-C": 0.55, "HellaSwag": 0.72, "Winogrande": 0.69,
             "TruthfulQA": 0.45, "GSM8K": 0.22, "HumanEval": 0.2},
        ],
    )  # fmt: skip
    humaneval = tmp_path / "humaneval.csv"
    humaneval.write_text("model,score,source\nalpha-7b-chat,0.25,EvalPlus\n", encoding="utf-8")
    return {
        "registry": reg,
        "leaderboard_v1": v1,
        "leaderboard_v2": v2,
        "obsscaling_base": base,
        "obsscaling_instruct": instruct,
        "humaneval": humaneval,
    }


@pytest.fixture
def synth() -> SimpleNamespace:
    """The writers above, for tests that build their own inputs."""
    return SimpleNamespace(
        V1_SCHEMA=V1_SCHEMA,
        V2_SCHEMA=V2_SCHEMA,
        RUAN_BASE_HEADER=RUAN_BASE_HEADER,
        RUAN_INSTRUCT_HEADER=RUAN_INSTRUCT_HEADER,
        model_html=model_html,
        write_leaderboard=write_leaderboard,
        v1_entry=v1_entry,
        v2_entry=v2_entry,
        write_ruan=write_ruan,
        registry_row=registry_row,
        write_registry=write_registry,
    )
