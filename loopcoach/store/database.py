"""Open the store: an engine, migrations brought up to date, and sessions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from loopcoach.errors import StoreError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration; a test checks it against the migration scripts. Knowing it here
# lets every command skip loading Alembic when the database is already current.
HEAD_REVISION = "0003"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The database behind loopcoach, at the schema this code expects."""

    def __init__(self, url: str, *, clock: Clock = utc_now) -> None:
        self.url = url
        self.clock = clock
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.upgrade()

    def upgrade(self) -> None:
        """Apply any migrations this database has not seen.

        Raises:
            StoreError: the database cannot be reached or migrated.
        """
        try:
            with self.engine.begin() as connection:
                if _current_revision(connection) == HEAD_REVISION:
                    return
                _run_migrations(connection)
        except DBAPIError as error:
            raise StoreError(
                f"cannot open the database {_safe_url(self.url)}: {error.orig}"
            ) from error

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(
            f"LOOPCOACH_DATABASE_URL is not a database URL: {url!r}; use e.g. "
            "sqlite:///path/to/loopcoach.db or postgresql+psycopg://user@host/db"
        ) from error
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, ""):
            raise StoreError(
                f"{url!r} names no database file; use sqlite:///path/to/loopcoach.db"
            )
        if parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"cannot create {folder} for the database: {error.strerror}; set "
                    "LOOPCOACH_DATA_DIR or LOOPCOACH_DATABASE_URL to a writable place"
                ) from None
    try:
        engine = create_engine(
            parsed, pool_pre_ping=parsed.get_backend_name() != "sqlite"
        )
    except (NoSuchModuleError, ImportError) as error:
        raise StoreError(
            f"no driver for {parsed.drivername}: {error}; for PostgreSQL install "
            "loopcoach[postgres]"
        ) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # WAL lets the history be read while a submission is being written.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is safe from corruption and skips an fsync per commit; a power
    # cut may lose the last commits, never the database.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _current_revision(connection: Any) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def _run_migrations(connection: Any) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    logger.info("migrating the store to revision %s", HEAD_REVISION)
    command.upgrade(config, "head")


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"
