"""The store's tables. Rows only: nothing here knows about content files."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from loopcoach.verdict import Verdict

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store datetimes must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


VerdictColumn = Enum(
    Verdict,
    native_enum=False,
    length=20,
    values_callable=lambda members: [member.value for member in members],
)


class SubmissionStatus(enum.StrEnum):
    """Where a submission is in the judging queue."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"


class SubmissionMode(enum.StrEnum):
    """`submit` runs every test; `run` only the visible examples."""

    SUBMIT = "submit"
    RUN = "run"


def _values(members: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in members]


class SubmissionRow(Base):
    """One submission: the code, where it is in the queue, the verdict, its test results."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    problem: Mapped[str] = mapped_column(String(100))
    status: Mapped[SubmissionStatus] = mapped_column(
        Enum(SubmissionStatus, native_enum=False, length=20, values_callable=_values),
        default=SubmissionStatus.FINISHED,
    )
    mode: Mapped[SubmissionMode] = mapped_column(
        Enum(SubmissionMode, native_enum=False, length=20, values_callable=_values),
        default=SubmissionMode.SUBMIT,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Null until a verdict is given.
    verdict: Mapped[Verdict | None] = mapped_column(VerdictColumn, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    time_ms: Mapped[float] = mapped_column(Float, default=0.0)
    memory_kb: Mapped[int] = mapped_column(Integer, default=0)
    tests_total: Mapped[int] = mapped_column(Integer, default=0)
    tests_passed: Mapped[int] = mapped_column(Integer, default=0)
    isolation: Mapped[str] = mapped_column(String(20), default="")
    code: Mapped[str] = mapped_column(Text)

    tests: Mapped[list[TestResultRow]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="TestResultRow.position",
    )

    __table_args__ = (
        # `loopcoach history` lists newest first, optionally for one problem.
        Index("ix_submissions_created_at", "created_at"),
        Index("ix_submissions_problem_created_at", "problem", "created_at"),
        # Judge workers claim the oldest queued submission.
        Index("ix_submissions_status_id", "status", "id"),
    )


class IdempotencyKeyRow(Base):
    """A client's Idempotency-Key, the request it came with, and the submission it made."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # The unique pair is what makes twenty simultaneous retries create one submission.
        UniqueConstraint("client", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )


class TestResultRow(Base):
    """One test case's outcome within a submission."""

    __tablename__ = "submission_tests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[Verdict] = mapped_column(VerdictColumn)
    time_ms: Mapped[float] = mapped_column(Float, default=0.0)
    memory_kb: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[SubmissionRow] = relationship(back_populates="tests")

    __table_args__ = (UniqueConstraint("submission_id", "position"),)


class StoryRow(Base):
    """A behavioral story: STAR parts (or one free text), principles, tags, a version."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Bumped by every edit; an edit must name the version it started from (If-Match).
    version: Mapped[int] = mapped_column(Integer, default=1)

    principles: Mapped[list[StoryPrincipleRow]] = relationship(
        cascade="all, delete-orphan", order_by="StoryPrincipleRow.principle"
    )
    tags: Mapped[list[StoryTagRow]] = relationship(
        cascade="all, delete-orphan", order_by="StoryTagRow.tag"
    )


class StoryPrincipleRow(Base):
    __tablename__ = "story_principles"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    principle: Mapped[str] = mapped_column(String(80), primary_key=True)

    # Coverage counts stories per principle.
    __table_args__ = (Index("ix_story_principles_principle", "principle"),)


class StoryTagRow(Base):
    __tablename__ = "story_tags"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(80), primary_key=True)
