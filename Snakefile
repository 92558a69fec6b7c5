# Sloth reproduction pipeline: download -> clean -> evaluate folds -> aggregate -> figures and tables.
# Rules live in workflow/rules/*.smk; all logic lives in the tested package src/slothpipe.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/evaluation.smk"
include: "workflow/rules/interpretation.smk"
include: "workflow/rules/downstream.smk"
include: "workflow/rules/obsscaling.smk"


rule all:
    default_target: True
    input:
        DATA_OUTPUTS,
        EVALUATION_OUTPUTS,
        INTERPRETATION_OUTPUTS,
        DOWNSTREAM_OUTPUTS,
        OBSSCALING_OUTPUTS,


# One target per stage, e.g. `snakemake --cores 8 evaluation` (each also builds what it needs upstream).
rule data:
    input:
        DATA_OUTPUTS,


rule evaluation:
    input:
        EVALUATION_OUTPUTS,


rule interpretation:
    input:
        INTERPRETATION_OUTPUTS,


rule downstream:
    input:
        DOWNSTREAM_OUTPUTS,


rule obsscaling:
    input:
        OBSSCALING_OUTPUTS,
