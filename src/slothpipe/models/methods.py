"""The method table: the 28 methods of the paper's prediction experiments (paper §4.2).

``METHODS`` maps our stable slug to a :class:`MethodSpec`; it is ordered as the rows of the paper's heat-maps
(FLOPs (shared intercept), FLOPs, Size and Tokens, PCA + FLOPs d=1..4, Sloth basic/Sloth (shared intercept)
d=1..4, Sloth basic/Sloth d=1..4), followed by the five methods the authors fitted but never plotted, in
their code order.  ``paper_code`` is the authors' name (``definitions.methods_names``, as in
``paper_mae_summary.csv``) and ``paper_index`` its position 0–27 in their error arrays.

A :class:`MethodSpec` is the method's :class:`~slothpipe.models.method_settings.FitSpec` (what its fit depends
on, :mod:`slothpipe.models.method_settings`) and what the figures and tables show of it (this module).  The
fitting engine reads only the former, so editing a label here re-draws figures and tables and refits nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from slothpipe.models.method_settings import (
    CHANCE_LEVELS,
    FIT_SPECS,
    KINDS,
    SLOTH_INTERCEPTS,
    SLOTH_LINKS,
    UNPLOTTED_LAWS,
    FitSpec,
    chance_levels,
    fit_settings,
)

__all__ = [
    "CHANCE_LEVELS",
    "KINDS",
    "METHODS",
    "PAPER_ORDER",
    "MethodSpec",
    "chance_levels",
    "fit_settings",
    "method_by_paper_code",
]


@dataclass(frozen=True, kw_only=True)
class MethodSpec(FitSpec):
    """One method of the prediction experiments: its fit (:class:`FitSpec`) and how the paper shows it.

    ``label`` is the name in our figures and tables; ``in_main_figures`` says whether the paper plots it at
    all; ``shown_n_train_models`` in which settings; ``complete_plot_only`` whether only in the "complete"
    heat-maps (the shared-intercept Sloth rows of Figures 11, 12 and the complete 16/17).  Keywords only.
    """

    paper_code: str
    label: str
    in_main_figures: bool
    shown_n_train_models: tuple[int, ...] = (1, 2)
    complete_plot_only: bool = False


#: Labels and paper codes of the unplotted laws (slug -> (paper code, label); the labels are ours).
_UNPLOTTED = {
    "flops_shared_link": ("logF_trainlink", "FLOPs (shared intercept, trainable link)"),
    "flops_link": ("logF_trainlink_faminter", "FLOPs (trainable link)"),
    "size_tokens_basic_shared": ("logSlogT_sigmoid", "Size and Tokens basic (shared intercept)"),
    "size_tokens_shared": ("logSlogT_trainlink", "Size and Tokens (shared intercept)"),
    "size_tokens_basic": ("logSlogT_sigmoid_faminter", "Size and Tokens basic"),
}


def _shown() -> dict[str, dict]:
    """slug -> what the figures and tables show of the method (the fields :class:`MethodSpec` adds)."""
    shown = {
        "flops_shared": dict(
            paper_code="logF_sigmoid", label="FLOPs (shared intercept)", shown_n_train_models=(1,)
        ),
        "flops": dict(paper_code="logF_sigmoid_faminter", label="FLOPs"),
        "size_tokens": dict(paper_code="logSlogT_trainlink_faminter", label="Size and Tokens"),
    }
    for d in range(1, 5):
        shown[f"pca_flops_d{d}"] = dict(paper_code=f"pca_d={d}", label=f"PCA + FLOPs (d={d})")
    codes = {"shared": ("", " (shared intercept)"), "family": ("_faminter", "")}
    stems = {"sigmoid": ("factor_sigmoid", "Sloth basic"), "monotone": ("factor_trainlink", "Sloth")}
    for intercept, _, suffix in SLOTH_INTERCEPTS:
        code_suffix, label_suffix = codes[intercept]
        for link, _, stem in SLOTH_LINKS:
            code, label = stems[link]
            for d in range(1, 5):
                shown[f"{stem}{suffix}_d{d}"] = dict(
                    paper_code=f"{code}{code_suffix}_d={d}",
                    label=f"{label} (d={d}){label_suffix}",
                    complete_plot_only=intercept == "shared",
                )
    for name, *_ in UNPLOTTED_LAWS:
        code, label = _UNPLOTTED[name]
        shown[name] = dict(paper_code=code, label=label, in_main_figures=False, shown_n_train_models=())
    return shown


def _build_methods() -> dict[str, MethodSpec]:
    shown = _shown()
    if set(shown) != set(FIT_SPECS):
        raise RuntimeError(f"method table and fit settings differ: {sorted(set(shown) ^ set(FIT_SPECS))}")
    return {
        name: MethodSpec(**asdict(fit), **{"in_main_figures": True, **shown[name]})
        for name, fit in FIT_SPECS.items()
    }


METHODS: dict[str, MethodSpec] = _build_methods()
#: Slugs in the authors' code order (``paper_index`` 0–27).
PAPER_ORDER: tuple[str, ...] = tuple(sorted(METHODS, key=lambda k: METHODS[k].paper_index))


def method_by_paper_code(code: str) -> MethodSpec:
    """The spec whose ``paper_code`` is ``code`` (e.g. ``"factor_trainlink_faminter_d=2"``)."""
    for spec in METHODS.values():
        if spec.paper_code == code:
            return spec
    raise ValueError(f"unknown paper method code {code!r}")
