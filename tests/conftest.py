"""Shared fixtures: the fake Hub server and the location of the real data in ../shared."""

from __future__ import annotations

import os
from pathlib import Path

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
