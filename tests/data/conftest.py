"""Synthetic inputs of the data stage, generated in tmp_path with the real schemas.

The leaderboard files have every column of the Hub exports (names, order and dtypes; the ``Model`` column
is the leaderboard's HTML link); Ruan et al.'s tables have their real columns.  ``synthetic_world`` writes a
small consistent set of all inputs that exercises every rule of the clean step.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slothpipe.data.registry import REGISTRY_COLUMNS

V1_SCHEMA = pa.schema(
    [
        ("eval_name", pa.string()),
        ("Precision", pa.string()),
        ("Type", pa.string()),
        ("T", pa.string()),
        ("Weight type", pa.string()),
        ("Architecture", pa.string()),
        ("Model", pa.string()),
        ("fullname", pa.string()),
        ("Model sha", pa.string()),
        ("Average ⬆️", pa.float64()),
        ("Hub License", pa.string()),
        ("Hub ❤️", pa.int64()),
        ("#Params (B)", pa.int64()),
        ("Available on the hub", pa.bool_()),
        ("Merged", pa.bool_()),
        ("MoE", pa.bool_()),
        ("Flagged", pa.bool_()),
        ("date", pa.string()),
        ("Chat Template", pa.bool_()),
        ("ARC", pa.float64()),
        ("HellaSwag", pa.float64()),
        ("MMLU", pa.float64()),
        ("TruthfulQA", pa.float64()),
        ("Winogrande", pa.float64()),
        ("GSM8K", pa.float64()),
        ("Maintainers Choice", pa.bool_()),
    ]
)
V2_SCHEMA = pa.schema(
    [
        ("eval_name", pa.string()),
        ("Precision", pa.string()),
        ("Type", pa.string()),
        ("T", pa.string()),
        ("Weight type", pa.string()),
        ("Architecture", pa.string()),
        ("Model", pa.string()),
        ("fullname", pa.string()),
        ("Model sha", pa.string()),
        ("Average ⬆️", pa.float64()),
        ("Hub License", pa.string()),
        ("Hub ❤️", pa.int64()),
        ("#Params (B)", pa.int64()),
        ("Available on the hub", pa.bool_()),
        ("Not_Merged", pa.bool_()),
        ("MoE", pa.bool_()),
        ("Flagged", pa.bool_()),
        ("Chat Template", pa.bool_()),
        ("CO₂ cost (kg)", pa.float64()),
        *[
            (f"{b}{suffix}", pa.float64())
            for b in ("IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO")
            for suffix in (" Raw", "")
        ],
        ("Maintainer's Highlight", pa.bool_()),
        ("Upload To Hub Date", pa.string()),
        ("Submission Date", pa.string()),
    ]
)
V1_SCORES = ("ARC", "HellaSwag", "MMLU", "TruthfulQA", "Winogrande", "GSM8K")
V2_SCORES = ("IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO")
RUAN_BASE_HEADER = (
    "Model",
    "Model Family",
    "Model Size (B)",
    "Pretraining Data Size (T)",
    "FLOPs (1E21)",
    "MMLU",
    "ARC-C",
    "HellaSwag",
    "Winograd",
    "TruthfulQA",
    "GSM8K",
    "XWinograd",
    "HumanEval",
)
RUAN_INSTRUCT_HEADER = (
    "Model",
    "Model Family",
    "Model Size (B)",
    "Pretraining Data Size (T)",
    "FLOPs (1E21)",
    "Arena-Elo",
    "MTBench",
    "MMLU",
    "ARC-C",
    "HellaSwag",
    "Winogrande",
    "TruthfulQA",
    "GSM8K",
    "HumanEval",
)


def model_html(fullname: str) -> str:
    """The leaderboard's HTML ``Model`` cell for a model."""
    details = fullname.replace("/", "__")
    style = 'style="color: var(--link-text-color); text-decoration: underline;text-decoration-style: dotted;"'
    return (
        f'<a target="_blank" href="https://huggingface.co/{fullname}" {style}>{fullname}</a>  '
        f'<a target="_blank" href="https://huggingface.co/datasets/open-llm-leaderboard/details_{details}" '
        f"{style}>📑</a>"
    )


def _leaderboard_row(schema: pa.Schema, entry: dict) -> dict:
    row: dict = {}
    for field in schema:
        if pa.types.is_string(field.type):
            row[field.name] = ""
        elif pa.types.is_boolean(field.type):
            row[field.name] = True
        elif pa.types.is_integer(field.type):
            row[field.name] = 0
        else:
            row[field.name] = None
    name = entry["fullname"]
    row.update(
        {
            "eval_name": name.replace("/", "_") + "_" + entry.get("Precision", "bfloat16"),
            "Precision": "bfloat16",
            "Type": "🟢 pretrained",
            "T": "🟢",
            "Weight type": "Original",
            "Architecture": "LlamaForCausalLM",
            "Model": model_html(name),
            "Model sha": "0" * 40,
            "Hub License": "apache-2.0",
        }
    )
    row.update(entry)
    return row


def write_leaderboard(path: Path, schema: pa.Schema, entries: list[dict], drop: tuple[str, ...] = ()) -> Path:
    """A leaderboard parquet file: ``entries`` give ``fullname`` and any column to override."""
    rows = [_leaderboard_row(schema, e) for e in entries]
    keep = pa.schema([f for f in schema if f.name not in drop])
    table = pa.Table.from_pylist([{f.name: r[f.name] for f in keep} for r in rows], schema=keep)
    pq.write_table(table, path)
    return path


def v1_entry(
    fullname: str, scores: dict | float = 50.0, date: str | None = "2024-01-01T00:00:00Z", **extra
) -> dict:
    """A leaderboard-v1 row with percent scores (a dict per benchmark, or one value for all)."""
    values = scores if isinstance(scores, dict) else {b: scores for b in V1_SCORES}
    avg = sum(v for v in values.values() if v is not None) / max(1, len(values))
    return {"fullname": fullname, "date": date, "Average ⬆️": avg, **values, **extra}


def v2_entry(fullname: str, raw: dict | float = 0.5, **extra) -> dict:
    """A leaderboard-v2 row with raw 0-1 scores (a dict per benchmark, or one value for all)."""
    values = raw if isinstance(raw, dict) else {b: raw for b in V2_SCORES}
    row = {"fullname": fullname, "Average ⬆️": 10.0}
    for b, v in values.items():
        row[f"{b} Raw"] = v
        row[b] = None if v is None else round(v * 100, 2)
    row.update(extra)
    return row


def write_ruan(path: Path, header: tuple[str, ...], entries: list[dict]) -> Path:
    """Ruan et al.'s table: ``entries`` give ``Model`` and scores; other cells empty."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        for e in entries:
            writer.writerow({k: ("" if v is None else v) for k, v in e.items()})
    return path


def registry_row(model: str, **values) -> dict:
    """A registry row with sensible defaults (a base model of family ``fam``)."""
    row = {c: "" for c in REGISTRY_COLUMNS}
    row.update(
        {
            "model": model,
            "hf_id": f"org/{model}",
            "family": "fam",
            "variant_family": "fam",
            "instruct": "false",
            "params_b_paper": "7",
            "tokens_t_paper": "1",
        }
    )
    row.update(values)
    return row


def write_registry(path: Path, rows: list[dict], columns: tuple[str, ...] = REGISTRY_COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


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
