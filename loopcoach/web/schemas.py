"""Request and response bodies of the REST API, as they appear in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from loopcoach.judge.runner import MAX_SOURCE_BYTES


class ProblemSummary(BaseModel):
    slug: str
    title: str
    difficulty: Literal["easy", "medium", "hard"]
    topics: list[str]
    tracks: list[str]
    kind: str
    solved: bool


class ProblemList(BaseModel):
    problems: list[ProblemSummary]


class Example(BaseModel):
    name: str
    input: dict[str, Any]
    expected: Any
    explanation: str | None


class FollowUp(BaseModel):
    text: str
    problem: str | None


class Limits(BaseModel):
    time_ms: int
    memory_mb: int


class ProblemDetail(ProblemSummary):
    statement: str
    entry: list[str]
    limits: Limits
    examples: list[Example]
    follow_ups: list[FollowUp]
    starter: str


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str = Field(min_length=1, max_length=100, examples=["two-sum"])
    code: str = Field(
        max_length=MAX_SOURCE_BYTES,
        examples=["def two_sum(nums, target):\n    return [0, 1]\n"],
    )
    mode: Literal["submit", "run"] = Field(
        default="submit",
        description="`submit` judges every test; `run` only the visible examples.",
    )


class TestOutcome(BaseModel):
    name: str
    verdict: str
    time_ms: float
    memory_kb: int
    hidden: bool
    message: str


class Submission(BaseModel):
    id: int
    problem: str
    status: Literal["queued", "running", "finished"]
    mode: Literal["submit", "run"]
    verdict: str | None
    message: str
    time_ms: float
    memory_kb: int
    tests_total: int
    tests_passed: int
    created_at: datetime
    finished_at: datetime | None
    tests: list[TestOutcome]
    code: str
    url: str


class SubmissionList(BaseModel):
    submissions: list[Submission]


class ProblemDetails(BaseModel):
    """The error body (RFC 9457)."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[dict[str, str]] | None = None
