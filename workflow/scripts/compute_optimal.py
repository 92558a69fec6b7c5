"""Snakemake script: compute-optimal params and tokens per skill and budget (paper Tables 1-2)."""

import logging

from slothpipe.interpretation.products import (
    budget_floor,
    compute_optimal_latex,
    compute_optimal_table,
    skill_order,
)
from slothpipe.interpretation.records import read_interpretation
from slothpipe.io import write_csv, write_text
from slothpipe.runner import run


def main(snakemake):
    result = read_interpretation(snakemake.input.fit)
    floor = budget_floor(result)
    low = snakemake.params.low_flops
    if low < floor:
        message = "low_flops %.4g is below the models' size/token box; the budgets start at %.4g"
        logging.getLogger("slothpipe").warning(message, low, floor)
    table = compute_optimal_table(result, n_budgets=snakemake.params.n_budgets, low_flops=low)
    write_csv(table, snakemake.output.csv, float_format="%.4f")
    skills = skill_order(result.names)
    follow = [s for s in skills if s.startswith("Instruction following")] or skills[-1:]
    write_text(
        compute_optimal_latex(
            table, follow, caption="Compute-optimal allocation for instruction following.",
            label="tab:compute-optimal-if",
        ),
        snakemake.output.table1,
    )  # fmt: skip
    write_text(
        compute_optimal_latex(
            table, skills, caption="Compute-optimal allocation for every skill.", label="tab:compute-optimal"
        ),
        snakemake.output.table2,
    )


run(main, snakemake)
