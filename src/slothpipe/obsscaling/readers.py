"""Ruan et al.'s five ObsScaling tables (commit 43dad32): read, validate, clean (docs/sources.md).

Every reader checks the columns it needs, that model names are present and unique, that numbers parse and
that scores lie in their range; a problem raises :class:`~slothpipe.errors.DataError` naming the file, the
line and the column.  The clean tables keep the source's rows in file order and its column names for scores
and targets (the output tables name targets by source column), with these identifier columns:

* ``model`` — the ``Model`` column;
* ``family`` — the ``Model Family`` column, as the authors assigned it (base and instruct tables);
* ``params_b``, ``tokens_t``, ``flops_1e21`` — ``Model Size (B)``, ``Pretraining Data Size (T)``,
  ``FLOPs (1E21)`` (NaN for API models and where the authors had none);
* ``evaluated`` (base table) — the family is one of the authors' 21 evaluated families
  (:data:`EVAL_BASE_FAMILIES`); the applications use only these rows, as ``load_base_llm_benchmark_eval``.
"""

from __future__ import annotations

import os
from pathlib import Path

from slothpipe.data.schema import data_error
from slothpipe.obsscaling import BASE_METRICS, INSTRUCT_METRICS

import numpy as np
import pandas as pd

#: The authors' ``EVAL_BASE_MODEL_FAMILIES`` (utils/constants.py at 43dad32), in their order.
EVAL_BASE_FAMILIES = (
    "Llama-2",
    "Llama",
    "Llama-3",
    "Qwen1.5",
    "Qwen",
    "Mistral",
    "Mixtral",
    "Yi",
    "Gemma",
    "Falcon",
    "Phi",
    "Pythia",
    "BLOOM",
    "GPT-Neo/J",
    "OPT",
    "MPT",
    "XGLM",
    "CodeLlama",
    "StarCoder",
    "StarCoder2",
    "DeepSeek-Coder",
)
#: ``EVAL_BASE_MODEL_WITH_FLOPS_FAMILIES``: the evaluated families minus the two without FLOPs.
EVAL_BASE_FAMILIES_WITH_FLOPS = tuple(f for f in EVAL_BASE_FAMILIES if f not in ("Mistral", "Mixtral"))

INSTRUCT_EXTRA = ("Arena-Elo", "MTBench")
FACTS = {"Model Size (B)": "params_b", "Pretraining Data Size (T)": "tokens_t", "FLOPs (1E21)": "flops_1e21"}
ID_COLUMNS = ("model", "family", "params_b", "tokens_t", "flops_1e21")

#: Table name -> what it holds; the emergent and post-training targets are checked on [lo, hi].
TABLES = ("base", "instruct", "emergent", "post_training", "agent")
EMERGENT_RANGES = {"bleu": (0.0, 100.0)}


def _read(path: Path, needed) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise data_error(path, f"cannot read as a CSV file ({exc})") from exc
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(path, f"missing column(s) {', '.join(repr(c) for c in missing)}")
    if raw.columns.duplicated().any():
        raise data_error(path, f"duplicate column {raw.columns[raw.columns.duplicated()][0]!r}")
    return raw.reset_index(drop=True)


def _models(path: Path, raw: pd.DataFrame) -> pd.Series:
    names = raw["Model"].str.strip()
    empty = names == ""
    if empty.any():
        raise data_error(path, "empty model name", line=int(np.argmax(empty.to_numpy())) + 2, column="Model")
    dup = names.duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise data_error(path, f"duplicate model {names.iloc[i]!r}", line=i + 2, column="Model")
    return names


def _numbers(path: Path, raw: pd.DataFrame, column: str, lo: float | None, hi: float | None) -> np.ndarray:
    text = raw[column].str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").astype("float64")
    bad = values.isna() & (text != "")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise data_error(path, f"malformed number {raw[column].iloc[i]!r}", line=i + 2, column=column)
    v = values.to_numpy()
    out = np.zeros(len(v), dtype=bool)
    if lo is not None:
        out |= v < lo
    if hi is not None:
        out |= v > hi
    if out.any():
        i = int(np.argmax(out))
        raise data_error(
            path, f"value {raw[column].iloc[i]!r} outside [{lo}, {hi}]", line=i + 2, column=column
        )
    return v


