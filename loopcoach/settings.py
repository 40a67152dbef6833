"""Settings, declared once: each has a name, an environment variable, a default and help.

The CLI's `loopcoach settings` view and docs/settings.md are both built from `SETTINGS`, and a
test fails when the two disagree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

APP_NAME = "loopcoach"


@dataclass(frozen=True)
class Setting:
    """One configurable value."""

    name: str
    environment: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "LOOPCOACH_DATA_DIR",
        "the platform's user data folder (e.g. ~/.local/share/loopcoach)",
        "Where the embedded database and your starter files' history live.",
    ),
    Setting(
        "database_url",
        "LOOPCOACH_DATABASE_URL",
        "sqlite:///<data_dir>/loopcoach.db",
        "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user@host/loopcoach.",
    ),
    Setting(
        "content_dirs",
        "LOOPCOACH_CONTENT_DIRS",
        "(none)",
        "Extra content folders, colon-separated, loaded after the shipped content.",
    ),
    Setting(
        "cache_dir",
        "LOOPCOACH_CACHE_DIR",
        "the platform's user cache folder (e.g. ~/.cache/loopcoach)",
        "Where generated test cases are cached per content version.",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run."""

    data_dir: Path
    database_url: str
    content_dirs: tuple[Path, ...]
    cache_dir: Path

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Settings:
        """Resolve every setting from `environment` (the process environment by default)."""
        env = os.environ if environment is None else environment
        data_dir = Path(env.get("LOOPCOACH_DATA_DIR") or user_data_dir(APP_NAME))
        cache_dir = Path(env.get("LOOPCOACH_CACHE_DIR") or user_cache_dir(APP_NAME))
        database_url = env.get("LOOPCOACH_DATABASE_URL") or (
            f"sqlite:///{data_dir / 'loopcoach.db'}"
        )
        content_dirs = tuple(
            Path(part).expanduser()
            for part in env.get("LOOPCOACH_CONTENT_DIRS", "").split(":")
            if part.strip()
        )
        return cls(data_dir, database_url, content_dirs, cache_dir)
