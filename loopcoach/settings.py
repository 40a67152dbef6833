"""Settings, declared once: each has a name, an environment variable, a default and help.

The CLI's `loopcoach settings` view and docs/settings.md are both built from `SETTINGS`, and a
test fails when the two disagree.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

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
        "judge_workers",
        "LOOPCOACH_JUDGE_WORKERS",
        "the number of cores",
        "How many judge worker processes `loopcoach serve` runs (at most the cores).",
    ),
    Setting(
        "submit_burst",
        "LOOPCOACH_SUBMIT_BURST",
        "10",
        "Submissions a client may make at once before the rate limit applies.",
    ),
    Setting(
        "submit_per_minute",
        "LOOPCOACH_SUBMIT_PER_MINUTE",
        "30",
        "The steady rate of submissions per client per minute after a burst.",
    ),
    Setting(
        "idempotency_hours",
        "LOOPCOACH_IDEMPOTENCY_HOURS",
        "24",
        "How long an Idempotency-Key is remembered for POST /api/v1/submissions.",
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
    judge_workers: int = 0
    submit_burst: int = 10
    submit_per_minute: float = 30.0
    idempotency_hours: float = 24.0

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
        cores = max(1, len(os.sched_getaffinity(0)))
        workers = _number(env, "LOOPCOACH_JUDGE_WORKERS", cores, int)
        return cls(
            data_dir,
            database_url,
            content_dirs,
            cache_dir,
            judge_workers=max(1, min(cores, workers)),
            submit_burst=max(1, _number(env, "LOOPCOACH_SUBMIT_BURST", 10, int)),
            submit_per_minute=_number(env, "LOOPCOACH_SUBMIT_PER_MINUTE", 30.0, float),
            idempotency_hours=_number(env, "LOOPCOACH_IDEMPOTENCY_HOURS", 24.0, float),
        )


class SettingError(ValueError):
    """An environment variable holds something that is not a valid setting."""


Number = TypeVar("Number", int, float)


def _number(
    env: Mapping[str, str], name: str, default: Number, kind: type[Number]
) -> Number:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingError(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise SettingError(f"{name} must be a number greater than 0, not {raw!r}")
    return value