def _with_facts(path: Path, raw: pd.DataFrame, metrics, extra=()) -> pd.DataFrame:
    raw = raw.copy()
    family = raw["Model Family"].str.strip()
    if (family == "").any():
        i = int(np.argmax((family == "").to_numpy()))
        raise data_error(path, "empty model family", line=i + 2, column="Model Family")
    out = {"model": _models(path, raw), "family": family}
    for src, dst in FACTS.items():
        out[dst] = _numbers(path, raw, src, 0.0, None)
    for col in (*extra, *metrics):
        out[col] = _numbers(path, raw, col, 0.0, 1.0)
    return pd.DataFrame(out)


def read_base(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``base_llm_benchmark_eval.csv``: identifiers, ``evaluated`` and the 8 base metrics (fractions)."""
    path = Path(path)
    raw = _read(path, ["Model", "Model Family", *FACTS, *BASE_METRICS])
    frame = _with_facts(path, raw, BASE_METRICS)
    frame.insert(5, "evaluated", frame["family"].isin(EVAL_BASE_FAMILIES))
    return frame


def read_instruct(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``instruct_llm_benchmark_eval.csv``: identifiers, Arena-Elo, MTBench and the 7 instruct metrics."""
    path = Path(path)
    raw = _read(path, ["Model", "Model Family", *FACTS, *INSTRUCT_EXTRA, *INSTRUCT_METRICS])
    return _with_facts(path, raw, INSTRUCT_METRICS, INSTRUCT_EXTRA)


def _targets(path: Path, *, kind: str) -> pd.DataFrame:
    raw = _read(path, ["Model"])
    out = {"model": _models(path, raw)}
    columns = [c for c in raw.columns if c != "Model"]
    if not columns:
        raise data_error(path, "no target column besides 'Model'")
    for col in columns:
        if kind == "emergent":
            lo, hi = (0.0, 100.0) if col.endswith("_bleu") else (0.0, 1.0)
        elif kind == "agent":
            lo, hi = (0.0, 10.0) if col.startswith("ABench-OA") else (0.0, 100.0)
        else:  # post-training: ``,norm`` columns are (acc − r)/(1 − r) and may be negative
            lo, hi = (-np.inf, 1.0) if col.endswith(",norm") else (0.0, 1.0)
        out[col] = _numbers(path, raw, col, lo, hi)
    return pd.DataFrame(out)


def read_emergent(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``base_llm_emergent_capability_eval.csv``: model and the BIG-bench targets (BLEU on 0-100)."""
    return _targets(Path(path), kind="emergent")


def read_post_training(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``base_llm_post_training_eval.csv``: model and the targets of the post-training application."""
    return _targets(Path(path), kind="post_training")


def read_agent(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``instruct_llm_agent_eval.csv``: model, AgentBench (OA on 0-10, subtasks 0-100), AgentBoard (0-100)."""
    return _targets(Path(path), kind="agent")


READERS = {
    "base": read_base,
    "instruct": read_instruct,
    "emergent": read_emergent,
    "post_training": read_post_training,
    "agent": read_agent,
}


def clean_tables(paths: dict[str, str | os.PathLike[str]]) -> dict[str, pd.DataFrame]:
    """Read and validate the five tables; target models must appear in their benchmark table."""
    missing = [t for t in TABLES if t not in paths]
    if missing:
        raise ValueError(f"clean_tables needs the tables {missing}")
    tables = {name: READERS[name](paths[name]) for name in TABLES}
    for target, bench in (("emergent", "base"), ("post_training", "base"), ("agent", "instruct")):
        unknown = ~tables[target]["model"].isin(tables[bench]["model"])
        if unknown.any():
            i = int(np.argmax(unknown.to_numpy()))
            raise data_error(
                paths[target],
                f"model {tables[target]['model'].iloc[i]!r} is not in the {bench} table {paths[bench]}",
                line=i + 2,
                column="Model",
            )
    return tables
