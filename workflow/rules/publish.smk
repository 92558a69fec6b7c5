# Publishing tracked outputs (see `tracked()` in common.smk): included last, once every rule has declared
# its tracked files.  Each job copies one finished work file onto its tracked path (temporary file + rename in
# the same directory, so a reader sees the old or the new file, never a partial one).  Results (figures and
# tables) and intermediate files (dataset, manifests, plan, fits) are published by two rules so that
# `--profile profiles/redraw` can rebuild a figure or table from the tracked intermediate files alone.

import sys

from slothpipe.catalog import read_catalog
from slothpipe.publish import tracked_pattern_regex

# The Python that runs Snakemake (jobs do not rely on `python` being on PATH).
PUBLISH_CMD = f'"{sys.executable}" -m slothpipe.publish'


# `snakemake --report report.html` (or .zip) shows every published file, grouped by the section of
# results/README.md that lists it and captioned with that row: the paper figure or table it reproduces, how it
# compares, and the rule that made it (slothpipe.catalog reads the README; nothing is repeated here).
CATALOG = read_catalog(REPO / "results" / "README.md")


localrules:
    publish_result,
    publish_intermediate,


rule publish_result:
    """Publish a finished job's tracked file: copy its work file onto the tracked path (atomic rename)."""
    input:
        work=f"{WORK}/{{path}}",
        code=module_code("slothpipe.publish"),
    output:
        report(
            "{path}",
            caption="../report/caption.rst",
            category=lambda wildcards: catalog_entry(wildcards, CATALOG).section,
        ),
    log:
        "logs/publish/{path}.log",
    wildcard_constraints:
        path=tracked_pattern_regex(TRACKED["result"]),
    conda:
        SOFTWARE_ENV
    params:
        caption=lambda wildcards: catalog_entry(wildcards, CATALOG).caption(),
    shell:
        PUBLISH_CMD + " {input.work:q} {output:q} 2> {log:q}"


use rule publish_result as publish_intermediate with:
    wildcard_constraints:
        path=tracked_pattern_regex(TRACKED["intermediate"]),
