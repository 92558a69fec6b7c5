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
# last: publishes every tracked file the rules above declared with tracked()
include: "workflow/rules/publish.smk"


rule all:
    default_target: True
    input:
        with_work_copies(DATA_OUTPUTS),
        with_work_copies(EVALUATION_OUTPUTS),
        with_work_copies(INTERPRETATION_OUTPUTS),
        with_work_copies(DOWNSTREAM_OUTPUTS),


# Each stage target also needs the untracked work copy of every tracked file (with_work_copies, common.smk), so
# that a job that failed or was interrupted runs again even though its tracked file is still in place.
# One target per stage, e.g. `snakemake --cores 8 evaluation` (each also builds what it needs upstream).
rule data:
    input:
        with_work_copies(DATA_OUTPUTS),


rule evaluation:
    input:
        with_work_copies(EVALUATION_OUTPUTS),


rule interpretation:
    input:
        with_work_copies(INTERPRETATION_OUTPUTS),


rule downstream:
    input:
        with_work_copies(DOWNSTREAM_OUTPUTS),
