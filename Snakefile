# Sloth reproduction pipeline.  The workflow is defined in workflow/Snakefile (the Snakemake catalog's
# layout); this file lets `snakemake --cores 8` run it from the repository root.


include: "workflow/Snakefile"


# An included file cannot set the default target (Snakemake restores it after an include), so this does.
rule default:
    """No target given: everything, as rule `all`."""
    default_target: True
    input:
        rules.all.input,
