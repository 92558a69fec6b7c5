"""Which figures the workflow draws and what goes into each: derived from the config and the tables.

The rule files (``workflow/rules/*.smk``) only wire these plans to rules.  Figure names follow the paper's
numbers (NeurIPS version, docs/sources.md) where the paper has the figure; a figure the paper does not have
gets a descriptive name without a number.  Panels follow the source table (:mod:`slothpipe.leaderboards`): one
panel per leaderboard suite of the configuration, so a new leaderboard version gets its panels without a
change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from slothpipe.leaderboards import BY_NAME, SUITES

__all__ = [
    "FIGURE3_METHODS",
    "LINK_PAPER_NUMBERS",
    "downstream_figures",
    "family_figures",
    "has_method",
    "heatmap_figures",
    "link_figures",
    "link_jobs",
    "loadings_figures",
    "motivation_figures",
    "shared_intercept_setting",
    "skill_figures",
    "slug",
    "suite_slug",
]

# ---------------------------------------------------------------------------------------- evaluation

# Paper numbers of the heat-maps per number of training models: the leaderboards side by side (plain, MAPE,
# complete) and the combined suites.  The MAPE heat-map exists for one training model only.
_HEATMAP_NUMBERS = {
    1: {"main": "fig01", "mape": "fig10", "complete": "fig11", "combined": "fig12"},
    2: {"main": "fig16", "complete": "fig16", "combined": "fig17"},
}
# Paper numbers of the per-family figures: per leaderboard suite, and for a combined suite.
_FAMILY_NUMBERS = {
    1: {"v1": "fig13", "v2": "fig14", "combined": "fig15"},
    2: {"v1": "fig18", "v2": "fig19", "combined": "fig20"},
}
#: Figure 3: FLOPs (shared intercept) against the shared- and family-intercept Sloth (method-name prefixes
#: followed by the number of skills, or the exact name).
FIGURE3_METHODS = ("flops_shared", "sloth_d", "sloth_shared_d")


def suite_slug(suite: str) -> str:
    """File-name form of a suite: ``v1+v2`` -> ``v1v2``."""
    return suite.replace("+", "")


def _leaderboard_suites(suites: Iterable[str]) -> list[str]:
    configured = set(suites)
    return [s for s in SUITES if s in configured]


def _combined_suites(suites: Iterable[str]) -> list[str]:
    return [s for s in suites if s not in SUITES]


def heatmap_figures(suites: Iterable[str], n_train_models: Iterable[int]) -> dict[str, dict[str, Any]]:
    """Name -> ``panels`` [(suite, n)], ``complete``, ``metric`` of every error heat-map (Figures 1, 10-12,
    16-17 and their complete variants).

    For each configured number of training models with a paper figure (1 or 2): one figure with the
    configured leaderboard suites side by side (table order), its complete variant (and, for n = 1, its
    MAPE variant), and one figure per combined suite (a configured suite that is not one leaderboard's).
    """
    suites = list(suites)
    boards = _leaderboard_suites(suites)
    out: dict[str, dict[str, Any]] = {}
    for n in n_train_models:
        numbers = _HEATMAP_NUMBERS.get(n)
        if numbers is None:
            continue
        if boards:
            panels = [(s, n) for s in boards]
            out[f"{numbers['main']}_errors_n{n}"] = dict(panels=panels, complete=False, metric="mae_pp")
            if "mape" in numbers:
                out[f"{numbers['mape']}_mape_n{n}"] = dict(panels=panels, complete=False, metric="mape_pct")
            out[f"{numbers['complete']}_errors_n{n}_complete"] = dict(
                panels=panels, complete=True, metric="mae_pp"
            )
        for suite in _combined_suites(suites):
            stem = f"{numbers['combined']}_errors_{suite_slug(suite)}_n{n}"
            out[stem] = dict(panels=[(suite, n)], complete=False, metric="mae_pp")
            out[f"{stem}_complete"] = dict(panels=[(suite, n)], complete=True, metric="mae_pp")
    return out


def family_figures(suites: Iterable[str], n_train_models: Iterable[int]) -> dict[str, tuple[str, int]]:
    """Name -> (suite, n) of the per-family error figures (Figures 13-15, 18-20; others: ``figfamily_*``)."""
    suites = list(suites)
    out = {}
    for n in n_train_models:
        numbers = _FAMILY_NUMBERS.get(n, {})
        for suite in _leaderboard_suites(suites):
            out[f"{numbers.get(suite, 'figfamily')}_family_errors_{suite_slug(suite)}_n{n}"] = (suite, n)
        for suite in _combined_suites(suites):
            out[f"{numbers.get('combined', 'figfamily')}_family_errors_{suite_slug(suite)}_n{n}"] = (suite, n)
    return out


def has_method(methods: Iterable[str], prefix: str) -> bool:
    """Whether ``methods`` has ``prefix`` itself or ``prefix`` followed by digits (a number of skills)."""
    return any(m == prefix or (m.startswith(prefix) and m[len(prefix) :].isdigit()) for m in methods)


def shared_intercept_setting(
    suites: Iterable[str], n_train_models: Iterable[int], methods: Iterable[str]
) -> tuple[str, int] | None:
    """The (suite, n) of Figure 3 -- the first combined suite with one training model -- or None when it is
    not configured or a method it compares (:data:`FIGURE3_METHODS`) is not selected."""
    combined = _combined_suites(suites)
    methods = list(methods)
    if not combined or 1 not in list(n_train_models):
        return None
    if not all(has_method(methods, prefix) for prefix in FIGURE3_METHODS):
        return None
    return (combined[0], 1)


def shared_intercept_figures(
    suites: Iterable[str], n_train_models: Iterable[int], methods: Iterable[str]
) -> dict[str, tuple[str, int]]:
    """Name -> (suite, n) of Figure 3 (:func:`shared_intercept_setting`): one entry, or none."""
    setting = shared_intercept_setting(suites, n_train_models, methods)
    return {} if setting is None else {"fig03_shared_intercept": setting}


# ------------------------------------------------------------------------------------ interpretation

# Paper figure numbers per kind and number of skills; other d get no number.  Figures 21-22 and 26-27 carry
# duplicated captions in the paper: we take the first as loadings, the second as the skill correlation (the
# order of the d=3 pair, Figure 2 then Figure 25).
_SKILL_NUMBERS = {
    "loadings": {2: "fig21", 3: "fig02", 4: "fig26"},
    "correlation": {2: "fig22", 3: "fig25", 4: "fig27"},
    "instruct": {2: "fig23", 3: "fig05", 4: "fig28"},
    "level_curves": {2: "fig24", 3: "fig04", 4: "fig29"},
}
_SKILL_STEMS = {
    "loadings": "loadings",
    "correlation": "skill_correlation",
    "instruct": "instruct_vs_base",
    "level_curves": "level_curves",
}


def skill_figures(n_skills: Iterable[int]) -> dict[str, tuple[str, int]]:
    """Name -> (kind, d) of the skills figures (Figures 2, 4, 5, 21-29; other d: ``skills_<stem>_d<d>``)."""
    n_skills = list(n_skills)
    return {
        f"{_SKILL_NUMBERS[kind].get(d, 'skills')}_{stem}_d{d}": (kind, d)
        for kind, stem in _SKILL_STEMS.items()
        for d in n_skills
    }


def slug(name: str) -> str:
    """File-name form of a benchmark: lowercase, runs of other characters than letters and digits -> ``-``
    (``"Abc Lvl 5"`` → ``abc-lvl-5``)."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def motivation_figures(benchmarks: Sequence[str]) -> dict[str, str]:
    """Name -> benchmark of the motivation scatters: one per benchmark under ``motivation/``, plus the paper's
    numbered ones (Figures 8-9: the benchmark table's ``motivation_figure``) for the configured benchmarks."""
    out = {f"motivation/{slug(b)}": b for b in benchmarks}
    for b in benchmarks:
        number = BY_NAME[b].motivation_figure if b in BY_NAME else ""
        if number:
            out[f"{number}_motivation_{slug(b)}"] = b
    return out


# ---------------------------------------------------------------------------------------- downstream

#: The link-function figures the paper shows (base families, Figures 33-36); the instruct variants the
#: authors' notebook also makes are "figK_*" (Appendix K, unnumbered).
LINK_PAPER_NUMBERS = {
    ("v1", "meta-llama-3"): "fig33",
    ("v2", "meta-llama-3"): "fig34",
    ("v1", "yi-1.5"): "fig35",
    ("v2", "yi-1.5"): "fig36",
}

_MAIN_TITLE = "Sloth (d=3) without the Llama-3-70B pair"
_ALL_PANELS = [("sloth_all", "Sloth (d=3), all models"), ("pca_all", "Observational law (PCA, 3 PCs)")]
_DOWNSTREAM_FIGURES = {
    "fig06_humaneval": dict(task="humaneval", panels=[("main", _MAIN_TITLE)]),
    "fig30_eq_bench": dict(task="eq_bench", panels=[("main", _MAIN_TITLE)]),
    "fig37_humaneval_sloth_vs_pca": dict(task="humaneval", panels=_ALL_PANELS),
    "fig38_eq_bench_sloth_vs_pca": dict(task="eq_bench", panels=_ALL_PANELS),
}
_LOADINGS_FIGURES = {
    "fig32_downstream_loadings": dict(
        setting="main", title="Loadings of the Sloth fit without the Llama-3-70B pair", vmin=-1.0, vmax=2.0
    ),
    "fig39_loadings_sloth_all": dict(
        setting="sloth_all", title="Loadings of the Sloth fit on all models (App. L)", vmin=-1.0, vmax=2.0
    ),
    "fig40_loadings_pca": dict(
        setting="pca_all", title="PCA components (observational scaling law, App. L)", vmin=-1.0, vmax=1.0
    ),
}


def downstream_figures(tasks: Iterable[str], skill_settings: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Name -> ``task`` and ``panels`` [(skill setting, title)] of the regression figures (6, 30, 37, 38)
    whose task and skill settings are configured."""
    tasks, settings = set(tasks), set(skill_settings)
    return {
        name: {"task": spec["task"], "panels": [tuple(p) for p in spec["panels"]]}
        for name, spec in _DOWNSTREAM_FIGURES.items()
        if spec["task"] in tasks and all(s in settings for s, _ in spec["panels"])
    }


def loadings_figures(skill_settings: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Name -> ``setting``, ``title``, ``vmin``, ``vmax`` of the loadings figures (32, 39, 40) configured."""
    settings = set(skill_settings)
    return {name: dict(spec) for name, spec in _LOADINGS_FIGURES.items() if spec["setting"] in settings}


def link_jobs(suites: Iterable[str], cases: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(suite, family) -> case of the link-function curves: each suite with each test family of each case."""
    return {
        (suite, family): case
        for suite in suites
        for case, spec in cases.items()
        for family in spec["test_models"]
    }


def link_figures(suites: Iterable[str], cases: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Name -> (suite, family) of the link-function figures, one per link job (:func:`link_jobs`)."""
    return {
        f"{LINK_PAPER_NUMBERS.get((suite, family), 'figK')}_link_functions_{suite}_{family}": (suite, family)
        for suite, family in link_jobs(suites, cases)
    }
