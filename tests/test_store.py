"""The store on SQLite and on a real PostgreSQL: migrations, recording, history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from loopcoach.store import (
    HEAD_REVISION,
    NewSubmission,
    Store,
    StoreError,
    SubmissionHistory,
    TestRecord,
)
from loopcoach.store.database import MIGRATIONS
from loopcoach.verdict import Verdict


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'loopcoach.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = Store(url, clock=FakeClock())
    yield opened
    with opened.engine.begin() as connection:
        connection.execute(text("DELETE FROM submission_tests"))
        connection.execute(text("DELETE FROM submissions"))
    opened.close()


def _submission(
    problem: str = "two-sum",
    verdict: Verdict = Verdict.ACCEPTED,
    code: str = "def two_sum(): pass",
) -> NewSubmission:
    tests = (
        TestRecord("example-1", Verdict.ACCEPTED, 0.5, 9000, False, ""),
        TestRecord(
            "large-1",
            verdict,
            20.0,
            30000,
            True,
            "" if verdict is Verdict.ACCEPTED else "wrong answer on a hidden test",
        ),
    )
    return NewSubmission(
        problem, verdict, "message", 20.5, 30000, 12, "bubblewrap", code, tests
    )


def test_head_revision_matches_the_migration_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrations_create_the_tables(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"submissions", "submission_tests", "alembic_version"} <= tables
    indexes = {
        index["name"] for index in inspect(store.engine).get_indexes("submissions")
    }
    assert "ix_submissions_problem_created_at" in indexes


def test_a_submission_round_trips_with_its_tests(store: Store) -> None:
    history = SubmissionHistory(store)
    stored = history.record(_submission(verdict=Verdict.WRONG_ANSWER))
    loaded = history.get(stored.id)
    assert loaded == stored
    assert loaded is not None
    assert loaded.verdict is Verdict.WRONG_ANSWER
    assert [test.name for test in loaded.tests] == ["example-1", "large-1"]
    assert loaded.tests_passed == 1
    assert loaded.created_at.tzinfo is not None


def test_history_is_newest_first_and_filters_by_problem(store: Store) -> None:
    history = SubmissionHistory(store)
    first = history.record(_submission("two-sum"))
    second = history.record(_submission("lru-cache", Verdict.TIME_LIMIT))
    third = history.record(_submission("two-sum", Verdict.WRONG_ANSWER))
    assert [r.id for r in history.recent()] == [third.id, second.id, first.id]
    assert [r.id for r in history.recent(problem="two-sum")] == [third.id, first.id]
    assert [r.id for r in history.recent(limit=1)] == [third.id]
    assert history.solved() == {"two-sum"}
    assert history.count() == 3


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'loopcoach.db'}"
    stored = SubmissionHistory(Store(url)).record(_submission())
    assert SubmissionHistory(Store(url)).get(stored.id) == stored


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'loopcoach.db'}")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_bad_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="is not a database URL"):
        Store("not a url at all")


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(code=st.text(max_size=2000))
def test_any_code_text_round_trips(tmp_path: Path, code: str) -> None:
    history = SubmissionHistory(Store(f"sqlite:///{tmp_path / 'any.db'}"))
    stored = history.record(_submission(code=code))
    loaded = history.get(stored.id)
    assert loaded is not None
    # Stored as text every database accepts: lone surrogates and NUL become U+FFFD.
    expected = code.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")
    assert loaded.code == expected
