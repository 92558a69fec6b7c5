"""Snakemake script: loadings, skill correlations and rotated translog coefficients of one interpretation."""

from slothpipe.interpretation.products import (
    coefficients_latex,
    coefficients_table,
    correlation_table,
    loadings_table,
)
from slothpipe.interpretation.records import read_interpretation
from slothpipe.io import write_csv, write_text
from slothpipe.runner import run


def main(snakemake):
    result = read_interpretation(snakemake.input.fit)
    d = len(result.names)
    write_csv(
        loadings_table(result, snakemake.params.plot_order), snakemake.output.loadings, float_format="%.4f"
    )
    write_csv(
        correlation_table(result).rename_axis("skill").reset_index(),
        snakemake.output.correlation,
        float_format="%.4f",
    )
    coefficients = coefficients_table(result)
    write_csv(coefficients, snakemake.output.coefficients, float_format="%.4f")
    write_text(coefficients_latex(coefficients, d), snakemake.output.coefficients_tex)


run(main, snakemake)
