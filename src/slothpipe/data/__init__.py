"""The data stage: the curated model registry, readers for the raw sources, and the clean step.

Public API::

    from slothpipe.data import build_dataset, load_registry

    registry = load_registry("config/models.csv", metadata="paper")
    dataset, unmatched = build_dataset("config/models.csv", {"leaderboard_v1": v1, ...},  # CLEAN_SOURCES
                                       "config/downstream/humaneval_evalplus.csv", metadata="paper")

Columns, row order and rules are documented in ``config/README.md`` and in the module docstrings.
"""

from slothpipe.lazy_exports import lazy_exports

# Names are loaded from their modules on first use (PEP 562): the workflow imports ``slothpipe.data.schema``
# while Snakemake parses it, and the readers below would make every snakemake invocation import pandas.
_EXPORTS = {
    "slothpipe.data.build": ("UNMATCHED_KINDS", "BuildResult", "assemble", "build_dataset", "name_stem"),
    "slothpipe.data.downstream": ("read_downstream_scores",),
    "slothpipe.data.registry": ("REGISTRY_COLUMNS", "load_registry"),
    "slothpipe.data.schema": (
        "BENCHMARKS",
        "DATASET_COLUMNS",
        "UNMATCHED_COLUMNS",
        "V1_BENCHMARKS",
        "V2_BENCHMARKS",
    ),
    "slothpipe.data.sources": (
        "read_leaderboard_v1",
        "read_leaderboard_v2",
        "read_obsscaling",
        "resolve_v1",
        "resolve_v2",
    ),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
