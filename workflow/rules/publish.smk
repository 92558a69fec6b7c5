# Publishing tracked outputs (see `tracked()` in common.smk): included last, once every rule has declared
# its tracked files.  Each job copies one finished work file onto its tracked path (temporary file + rename in
# the same directory, so a reader sees the old or the new file, never a partial one).  Results (figures and
# tables) and intermediate files (dataset, manifests, plan, fits) are published by two rules so that
# `--profile profiles/redraw` can rebuild a figure or table from the tracked intermediate files alone.

import sys

from slothpipe.publish import tracked_pattern_regex

# The Python that runs Snakemake (jobs do not rely on `python` being on PATH).
PUBLISH_CMD = f'"{sys.executable}" -m slothpipe.publish'


localrules:
    publish_result,
    publish_intermediate,


rule publish_result:
    input:
        f"{WORK}/{{path}}",
    output:
        "{path}",
    wildcard_constraints:
        path=tracked_pattern_regex(TRACKED["result"]),
    shell:
        PUBLISH_CMD + " {input:q} {output:q}"


use rule publish_result as publish_intermediate with:
    wildcard_constraints:
        path=tracked_pattern_regex(TRACKED["intermediate"]),
