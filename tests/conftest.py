"""Shared fixtures: the repository's own collection, the seed, and throw-away collections."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED = REPO_ROOT.parent / "shared" / "seeds" / "000_6634872833e2fffd.txt"
DATA = Path(__file__).resolve().parent / "data"
MAIN_DOC = "us-japan-1974"


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch, tmp_path):
    """Every test gets its own review database; WORKBENCH_HOME defaults to the repository."""
    monkeypatch.setenv("WORKBENCH_HOME", str(REPO_ROOT))
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "review.db"))
    monkeypatch.setenv("WORKBENCH_PROGRESS", "false")


@pytest.fixture
def repo_collection():
    """The repository's own collection (read-only use)."""
    from workbench.corpus import Collection

    return Collection(REPO_ROOT)


@pytest.fixture
def tmp_collection(tmp_path, monkeypatch):
    """An empty collection in a temporary folder, set as WORKBENCH_HOME."""
    from workbench.corpus import Collection

    home = tmp_path / "collection"
    (home / "scans").mkdir(parents=True)
    (home / "transcripts").mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return Collection(home)


@pytest.fixture
def copied_collection(tmp_path, monkeypatch):
    """A writable copy of the repository's collection (scans, transcripts), set as WORKBENCH_HOME."""
    from workbench.corpus import Collection

    home = tmp_path / "collection"
    for folder in ("scans", "transcripts"):
        if (REPO_ROOT / folder).exists():
            shutil.copytree(REPO_ROOT / folder, home / folder)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return Collection(home)
