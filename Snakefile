# Sloth reproduction pipeline: download -> clean -> evaluate folds -> aggregate -> figures and tables.
# Rules live in workflow/rules/*.smk; all logic lives in the tested package src/slothpipe.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/evaluation.smk"
include: "workflow/rules/interpretation.smk"
include: "workflow/rules/downstream.smk"
include: "workflow/rules/obsscaling.smk"
# last: publishes every tracked file the rules above declared with tracked()
include: "workflow/rules/publish.smk"


# Downloads need the network, which compute nodes of a cluster often lack: they run on the submitting host.
localrules:
    download_hub,
    download_github,


rule all:
    """Everything: data, evaluation, interpretation and downstream outputs under results/."""
    default_target: True
    input:
        with_work_copies(DATA_OUTPUTS),
        with_work_copies(EVALUATION_OUTPUTS),
        with_work_copies(INTERPRETATION_OUTPUTS),
        with_work_copies(DOWNSTREAM_OUTPUTS),
        with_work_copies(OBSSCALING_OUTPUTS),


# Each stage target also needs the untracked work copy of every tracked file (with_work_copies, common.smk), so
# that a job that failed or was interrupted runs again even though its tracked file is still in place.
# One target per stage, e.g. `snakemake --cores 8 evaluation` (each also builds what it needs upstream).
rule data:
    """The data stage: downloads, manifests and both cleaned datasets."""
    input:
        with_work_copies(DATA_OUTPUTS),


rule evaluation:
    """The prediction experiment: leave-one-family-out folds, error tables and Figures 1, 3, 10-20."""
    input:
        with_work_copies(EVALUATION_OUTPUTS),


rule interpretation:
    """The skills fits, their figures (2, 4, 5, 8-9, 21-29) and Tables 1-2."""
    input:
        with_work_copies(INTERPRETATION_OUTPUTS),


rule downstream:
    """Downstream tasks (HumanEval, EQ-Bench) and link-function curves: Figures 6, 30, 32-40."""
    input:
        with_work_copies(DOWNSTREAM_OUTPUTS),


rule obsscaling:
    """Ruan et al.'s observational scaling applications (emergent, agentic, post-training) and Sloth on them."""
    input:
        with_work_copies(OBSSCALING_OUTPUTS),
