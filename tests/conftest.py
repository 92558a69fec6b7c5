"""Shared fixtures: the fake Hub server and the location of the real data in ../shared.

``shared_dir`` is the one way a test finds ../shared (or ``$SLOTHPIPE_SHARED``): a test that needs the real
data takes it as an argument and is skipped, with the reason, where the data are absent.  The synthetic world
is ``world.py``, and ``snakemake_runner.py`` runs the workflow.
"""

from __future__ import annotations

import os
from pathlib import Path

import slothpipe  # noqa: F401  (first: pins BLAS threads and OpenBLAS's kernel before numpy loads)

import pytest
from fake_servers import FakeHub

REPO_ROOT = Path(__file__).resolve().parents[1]
# The real data beside the repository (a clone's sibling `shared`, as on the development machines and in CI).
SHARED = Path(os.environ.get("SLOTHPIPE_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture
def fake_hub():
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared directory with the real Hub/GitHub snapshots; skips the test when it is absent."""
    if not (SHARED / "hub").is_dir() or not (SHARED / "reference").is_dir():
        pytest.skip(f"needs the real data snapshots in {SHARED} (absent on this machine)")
    return SHARED


def pytest_collection_modifyitems(config, items):
    """Longest test files first.

    With ``--dist loadfile`` (pyproject's addopts) each file runs on one worker, so the few long workflow
    files must start first, or one of them ends the run alone on one core.  A file's cost is the largest
    ``slow(seconds=N)`` estimate of its tests (about its CPU seconds); the sort is stable, so the tests of a
    file stay together and in order, and files of equal cost keep the collection order.  pytest-xdist
    would re-sort the files by their number of tests; ``--no-loadscope-reorder`` (addopts) keeps this order.
    """
    cost: dict = {}
    for item in items:
        marks = [m.kwargs.get("seconds", 0) for m in item.iter_markers("slow")]
        cost[item.path] = max(cost.get(item.path, 0), *marks, 0)
    items.sort(key=lambda item: -cost[item.path])
