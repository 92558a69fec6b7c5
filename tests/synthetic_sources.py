"""Writers of synthetic raw inputs with the real schemas, shared by the data-stage and pipeline tests.

The leaderboard files have every column of the Hub exports (names, order and dtypes; the ``Model`` column
is the leaderboard's HTML link); Ruan et al.'s tables have their real columns; registry rows have every
registry column.
"""

from __future__ import annotations

import csv
from pathlib import Path

from slothpipe.data.registry import REGISTRY_COLUMNS

import pyarrow as pa
import pyarrow.parquet as pq

#: The synthetic world's families, shared by the whole-pipeline test and the stage tests (the downstream
#: config of one must fit the other): variant family -> (original family, instruct, tokens (T), sizes (B)).
FAMILIES = {
    "alpha": ("alpha", False, 2.0, [0.5, 1.0, 3.0, 7.0, 14.0]),
    "alpha-chat": ("alpha", True, 2.0, [1.0, 7.0, 14.0]),
    "beta": ("beta", False, 1.0, [0.4, 1.5, 6.0, 12.0]),
    "gamma": ("gamma", False, 3.0, [1.0, 2.0, 8.0, 30.0]),
    "delta": ("delta", False, 0.6, [0.3, 1.0, 2.5, 9.0]),
}

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
