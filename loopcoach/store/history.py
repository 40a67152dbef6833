"""Recording and reading back judged submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from loopcoach.store.database import Store
from loopcoach.store.models import (
    SubmissionMode,
    SubmissionRow,
    SubmissionStatus,
    TestResultRow,
)
from loopcoach.verdict import Verdict


@dataclass(frozen=True)
class TestRecord:
    __test__ = False  # not a pytest test class, despite the name
    name: str
    verdict: Verdict
    time_ms: float
    memory_kb: int
    hidden: bool
    message: str


@dataclass(frozen=True)
class SubmissionRecord:
    """A stored submission, detached from the database."""

    id: int
    created_at: datetime
    problem: str
    verdict: Verdict | None
    message: str
    time_ms: float
    memory_kb: int
    tests_total: int
    tests_passed: int
    isolation: str
    code: str
    tests: tuple[TestRecord, ...]
    status: SubmissionStatus = SubmissionStatus.FINISHED
    mode: SubmissionMode = SubmissionMode.SUBMIT
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status is SubmissionStatus.FINISHED

    def to_json(self, *, with_code: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "problem": self.problem,
            "status": self.status.value,
            "mode": self.mode.value,
            "verdict": None if self.verdict is None else self.verdict.value,
            "message": self.message,
            "time_ms": self.time_ms,
            "memory_kb": self.memory_kb,
            "tests_total": self.tests_total,
            "tests_passed": self.tests_passed,
        }
        if with_code:
            data["code"] = self.code
            data["tests"] = [
                {
                    "name": test.name,
                    "verdict": test.verdict.value,
                    "time_ms": test.time_ms,
                    "memory_kb": test.memory_kb,
                    "hidden": test.hidden,
                    "message": test.message,
                }
                for test in self.tests
            ]
        return data


@dataclass(frozen=True)
class NewSubmission:
    """What the practice service hands over to be recorded."""

    problem: str
    verdict: Verdict
    message: str
    time_ms: float
    memory_kb: int
    tests_total: int
    isolation: str
    code: str
    tests: tuple[TestRecord, ...]


class SubmissionHistory:
    """Submissions in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, new: NewSubmission) -> SubmissionRecord:
        """Store a judged submission and return it as stored."""
        row = SubmissionRow(
            created_at=self.store.clock(),
            finished_at=self.store.clock(),
            status=SubmissionStatus.FINISHED,
            mode=SubmissionMode.SUBMIT,
            problem=new.problem,
            verdict=new.verdict,
            message=storable(new.message),
            time_ms=new.time_ms,
            memory_kb=new.memory_kb,
            tests_total=new.tests_total,
            tests_passed=sum(
                1 for test in new.tests if test.verdict is Verdict.ACCEPTED
            ),
            isolation=new.isolation,
            code=storable(new.code),
            tests=[
                result_row(position, test) for position, test in enumerate(new.tests)
            ],
        )
        with self.store.session() as session:
            session.add(row)
            session.flush()
            return submission_record(row)

    def get(self, submission_id: int) -> SubmissionRecord | None:
        if not 1 <= submission_id < 2**31:
            return None
        with self.store.session() as session:
            row = session.get(
                SubmissionRow,
                submission_id,
                options=[selectinload(SubmissionRow.tests)],
            )
            return None if row is None else submission_record(row)

    def recent(
        self,
        *,
        problem: str | None = None,
        limit: int = 20,
        mode: SubmissionMode | None = SubmissionMode.SUBMIT,
    ) -> list[SubmissionRecord]:
        """Newest first, optionally for one problem; runs of the examples are left out
        unless `mode` asks for them (None: every mode)."""
        query = (
            select(SubmissionRow)
            .options(selectinload(SubmissionRow.tests))
            .order_by(SubmissionRow.created_at.desc(), SubmissionRow.id.desc())
            .limit(limit)
        )
        if mode is not None:
            query = query.where(SubmissionRow.mode == mode)
        if problem is not None:
            query = query.where(SubmissionRow.problem == problem)
        with self.store.session() as session:
            return [submission_record(row) for row in session.scalars(query)]

    def solved(self) -> set[str]:
        """Slugs of problems with at least one accepted submission."""
        query = (
            select(SubmissionRow.problem)
            .where(SubmissionRow.verdict == Verdict.ACCEPTED)
            .where(SubmissionRow.mode == SubmissionMode.SUBMIT)
            .distinct()
        )
        with self.store.session() as session:
            return set(session.scalars(query))

    def count(self) -> int:
        with self.store.session() as session:
            return int(session.scalar(select(func.count(SubmissionRow.id))) or 0)


def result_row(position: int, test: TestRecord) -> TestResultRow:
    """The row for one test case's result."""
    return TestResultRow(
        position=position,
        name=test.name,
        verdict=test.verdict,
        time_ms=test.time_ms,
        memory_kb=test.memory_kb,
        hidden=test.hidden,
        message=storable(test.message),
    )


def storable(text: str) -> str:
    """Text every supported database accepts."""
    # Lone surrogates (from undecodable bytes) cannot be encoded for the database, and
    # PostgreSQL text cannot hold NUL.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def submission_record(row: SubmissionRow) -> SubmissionRecord:
    """A submission row as a record detached from its session."""
    return SubmissionRecord(
        status=row.status,
        mode=row.mode,
        finished_at=row.finished_at,
        id=row.id,
        created_at=row.created_at,
        problem=row.problem,
        verdict=row.verdict,
        message=row.message,
        time_ms=row.time_ms,
        memory_kb=row.memory_kb,
        tests_total=row.tests_total,
        tests_passed=row.tests_passed,
        isolation=row.isolation,
        code=row.code,
        tests=tuple(
            TestRecord(
                name=test.name,
                verdict=test.verdict,
                time_ms=test.time_ms,
                memory_kb=test.memory_kb,
                hidden=test.hidden,
                message=test.message,
            )
            for test in row.tests
        ),
    )
