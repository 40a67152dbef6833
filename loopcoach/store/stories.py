"""The story bank: STAR stories with optimistic concurrency on every edit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, delete, func, select, update
from sqlalchemy.orm import selectinload

from loopcoach.store.database import Store
from loopcoach.store.history import storable
from loopcoach.store.models import StoryPrincipleRow, StoryRow, StoryTagRow

PARTS = ("situation", "task", "action", "result")
MAX_TAGS = 30


@dataclass(frozen=True)
class StoryDraft:
    """What a story is made of, before it is stored."""

    title: str
    situation: str = ""
    task: str = ""
    action: str = ""
    result: str = ""
    text: str = ""
    principles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    occurred_on: date | None = None

    @property
    def has_parts(self) -> bool:
        return any(getattr(self, part).strip() for part in PARTS)


@dataclass(frozen=True)
class StoryRecord(StoryDraft):
    """A stored story."""

    id: int = 0
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def etag(self) -> str:
        return f'"story-{self.id}-v{self.version}"'

    def draft(self) -> StoryDraft:
        return StoryDraft(
            self.title,
            self.situation,
            self.task,
            self.action,
            self.result,
            self.text,
            self.principles,
            self.tags,
            self.occurred_on,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "situation": self.situation,
            "task": self.task,
            "action": self.action,
            "result": self.result,
            "text": self.text,
            "principles": list(self.principles),
            "tags": list(self.tags),
            "occurred_on": None
            if self.occurred_on is None
            else self.occurred_on.isoformat(),
            "created_at": None
            if self.created_at is None
            else self.created_at.isoformat(),
            "updated_at": None
            if self.updated_at is None
            else self.updated_at.isoformat(),
        }


class StaleStory(Exception):
    """An edit started from an older version than the one stored."""

    def __init__(self, current: StoryRecord, expected: int) -> None:
        super().__init__(
            f"story {current.id} changed since you opened it (you had version {expected}, "
            f"it is now at version {current.version}); reload it and apply your edit again"
        )
        self.current = current
        self.expected = expected


@dataclass
class Stories:
    """Stories in the store."""

    store: Store
    _options: list[Any] = field(
        default_factory=lambda: [
            selectinload(StoryRow.principles),
            selectinload(StoryRow.tags),
        ]
    )

    def create(self, draft: StoryDraft) -> StoryRecord:
        now = self.store.clock()
        row = StoryRow(created_at=now, updated_at=now, version=1)
        _fill(row, draft)
        with self.store.session() as session:
            session.add(row)
            session.flush()
            return _record(row)

    def get(self, story_id: int) -> StoryRecord | None:
        if not 1 <= story_id < 2**31:
            return None
        with self.store.session() as session:
            row = session.get(StoryRow, story_id, options=self._options)
            return None if row is None else _record(row)

    def list(
        self, *, principle: str | None = None, tag: str | None = None
    ) -> list[StoryRecord]:
        query = select(StoryRow).options(*self._options).order_by(StoryRow.id)
        principle = principle.strip().lower() if principle is not None else None
        tag = tag.strip().lower() if tag is not None else None
        if principle is not None:
            query = query.where(
                StoryRow.id.in_(
                    select(StoryPrincipleRow.story_id).where(
                        StoryPrincipleRow.principle == principle
                    )
                )
            )
        if tag is not None:
            query = query.where(
                StoryRow.id.in_(
                    select(StoryTagRow.story_id).where(StoryTagRow.tag == tag)
                )
            )
        with self.store.session() as session:
            return [_record(row) for row in session.scalars(query)]

    def update(
        self, story_id: int, draft: StoryDraft, *, expected_version: int
    ) -> StoryRecord:
        """Replace a story's content if it is still at `expected_version`.

        Raises:
            KeyError: no such story.
            StaleStory: someone saved another version first.
        """
        with self.store.session() as session:
            # Compare-and-set in one statement: of two edits from the same version,
            # exactly one matches.
            bumped = _rows(
                session.execute(
                    update(StoryRow)
                    .where(
                        StoryRow.id == story_id, StoryRow.version == expected_version
                    )
                    .values(version=StoryRow.version + 1, updated_at=self.store.clock())
                )
            )
            row = session.get(StoryRow, story_id, options=self._options)
            if row is None:
                raise KeyError(story_id)
            if bumped == 0:
                session.refresh(row)
                raise StaleStory(_record(row), expected_version)
            session.refresh(row)
            _fill(row, draft)
            session.flush()
            return _record(row)

    def delete(self, story_id: int, *, expected_version: int | None = None) -> bool:
        """Delete a story; with `expected_version`, only if it is still that version.

        Raises:
            StaleStory: the story changed since `expected_version`.
        """
        with self.store.session() as session:
            query = delete(StoryRow).where(StoryRow.id == story_id)
            if expected_version is not None:
                query = query.where(StoryRow.version == expected_version)
            deleted = _rows(session.execute(query))
            if deleted == 0 and expected_version is not None:
                row = session.get(StoryRow, story_id, options=self._options)
                if row is not None:
                    raise StaleStory(_record(row), expected_version)
            return bool(deleted)

    def count_by_principle(self) -> dict[str, int]:
        query = select(StoryPrincipleRow.principle, func.count()).group_by(
            StoryPrincipleRow.principle
        )
        with self.store.session() as session:
            return {
                principle: int(count) for principle, count in session.execute(query)
            }


def _rows(result: Result[Any]) -> int:
    # UPDATE and DELETE return a cursor result, which knows how many rows matched.
    return int(cast(CursorResult[Any], result).rowcount)


def _fill(row: StoryRow, draft: StoryDraft) -> None:
    row.title = storable(draft.title.strip())[:200] or "Untitled story"
    for part in PARTS:
        setattr(row, part, storable(getattr(draft, part)))
    row.text = storable(draft.text)
    row.occurred_on = draft.occurred_on
    row.principles = [
        StoryPrincipleRow(principle=p) for p in dict.fromkeys(_clean(draft.principles))
    ]
    row.tags = [StoryTagRow(tag=t) for t in dict.fromkeys(_clean(draft.tags))]


def _clean(values: tuple[str, ...]) -> list[str]:
    cleaned = (storable(value).strip().lower()[:80] for value in values)
    return [value for value in cleaned if value][:MAX_TAGS]


def _record(row: StoryRow) -> StoryRecord:
    return StoryRecord(
        id=row.id,
        version=row.version,
        title=row.title,
        situation=row.situation,
        task=row.task,
        action=row.action,
        result=row.result,
        text=row.text,
        principles=tuple(p.principle for p in row.principles),
        tags=tuple(t.tag for t in row.tags),
        occurred_on=row.occurred_on,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
