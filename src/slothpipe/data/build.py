"""The clean step: raw sources + the model registry -> the dataset and the table of unmatched entries.

The dataset (``results/data/dataset.parquet``) has one row per registry model, sorted by ``model`` (plain
code-point order), with the columns of :data:`slothpipe.data.schema.DATASET_COLUMNS`:

- identity from the registry: ``model``, ``hf_id``, ``family``, ``variant_family``, ``instruct``,
  ``base_model`` (null when none);
- scale: ``params_b`` (billions), ``tokens_t`` (trillions), ``flops_1e21`` = 6 * params_b * tokens_t (units of
  1e21 FLOPs) and their natural logarithms ``log_params``, ``log_tokens``, ``log_flops``; NaN where the
  registry has no token count.  ``metadata`` chooses the paper's or the corrected values (nothing else
  changes);
- the 12 benchmarks on a 0-1 scale and ``HumanEval``; NaN where no source has a score;
- provenance: ``source_v1`` / ``row_v1`` (the source key and 0-based row of the six leaderboard-v1
  benchmarks), ``fill_v1`` / ``source_v1_fill`` / ``row_v1_fill`` (the benchmarks, comma-separated, that the
  first row lacked and another source's row filled), ``source_v2`` / ``row_v2``, ``source_humaneval`` /
  ``row_humaneval``.  Null where there is no score.

Where the scores come from, per model (the registry's link columns):

- v1 benchmarks: with ``ruan_role = primary``, the Ruan et al. row (``ruan_source``/``ruan_model``), its
  missing cells filled from the leaderboard-v1 row (``v1_fullname``); otherwise the leaderboard-v1 row, its
  missing cells filled from the Ruan row (``ruan_role = fill``).  A link absent from its source is skipped
  (and reported), so the other source, if any, stands alone.
- v2 benchmarks: the leaderboard-v2 row (``v2_fullname``).
- HumanEval: the hand-collected EvalPlus value (``config/downstream/humaneval_evalplus.csv``) when listed,
  else the linked Ruan row's value (either role).
- Duplicate leaderboard rows: see :mod:`slothpipe.data.sources`.

The unmatched table (``results/data/unmatched.csv``) lists, with columns
:data:`slothpipe.data.schema.UNMATCHED_COLUMNS`, sorted by kind, source, name and row:

- ``registry_link_missing``: a registry link (a name in v1_fullname, v2_fullname or ruan_model) that its
  source does not contain;
- ``registry_model_without_scores``: a registry model that ends up with no score at all;
- ``missing_score``: a benchmark score that is missing (NaN) in the source row linked to a registry model and
  that no other source filled, one row per model and benchmark: the model drops out of every suite with that
  benchmark, so each one is also logged as a warning (scores out of their range stop the run instead);
- ``unlinked_registry_model``: a source row named like a registry model (its hf_id or one of its links; for
  Ruan's instruct table, whose names carry no organisation, its canonical id) that the registry does not link
  to that source -- e.g. a model the paper did not take from the v2 leaderboard;
- ``family_lookalike``: a source row, not linked to any model, whose organisation and name prefix match a
  registry model's (see :func:`name_stem`) -- what a data update may have brought into a registry family.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import NamedTuple

from slothpipe.data.downstream import read_downstream_scores
from slothpipe.data.registry import load_registry
from slothpipe.data.schema import (
    BENCHMARKS,
    CLEAN_SOURCES,
    DATASET_COLUMNS,
    HUMANEVAL_EVALPLUS,
    IDENTITY_COLUMNS,
    OBSSCALING_BASE,
    OBSSCALING_INSTRUCT,
    PROVENANCE_COLUMNS,
    UNMATCHED_COLUMNS,
)
from slothpipe.data.sources import read_leaderboard, read_obsscaling, resolve
from slothpipe.leaderboards import LEADERBOARDS, benchmarks_of

import numpy as np
import pandas as pd

__all__ = ["UNMATCHED_KINDS", "BuildResult", "assemble", "build_dataset", "name_stem"]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

UNMATCHED_KINDS: tuple[str, ...] = (
    "registry_link_missing",
    "registry_model_without_scores",
    "missing_score",
    "unlinked_registry_model",
    "family_lookalike",
)
_SOURCE_ORDER = CLEAN_SOURCES
_LINK_COLUMN = {
    **{source.key: source.link for source in LEADERBOARDS},
    OBSSCALING_BASE: "ruan_model",
    OBSSCALING_INSTRUCT: "ruan_model",
}
_LEADERBOARD_KEYS = tuple(source.key for source in LEADERBOARDS)
# A size token: digits, optional decimal part ('.' or '_'), then b/m, optionally more digits ('7b1', '1b5');
# preceded by the start, '-', '_' or 'x' (as in '8x7b') and followed by the end, '-' or '_'.
_SIZE_TOKEN = re.compile(r"(?<![^_x-])\d+(?:[._]\d+)?[bm]\d*(?=$|[-_])")


class BuildResult(NamedTuple):
    """What the clean step produces: the dataset and the unmatched table."""

    dataset: pd.DataFrame
    unmatched: pd.DataFrame


def name_stem(name: str) -> str:
    """The family stem of a model name: lowercase, without organisation, cut before the first size token.

    ``"Qwen/Qwen2-7B-Instruct"`` -> ``"qwen2"``, ``"meta-llama/Meta-Llama-3-8B"`` -> ``"meta-llama-3"``,
    ``"mistralai/Mixtral-8x7B-v0.1"`` -> ``"mixtral-8x"``, ``"bigscience/bloom"`` -> ``"bloom"``.  Trailing
    ``-``, ``_`` and ``.`` are dropped, so ``meta-llama-3`` also covers ``Meta-Llama-3.1-8B``.
    """
    short = name.rsplit("/", 1)[-1].lower()
    match = _SIZE_TOKEN.search(short)
    stem = short[: match.start()] if match else short
    return stem.rstrip("-_.") or short


def build_dataset(
    registry: PathLike,
    sources: Mapping[str, PathLike],
    humaneval: PathLike | None = None,
    *,
    metadata: str = "paper",
) -> BuildResult:
    """Read and validate every input, then :func:`assemble` the dataset and the unmatched table.

    ``sources`` maps each key of :data:`slothpipe.data.schema.CLEAN_SOURCES` (the source table) to its
    downloaded file.  ``metadata`` is ``"paper"`` (the paper's parameter and token counts) or
    ``"corrected"``; it changes ``params_b``, ``tokens_t`` and the FLOPs and log columns only.  ``humaneval``
    is the EvalPlus file (``config/downstream/humaneval_evalplus.csv``); without it HumanEval comes from
    Ruan's tables only.
    """
    missing = [key for key in CLEAN_SOURCES if key not in sources]
    if missing:
        raise ValueError(f"build_dataset: no file for source(s) {', '.join(missing)}")
    reg = load_registry(registry, metadata)
    frames = {source.key: read_leaderboard(sources[source.key], source.key) for source in LEADERBOARDS}
    frames[OBSSCALING_BASE] = read_obsscaling(sources[OBSSCALING_BASE], "base")
    frames[OBSSCALING_INSTRUCT] = read_obsscaling(sources[OBSSCALING_INSTRUCT], "instruct")
    he = read_downstream_scores(humaneval, set(reg["model"])) if humaneval is not None else None
    return assemble(reg, frames, he)


def assemble(
    registry: pd.DataFrame,
    sources: Mapping[str, pd.DataFrame],
    humaneval: pd.DataFrame | None = None,
) -> BuildResult:
    """Join validated frames (from :func:`load_registry` and the readers, by source key) into a result."""
    resolved = {
        key: resolve(sources[key], key) if key in _LEADERBOARD_KEYS else sources[key] for key in CLEAN_SOURCES
    }
    lookup = {key: _records(frame) for key, frame in resolved.items()}
    he_lookup = _records(humaneval, key="model") if humaneval is not None else {}

    reg = registry.sort_values("model", kind="mergesort").reset_index(drop=True)
    rows = []
    missing_links = []
    for model in reg.itertuples(index=False):
        row, missing = _assemble_one(model, lookup, he_lookup)
        rows.append(row)
        missing_links.extend(missing)
    dataset = pd.DataFrame(rows)
    dataset = _finish_dataset(dataset, reg)

    unmatched = _unmatched(reg, dataset, resolved, missing_links)
    _log_summary(dataset, unmatched)
    return BuildResult(dataset, unmatched)


def _records(frame: pd.DataFrame, key: str = "name") -> dict[str, dict]:
    return {rec[key]: rec for rec in frame.to_dict("records")}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _assemble_one(model, lookup, he_lookup) -> tuple[dict, list[dict]]:
    out: dict[str, object] = {
        "model": model.model,
        "hf_id": model.hf_id,
        "family": model.family,
        "variant_family": model.variant_family,
        "instruct": bool(model.instruct),
        "base_model": model.base_model or None,
        "params_b": model.params_b,
        "tokens_t": model.tokens_t,
    }
    for bench in (*BENCHMARKS, "HumanEval"):
        out[bench] = math.nan
    for col in PROVENANCE_COLUMNS:
        out[col] = None
    missing: list[dict] = []

    def find(source: str, name: str) -> dict | None:
        if not name:
            return None
        rec = lookup[source].get(name)
        if rec is None:
            missing.append({"model": model.model, "source": source, "name": name})
        return rec

    ruan = find(model.ruan_source, model.ruan_model) if model.ruan_source else None
    for source in LEADERBOARDS:
        lb = find(source.key, getattr(model, source.link))
        benches = benchmarks_of(source.key)
        suite = source.suite
        if not source.filled_by_fill_sources:
            if lb is not None:
                out.update({b: lb[b] for b in benches})
                out[f"source_{suite}"], out[f"row_{suite}"] = source.key, lb["row"]
            continue
        # A primary row and a row that fills the primary's gaps (see the module docstring).
        primary: tuple[dict, str] | None = None
        filler: tuple[dict, str] | None = None
        if ruan is not None and model.ruan_role == "primary":
            primary = (ruan, model.ruan_source)
            filler = (lb, source.key) if lb is not None else None
        elif lb is not None:
            primary = (lb, source.key)
            filler = (ruan, model.ruan_source) if ruan is not None else None
        elif ruan is not None:
            primary = (ruan, model.ruan_source)
        if primary is not None:
            rec, key = primary
            out.update({b: rec.get(b, math.nan) for b in benches})
            out[f"source_{suite}"], out[f"row_{suite}"] = key, rec["row"]
            if filler is not None:
                rec, key = filler
                filled = [b for b in benches if _nan(out[b]) and not _nan(rec.get(b, math.nan))]
                if filled:
                    out.update({b: rec[b] for b in filled})
                    out[f"fill_{suite}"], out[f"source_{suite}_fill"], out[f"row_{suite}_fill"] = (
                        ",".join(filled),
                        key,
                        rec["row"],
                    )

    he = he_lookup.get(model.model)
    if he is not None:
        out["HumanEval"], out["source_humaneval"], out["row_humaneval"] = (
            he["score"],
            HUMANEVAL_EVALPLUS,
            he["row"],
        )
    elif ruan is not None and not _nan(ruan["HumanEval"]):
        out["HumanEval"], out["source_humaneval"], out["row_humaneval"] = (
            ruan["HumanEval"],
            model.ruan_source,
            ruan["row"],
        )
    return out, missing


def _finish_dataset(dataset: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    params = dataset["params_b"].astype("float64")
    tokens = dataset["tokens_t"].astype("float64")
    flops = 6.0 * params * tokens
    dataset["params_b"], dataset["tokens_t"], dataset["flops_1e21"] = params, tokens, flops
    with np.errstate(invalid="ignore", divide="ignore"):
        dataset["log_params"] = np.log(params)
        dataset["log_tokens"] = np.log(tokens)
        dataset["log_flops"] = np.log(flops)
    for col in (*BENCHMARKS, "HumanEval"):
        dataset[col] = dataset[col].astype("float64")
    for col in (c for c in PROVENANCE_COLUMNS if c.startswith("row_")):
        dataset[col] = dataset[col].astype("Int64")
    for col in (*IDENTITY_COLUMNS, *PROVENANCE_COLUMNS):
        if col == "instruct" or col.startswith("row_"):
            continue
        dataset[col] = dataset[col].astype("str")
    dataset["instruct"] = dataset["instruct"].astype(bool)
    dataset = dataset[list(DATASET_COLUMNS)]
    dataset.attrs = {"metadata": reg.attrs.get("metadata", "")}
    return dataset


def _unmatched(
    reg: pd.DataFrame,
    dataset: pd.DataFrame,
    resolved: dict[str, pd.DataFrame],
    missing_links: list[dict],
) -> pd.DataFrame:
    info = reg.set_index("model")
    out: list[dict] = []

    def row_for(kind, source, row, name, model, detail, family=None, variant=None):
        if model is not None:
            family, variant = info.at[model, "family"], info.at[model, "variant_family"]
        out.append(
            {
                "kind": kind,
                "source": source,
                "row": row,
                "name": name,
                "model": model,
                "family": family,
                "variant_family": variant,
                "detail": detail,
            }
        )

    for link in missing_links:
        col = _LINK_COLUMN[link["source"]]
        row_for(
            "registry_link_missing",
            link["source"],
            None,
            link["name"],
            link["model"],
            f"linked in the registry ({col}) but absent from {link['source']}",
        )
    scores = dataset[[*BENCHMARKS, "HumanEval"]]
    for model in dataset.loc[scores.isna().all(axis=1), "model"]:
        row_for(
            "registry_model_without_scores",
            None,
            None,
            info.at[model, "hf_id"],
            model,
            "no linked source row: every score is missing",
        )

    for source_col, row_col, benchmarks in (
        (f"source_{s.suite}", f"row_{s.suite}", benchmarks_of(s.key)) for s in LEADERBOARDS
    ):
        linked_rows = dataset[dataset[source_col].notna() & (dataset[source_col] != "None")]
        for rec in linked_rows.to_dict("records"):
            source = rec[source_col]
            for bench in benchmarks:
                if _nan(rec[bench]):
                    row_for(
                        "missing_score",
                        source,
                        int(rec[row_col]),
                        _linked_name(info, rec["model"], source) or info.at[rec["model"], "hf_id"],
                        rec["model"],
                        f"{bench}: no score (NaN) in the linked row, and no other source has one",
                    )

    # Names that identify a registry model, and the names each source links.
    identifies: dict[str, set[str]] = defaultdict(set)
    for rec in reg.itertuples(index=False):
        for name in (rec.hf_id, *(getattr(rec, s.link) for s in LEADERBOARDS), rec.ruan_model):
            if name:
                identifies[name].add(rec.model)
        identifies[rec.model].add(rec.model)  # Ruan's instruct table names models without organisation
    linked: dict[str, dict[str, str]] = {source: {} for source in _SOURCE_ORDER}
    for rec in reg.itertuples(index=False):
        for source in _LEADERBOARD_KEYS:
            name = getattr(rec, _LINK_COLUMN[source])
            if name:
                linked[source][name] = rec.model
        if rec.ruan_source:
            linked[rec.ruan_source][rec.ruan_model] = rec.model

    # (organisation, stem) -> registry models, from every organisation-qualified name of each model;
    # (None, stem) from the canonical ids, for names without organisation.
    stems: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for rec in reg.itertuples(index=False):
        for name in (rec.hf_id, *(getattr(rec, s.link) for s in LEADERBOARDS), rec.ruan_model):
            if "/" in name:
                org = name.split("/", 1)[0].lower()
                stems[(org, name_stem(name))].add(rec.model)
        stems[(None, name_stem(rec.model))].add(rec.model)
    by_org: dict[str | None, list[tuple[str, set[str]]]] = defaultdict(list)
    for (org, stem), models in stems.items():
        by_org[org].append((stem, models))
    for org in by_org:
        by_org[org].sort(key=lambda item: (-len(item[0]), item[0]))

    for source in _SOURCE_ORDER:
        frame = resolved[source]
        for name, row in zip(frame["name"], frame["row"], strict=True):
            if name in linked[source]:
                continue
            key = name if "/" in name else name.lower()
            owners = identifies.get(key)
            if owners:
                model = sorted(owners)[0]
                current = _linked_name(info, model, source)
                how = f"linked to {source} as {current!r}" if current else f"not linked to {source}"
                row_for(
                    "unlinked_registry_model",
                    source,
                    int(row),
                    name,
                    model,
                    f"registry model {model} is {how}",
                )
                continue
            org = name.split("/", 1)[0].lower() if "/" in name else None
            short = name.rsplit("/", 1)[-1].lower()
            for stem, models in by_org.get(org, ()):
                if short.startswith(stem):
                    same = sorted(models)
                    families = sorted({info.at[m, "family"] for m in same})
                    variants = sorted({info.at[m, "variant_family"] for m in same})
                    examples = sorted(same)
                    shown = ", ".join(examples[:3]) + (", ..." if len(examples) > 3 else "")
                    where = f"organisation {org!r} and name prefix" if org else "name prefix"
                    row_for(
                        "family_lookalike",
                        source,
                        int(row),
                        name,
                        None,
                        f"{where} {stem!r} of registry model(s) {shown}",
                        family=";".join(families),
                        variant=";".join(variants),
                    )
                    break

    table = pd.DataFrame(out, columns=list(UNMATCHED_COLUMNS))
    table["_kind"] = table["kind"].map({k: i for i, k in enumerate(UNMATCHED_KINDS)})
    table["_source"] = table["source"].map({s: i for i, s in enumerate(_SOURCE_ORDER)})
    table = table.sort_values(["_kind", "_source", "name", "row"], kind="mergesort", na_position="first")
    table = table.drop(columns=["_kind", "_source"]).reset_index(drop=True)
    table["row"] = table["row"].astype("Int64")
    for col in ("kind", "source", "name", "model", "family", "variant_family", "detail"):
        table[col] = table[col].astype("str")
    return table


def _linked_name(info: pd.DataFrame, model: str, source: str) -> str:
    """The name under which the registry links ``model`` to ``source`` ("" when it does not)."""
    if source in _LEADERBOARD_KEYS:
        return str(info.at[model, _LINK_COLUMN[source]])
    return str(info.at[model, "ruan_model"]) if info.at[model, "ruan_source"] == source else ""


def _log_summary(dataset: pd.DataFrame, unmatched: pd.DataFrame) -> None:
    has = {s.suite: int(dataset[list(benchmarks_of(s.key))].notna().any(axis=1).sum()) for s in LEADERBOARDS}
    log.info(
        "dataset: %d models (%s, %d with HumanEval)",
        len(dataset),
        ", ".join(f"{n} with leaderboard-{suite} scores" for suite, n in has.items()),
        dataset["HumanEval"].notna().sum(),
    )
    for rec in unmatched[unmatched["kind"] == "missing_score"].itertuples(index=False):
        log.warning("missing score: model %s, %s (%s row %s)", rec.model, rec.detail, rec.source, rec.row)
    counts = unmatched["kind"].value_counts()
    for kind in UNMATCHED_KINDS:
        n = int(counts.get(kind, 0))
        if n and kind in ("registry_link_missing", "registry_model_without_scores", "missing_score"):
            log.warning("unmatched: %d %s (see unmatched.csv)", n, kind)
        else:
            log.info("unmatched: %d %s", n, kind)
