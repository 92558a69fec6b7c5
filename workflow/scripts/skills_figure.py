"""Snakemake script: one figure of an interpretation file (loadings, skill correlation, level curves or
base-vs-instruct skills)."""

from slothpipe.interpretation.products import correlation_table, instruct_pairs, loadings_table, skill_order
from slothpipe.interpretation.records import read_interpretation
from slothpipe.plotting.skill_maps import (
    correlation_figure,
    instruct_figure,
    level_curves_figure,
    loadings_figure,
)
from slothpipe.plotting.style import save_and_close
from slothpipe.runner import run


def main(snakemake):
    result = read_interpretation(snakemake.input.fit)
    kind = snakemake.params.kind
    order = skill_order(result.names)
    if kind == "loadings":
        fig = loadings_figure(loadings_table(result, snakemake.params.plot_order).set_index("skill"))
    elif kind == "correlation":
        fig = correlation_figure(correlation_table(result))
    elif kind == "level_curves":
        fig = level_curves_figure(
            result.slopes[order], result.models, levels=snakemake.params.levels,
            log_base=result.record["settings"]["log_base"],
        )  # fmt: skip
    elif kind == "instruct":
        pairs = [tuple(p) for p in snakemake.params.pairs]
        fig = instruct_figure(instruct_pairs(result, pairs), order)
    else:
        raise ValueError(f"unknown figure kind {kind!r}")
    save_and_close(fig, snakemake.output.pdf, snakemake.output.png)


run(main, snakemake)
