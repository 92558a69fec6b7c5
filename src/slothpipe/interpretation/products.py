"""The interpretation stage's data products (paper §4.3, §4.6, App. B, D, I).

A fitted skills model (:func:`slothpipe.interpretation.skills_model.fit_skills`) is stored once per number of
skills as a JSON *interpretation file* (:mod:`slothpipe.interpretation.records`); every figure and table is
computed from that file, never by refitting.  The file holds everything needed to recompute
the model's linear predictor η = skills · loadings + bias and its predictions γ + (1 − γ) σ(η) on the training
rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from slothpipe.errors import ConfigError, DataError
from slothpipe.figure_plan import slug as _slug
from slothpipe.interpretation.compute_optimal import budget_grid, optimal_allocation
from slothpipe.interpretation.records import SkillsResult
from slothpipe.interpretation.rotation import COEF_NAMES
from slothpipe.tables import latex_escape

import numpy as np
import pandas as pd

#: (base family, instruct family) pairs of the paper's Figure 5, as variant families.
PAPER_INSTRUCT_PAIRS: tuple[tuple[str, str], ...] = (
    ("falcon", "falcon-instruct"),
    ("gemma", "gemma-it"),
    ("llama-2", "llama-2-chat"),
    ("meta-llama-3", "meta-llama-3-instruct"),
    ("qwen1.5", "qwen1.5-chat"),
    ("recurrentgemma", "recurrentgemma-it"),
    ("yi-1.5", "yi-1.5-chat"),
)

#: Short labels of the translog coefficients in tables.
COEF_LABELS = {COEF_NAMES[0]: "log params", COEF_NAMES[1]: "log tokens", COEF_NAMES[2]: "interaction"}


# ------------------------------------------------------------------------------------------------- tables


def skill_order(names: Sequence[str]) -> list[str]:
    """Skills in reading order: Reasoning, Knowledge, Instruction following, then the rest alphabetically."""
    rank = {"Reasoning": 0, "Knowledge": 1, "Instruction following": 2}

    def key(name: str) -> tuple[int, str]:
        base = name.rstrip("0123456789 ")
        return (rank.get(base, 1 if base.startswith("Knowledge") else 3), name)

    return sorted(names, key=key)


def loadings_table(result: SkillsResult, order: Sequence[str]) -> pd.DataFrame:
    """``skill`` then one column per benchmark of ``order`` present in the fit; skills in reading order."""
    lam = result.loadings
    columns = [b for b in order if b in lam.columns] + [b for b in lam.columns if b not in order]
    table = lam.loc[skill_order(result.names), columns]
    return table.rename_axis("skill").reset_index()


def coefficients_table(result: SkillsResult) -> pd.DataFrame:
    """Rotated translog coefficients: one row per skill, columns log params, log tokens, interaction."""
    slopes = result.slopes.rename(index=COEF_LABELS).T
    return slopes.loc[skill_order(result.names)].rename_axis("skill").reset_index()


def coefficients_latex(table: pd.DataFrame, n_skills: int) -> str:
    """LaTeX rendering of :func:`coefficients_table` (three decimals)."""
    from slothpipe.tables import to_latex

    return to_latex(
        table,
        digits=3,
        caption=f"Translog coefficients of the rotated skills (d = {n_skills}; "
        "log10 params in B, tokens in T).",
        label=f"tab:skill-coefficients-d{n_skills}",
    )


def correlation_table(result: SkillsResult) -> pd.DataFrame:
    order = skill_order(result.names)
    return result.skill_correlation.loc[order, order]


# ---------------------------------------------------------------------------------- instruction tuning


def instruct_pairs(
    result: SkillsResult, pairs: Sequence[tuple[str, str]] = PAPER_INSTRUCT_PAIRS
) -> pd.DataFrame:
    """Base vs instruct skills (paper Figure 5): for every model of an instruct family, the base-family model
    of the same size (log10 params equal to 1e-9).  One row per (pair, size, skill); pairs absent from the
    fit are skipped.  Columns: base_family, instruct_family, base_model, instruct_model, params_b, skill,
    base, instruct."""
    models = result.models
    skills = result.skills
    rows = []
    for base_family, instruct_family in pairs:
        base = models[models["variant_family"] == base_family]
        for r in models[models["variant_family"] == instruct_family].itertuples(index=False):
            match = base[np.isclose(base["u"].to_numpy(), r.u, rtol=0.0, atol=1e-9)]
            if match.empty:
                continue
            base_model = str(match["model"].iloc[0])
            for skill in skill_order(result.names):
                rows.append(
                    {
                        "base_family": base_family,
                        "instruct_family": instruct_family,
                        "base_model": base_model,
                        "instruct_model": str(r.model),
                        "params_b": float(r.params_b),
                        "skill": skill,
                        "base": float(skills.at[base_model, skill]),
                        "instruct": float(skills.at[str(r.model), skill]),
                    }
                )
    columns = ["base_family", "instruct_family", "base_model", "instruct_model", "params_b", "skill"]
    columns += ["base", "instruct"]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------------ compute-optimal


def compute_optimal_table(
    result: SkillsResult, *, n_budgets: int, low_flops: float = 1e21, high_flops: float | None = None
) -> pd.DataFrame:
    """Compute-optimal (params, tokens) per budget and skill (paper Tables 1-2): long format with columns
    ``flops_1e19, skill, params_b, tokens_t``.

    Budgets: ``n_budgets`` geometric from ``low_flops`` to ``high_flops`` (default 6 · max size · max tokens
    of the training models, i.e. 6 · 72B · 15T on the paper's data); the allocation is bounded by the
    min/max size and tokens of the training models; the log base is the fit's (``settings.log_base``).
    A ``low_flops`` below the box (6 · min size · min tokens; 1.7e20 on the paper's data) is raised to it,
    so a data update with larger smallest models still gets a grid (:func:`budget_floor` tells).
    """
    models = result.models
    if models.empty:
        raise DataError(f"{result.path}: no training models, cannot bound the allocation")
    params_range = (float(models["params_b"].min()), float(models["params_b"].max()))
    tokens_range = (float(models["tokens_t"].min()), float(models["tokens_t"].max()))
    if high_flops is None:
        high_flops = 6e21 * params_range[1] * tokens_range[1]
    budgets = budget_grid(n_budgets, max(low_flops, budget_floor(result)), high_flops)
    base = float(result.record["settings"].get("log_base", 10.0))
    slopes = result.slopes
    rows = []
    for skill in skill_order(result.names):
        try:
            alloc = optimal_allocation(
                slopes[skill].to_numpy(), budgets, params_range=params_range, tokens_range=tokens_range,
                base=base,
            )  # fmt: skip
        except ValueError as exc:
            raise ConfigError(f"interpretation.compute_optimal: {exc} (models of {result.path})") from None
        for i, c in enumerate(budgets):
            rows.append(
                {
                    "flops_1e19": c / 1e19,
                    "skill": skill,
                    "params_b": float(alloc.params[i]),
                    "tokens_t": float(alloc.tokens[i]),
                }
            )
    table = pd.DataFrame(rows, columns=["flops_1e19", "skill", "params_b", "tokens_t"])
    order = {s: k for k, s in enumerate(skill_order(result.names))}
    table["_k"] = table["skill"].map(order)
    return table.sort_values(["flops_1e19", "_k"], kind="mergesort").drop(columns="_k").reset_index(drop=True)


def budget_floor(result: SkillsResult) -> float:
    """The smallest budget inside the size/token box of the fit's models: 6 · min size · min tokens FLOPs."""
    models = result.models
    return 6e21 * float(models["params_b"].min()) * float(models["tokens_t"].min())


def compute_optimal_latex(table: pd.DataFrame, skills: Sequence[str], *, caption: str, label: str) -> str:
    """Tables 1–2 layout: one row per budget, a (params, tokens) column pair per skill."""
    budgets = list(dict.fromkeys(table["flops_1e19"]))
    lines = [r"\begin{table}[t]", r"\centering", r"\begin{tabular}{r" + "rr" * len(skills) + "}", r"\toprule"]
    lines.append(
        " & ".join([""] + [rf"\multicolumn{{2}}{{c}}{{{latex_escape(s)}}}" for s in skills]) + r" \\"
    )
    lines.append(" & ".join(["FLOPs ($10^{19}$)"] + ["Params (B)", "Tokens (T)"] * len(skills)) + r" \\")
    lines.append(r"\midrule")
    indexed = table.set_index(["flops_1e19", "skill"])
    for c in budgets:
        cells = [f"{c:.0f}"]
        for s in skills:
            row = indexed.loc[(c, s)]
            cells += [f"{row['params_b']:.2f}", f"{row['tokens_t']:.2f}"]
        lines.append(" & ".join(cells) + r" \\")
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        rf"\caption{{{latex_escape(caption)}}}",
        rf"\label{{{label}}}",
    ]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- motivation


def motivation_frame(dataset: pd.DataFrame, benchmark: str, *, n_families: int = 10) -> pd.DataFrame:
    """Rows of the motivation scatters (paper App. D, Figures 8-9): base models with a ``benchmark`` score,
    size and tokens, of the ``n_families`` original families with most such models (ties by name).  Adds
    natural-log     ``log_flops`` (FLOPs = 6 · N · D), ``log_params`` (N in B) and ``log_tokens`` (D in T)."""
    if benchmark not in dataset.columns:
        raise DataError(f"dataset: no benchmark column {benchmark!r}")
    base = dataset[~dataset["instruct"].astype(bool)].dropna(subset=[benchmark, "params_b", "tokens_t"])
    counts = base["family"].value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    families = [f for f, _ in ranked[:n_families]]
    rows = base[base["family"].isin(families)].copy()
    rows["family"] = pd.Categorical(rows["family"], categories=families, ordered=True)
    rows = rows.sort_values(["family", "params_b", "model"], kind="mergesort").reset_index(drop=True)
    return pd.DataFrame(
        {
            "model": rows["model"].astype(str),
            "family": rows["family"].astype(str),
            "score": rows[benchmark].astype(float),
            "log_flops": np.log(6.0 * rows["params_b"] * 1e9 * rows["tokens_t"] * 1e12),
            "log_params": np.log(rows["params_b"].astype(float)),
            "log_tokens": np.log(rows["tokens_t"].astype(float)),
        }
    )


def slug(name: str) -> str:
    """File-name form of a benchmark (:func:`slothpipe.figure_plan.slug`)."""
    return _slug(name)
