"""Submissions waiting for a judge: enqueue (with idempotency keys), claim, progress, finish.

The database is the queue's source of truth, so a server restart loses nothing: what was
queued stays queued, and what was running is found and judged again (or given up on).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loopcoach.store.database import Store
from loopcoach.store.history import (
    SubmissionRecord,
    TestRecord,
    result_row,
    storable,
    submission_record,
)
from loopcoach.store.models import (
    IdempotencyKeyRow,
    SubmissionMode,
    SubmissionRow,
    SubmissionStatus,
    TestResultRow,
)
from loopcoach.verdict import Verdict

logger = logging.getLogger(__name__)


class IdempotencyConflict(Exception):
    """An Idempotency-Key was used again with a different request."""

    def __init__(self, key: str, submission_id: int) -> None:
        super().__init__(
            f"the Idempotency-Key {key!r} was already used for a different request "
            f"(submission {submission_id}); use a new key for a new submission"
        )
        self.key = key
        self.submission_id = submission_id


@dataclass(frozen=True)
class QueuedRequest:
    """A submission to be judged by a worker."""

    problem: str
    code: str
    mode: SubmissionMode


@dataclass(frozen=True)
class IdempotencyRequest:
    """A client's key for a request, and the fingerprint of the request it came with."""

    client: str
    key: str
    request_hash: str
    lifetime: timedelta


@dataclass(frozen=True)
class Outcome:
    """The verdict a worker reports for a claimed submission."""

    verdict: Verdict
    message: str
    time_ms: float
    memory_kb: int
    tests_total: int
    isolation: str


