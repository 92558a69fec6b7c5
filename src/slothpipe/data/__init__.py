"""The data stage: the curated model registry, readers for the raw sources, and the clean step.

Public API::

    from slothpipe.data import build_dataset, load_registry

    registry = load_registry("config/models.csv", metadata="paper")
    dataset, unmatched = build_dataset("config/models.csv", {"leaderboard_v1": v1, ...},  # CLEAN_SOURCES
                                       "config/downstream/humaneval_evalplus.csv", metadata="paper")

Columns, row order and rules are documented in ``config/README.md`` and in the module docstrings.
"""

from slothpipe.data.build import UNMATCHED_KINDS, BuildResult, assemble, build_dataset, name_stem
from slothpipe.data.downstream import read_downstream_scores
from slothpipe.data.registry import REGISTRY_COLUMNS, load_registry
from slothpipe.data.schema import BENCHMARKS, DATASET_COLUMNS, UNMATCHED_COLUMNS, V1_BENCHMARKS, V2_BENCHMARKS
from slothpipe.data.sources import (
    read_leaderboard_v1,
    read_leaderboard_v2,
    read_obsscaling,
    resolve_v1,
    resolve_v2,
)

__all__ = [
    "BENCHMARKS",
    "DATASET_COLUMNS",
    "REGISTRY_COLUMNS",
    "UNMATCHED_COLUMNS",
    "UNMATCHED_KINDS",
    "V1_BENCHMARKS",
    "V2_BENCHMARKS",
    "BuildResult",
    "assemble",
    "build_dataset",
    "load_registry",
    "name_stem",
    "read_downstream_scores",
    "read_leaderboard_v1",
    "read_leaderboard_v2",
    "read_obsscaling",
    "resolve_v1",
    "resolve_v2",
]
