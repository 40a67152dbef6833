"""Shared fixtures: a scrubbed environment, the shipped catalog, one judge per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopcoach.catalog import Catalog, load_catalog
from loopcoach.judge import Judge, Sandbox

SCRUBBED = ("LOOPCOACH_DATABASE_URL", "LOOPCOACH_CONTENT_DIRS")


@pytest.fixture(autouse=True)
def scrubbed_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every test gets its own data folder and no settings from the developer's shell."""
    for name in SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LOOPCOACH_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("LOOPCOACH_CACHE_DIR", str(_shared_cache()))
    monkeypatch.setenv("COLUMNS", "120")


def _shared_cache() -> Path:
    # Generated test cases are deterministic per content version, so sessions share them.
    folder = Path(os.environ.get("PYTEST_LOOPCOACH_CACHE", "/tmp/loopcoach-test-cache"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    loaded = load_catalog()
    assert loaded.errors == [], "\n".join(map(str, loaded.errors))
    return loaded


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.close()


@pytest.fixture(scope="session")
def judge(sandbox: Sandbox) -> Judge:
    return Judge(sandbox, cache_dir=_shared_cache() / "cases")


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server; skipped where none is installed unless CI demands it."""
    from tests.postgres_server import find_postgres_bin, postgres_cluster

    if find_postgres_bin() is None:
        if os.environ.get("LOOPCOACH_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries are required but not installed")
        pytest.skip("PostgreSQL server binaries (initdb) are not installed")
    # Not under pytest's temp folder: the server's own account must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="loopcoach-postgres-"))
    try:
        with postgres_cluster(folder) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)