class SubmissionQueue:
    """Queue operations on the submissions table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(
        self, request: QueuedRequest, idempotency: IdempotencyRequest | None = None
    ) -> tuple[SubmissionRecord, bool]:
        """Queue a submission, or return the one an earlier use of the same key made.

        Returns:
            The submission, and whether this call created it.

        Raises:
            IdempotencyConflict: the key was used with a different request.
        """
        # Simultaneous retries race to insert the same (client, key); the unique
        # constraint lets exactly one win, and the others read what it made.
        for _ in range(3):
            try:
                with self.store.session() as session:
                    if idempotency is not None:
                        existing = self._existing(session, idempotency)
                        if existing is not None:
                            return existing, False
                    row = self._insert(session, request, idempotency)
                    return submission_record(row), True
            except IntegrityError:
                logger.debug(
                    "lost an idempotency race; reading the winner's submission"
                )
        raise RuntimeError("could not settle an idempotency key after three attempts")

    def _existing(
        self, session: Session, idempotency: IdempotencyRequest
    ) -> SubmissionRecord | None:
        now = self.store.clock()
        key_row = session.scalar(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.client == idempotency.client,
                IdempotencyKeyRow.key == idempotency.key,
            )
        )
        if key_row is None:
            return None
        if key_row.expires_at <= now:
            session.delete(key_row)
            session.flush()
            return None
        if key_row.request_hash != idempotency.request_hash:
            raise IdempotencyConflict(idempotency.key, key_row.submission_id)
        submission = session.get(SubmissionRow, key_row.submission_id)
        assert submission is not None  # the key's foreign key cascades on delete
        return submission_record(submission)

    def _insert(
        self,
        session: Session,
        request: QueuedRequest,
        idempotency: IdempotencyRequest | None,
    ) -> SubmissionRow:
        now = self.store.clock()
        row = SubmissionRow(
            created_at=now,
            problem=request.problem,
            status=SubmissionStatus.QUEUED,
            mode=request.mode,
            verdict=None,
            message="",
            time_ms=0.0,
            memory_kb=0,
            tests_total=0,
            tests_passed=0,
            isolation="",
            code=storable(request.code),
            tests=[],
        )
        session.add(row)
        session.flush()
        if idempotency is not None:
            session.execute(
                delete(IdempotencyKeyRow).where(IdempotencyKeyRow.expires_at <= now)
            )
            session.add(
                IdempotencyKeyRow(
                    client=idempotency.client,
                    key=idempotency.key,
                    request_hash=idempotency.request_hash,
                    submission_id=row.id,
                    created_at=now,
                    expires_at=now + idempotency.lifetime,
                )
            )
            session.flush()
        return row

    def replay(self, idempotency: IdempotencyRequest) -> SubmissionRecord | None:
        """The submission an earlier use of this key made, without creating anything.

        Raises:
            IdempotencyConflict: the key was used with a different request.
        """
        with self.store.session() as session:
            return self._existing(session, idempotency)

    def claim(self) -> SubmissionRecord | None:
        """Take the oldest queued submission for judging, or None when there is none."""
        while True:
            with self.store.session() as session:
                first_queued = (
                    select(SubmissionRow.id)
                    .where(SubmissionRow.status == SubmissionStatus.QUEUED)
                    .order_by(SubmissionRow.id)
                    .limit(1)
                )
                oldest = first_queued.scalar_subquery()
                # One statement that both picks and marks: two workers can pick the
                # same row, but only one update still finds it queued.
                claimed = session.scalar(
                    update(SubmissionRow)
                    .where(SubmissionRow.id == oldest)
                    .where(SubmissionRow.status == SubmissionStatus.QUEUED)
                    .values(
                        status=SubmissionStatus.RUNNING,
                        attempts=SubmissionRow.attempts + 1,
                        started_at=self.store.clock(),
                    )
                    .returning(SubmissionRow.id)
                )
                if claimed is None:
                    if session.scalar(first_queued) is None:
                        return None
                    continue
                # A submission judged again after a restart starts from no results.
                session.execute(
                    delete(TestResultRow).where(TestResultRow.submission_id == claimed)
                )
                row = session.get(SubmissionRow, claimed)
                assert row is not None
                session.refresh(row)
                return submission_record(row)

    def add_result(self, submission_id: int, position: int, test: TestRecord) -> None:
        """Record one test case's result as it arrives, so pages can follow progress."""
        row = result_row(position, test)
        row.submission_id = submission_id
        with self.store.session() as session:
            session.add(row)

    def set_total(self, submission_id: int, tests_total: int) -> None:
        with self.store.session() as session:
            session.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id)
                .values(tests_total=tests_total)
            )

    def finish(self, submission_id: int, outcome: Outcome) -> None:
        """Give the verdict and mark the submission finished."""
        with self.store.session() as session:
            passed = session.scalars(
                select(TestResultRow.verdict).where(
                    TestResultRow.submission_id == submission_id
                )
            ).all()
            session.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id)
                .values(
                    status=SubmissionStatus.FINISHED,
                    verdict=outcome.verdict,
                    message=storable(outcome.message),
                    time_ms=outcome.time_ms,
                    memory_kb=outcome.memory_kb,
                    tests_total=outcome.tests_total,
                    tests_passed=sum(1 for v in passed if v is Verdict.ACCEPTED),
                    isolation=outcome.isolation,
                    finished_at=self.store.clock(),
                )
            )

    def recover(self, max_attempts: int = 2) -> tuple[list[int], list[int]]:
        """After a restart: queue again what was running, or give up on it.

        A submission already started `max_attempts` times may be what brings the server
        down, so it is finished as `internal_error` instead of being tried once more.

        Returns:
            The ids queued again, and the ids given up on.
        """
        with self.store.session() as session:
            running = session.scalars(
                select(SubmissionRow).where(
                    SubmissionRow.status == SubmissionStatus.RUNNING
                )
            ).all()
            requeued, abandoned = [], []
            for row in running:
                if row.attempts >= max_attempts:
                    row.status = SubmissionStatus.FINISHED
                    row.verdict = Verdict.INTERNAL_ERROR
                    row.message = (
                        f"the server stopped while judging this submission "
                        f"{row.attempts} times; submit it again"
                    )
                    row.finished_at = self.store.clock()
                    abandoned.append(row.id)
                else:
                    row.status = SubmissionStatus.QUEUED
                    requeued.append(row.id)
        if requeued or abandoned:
            logger.warning(
                "recovered after a restart: %d queued again, %d given up",
                len(requeued),
                len(abandoned),
            )
        return requeued, abandoned

    def pending(self) -> int:
        """How many submissions are queued or running."""
        with self.store.session() as session:
            return len(
                session.scalars(
                    select(SubmissionRow.id).where(
                        SubmissionRow.status != SubmissionStatus.FINISHED
                    )
                ).all()
            )
