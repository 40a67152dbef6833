"""Validated content models: what a track and a problem are made of."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from loopcoach.verdict import Verdict

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)
]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class Strict(BaseModel):
    """Base for content models: unknown fields are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- tracks -----------------------------------------------------------------------


class StageKind(enum.StrEnum):
    ASSESSMENT = "assessment"
    PHONE_SCREEN = "phone-screen"
    ONSITE = "onsite"
    BAR_RAISER = "bar-raiser"


class Stage(Strict):
    slug: Slug
    name: Text
    kind: StageKind
    minutes: int = Field(ge=5, le=600)
    rounds: int = Field(default=1, ge=1, le=10)
    contains: list[Text] = Field(default_factory=list)
    description: Text


class Principle(Strict):
    slug: Slug
    name: Text
    summary: Text


class Skill(Strict):
    slug: Slug
    name: Text
    description: Text


class Topic(Strict):
    slug: Slug
    name: Text
    description: Text


class QuestionKind(enum.StrEnum):
    CODING = "coding"
    DESIGN = "design"
    CONCEPT = "concept"
    BEHAVIORAL = "behavioral"


class Question(Strict):
    text: Text
    kind: QuestionKind
    topics: list[Slug] = Field(default_factory=list)
    principles: list[Slug] = Field(default_factory=list)
    problem: Slug | None = None


class ChecklistArea(Strict):
    area: Text
    items: list[Text] = Field(min_length=1)


class Track(Strict):
    slug: Slug
    company: Text
    role: Text
    summary: Text
    stages: list[Stage] = Field(min_length=1)
    principles: list[Principle] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    checklist: list[ChecklistArea] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.company} {self.role}"


# --- problems ---------------------------------------------------------------------


class Difficulty(enum.StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class ProblemKind(enum.StrEnum):
    FUNCTION = "function"
    DESIGN = "design"


class Adapter(enum.StrEnum):
    NONE = "none"
    RANDOM_LIST = "random-list"


class CheckerName(enum.StrEnum):
    EXACT = "exact"
    UNORDERED = "unordered"
    UNORDERED_NESTED = "unordered-nested"
    FLOAT = "float"
    ANY_VALID_PAIR = "any-valid-pair"
    ONE_BASED_PAIR = "one-based-pair"
    DEEP_COPY = "deep-copy"
    OPERATIONS = "operations"


class Entry(Strict):
    function: Identifier | None = None
    method: Identifier | None = None
    class_name: Identifier | None = Field(default=None, alias="class")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Limits(Strict):
    time_ms: int = Field(default=1000, ge=10, le=60_000)
    memory_mb: int = Field(default=256, ge=32, le=4096)


class FollowUp(Strict):
    text: Text
    problem: Slug | None = None


class ProblemMeta(Strict):
    """The contents of `problem.yaml`."""

    slug: Slug
    title: Text
    difficulty: Difficulty
    topics: list[Slug] = Field(default_factory=list)
    tracks: list[Slug] = Field(default_factory=list)
    kind: ProblemKind
    entry: Entry
    adapter: Adapter = Adapter.NONE
    checker: CheckerName = CheckerName.EXACT
    checker_options: dict[str, float] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)
    follow_ups: list[FollowUp] = Field(default_factory=list)


class CaseSpec(Strict):
    """One written test case in `tests.yaml`."""

    name: Slug
    args: list[Any] | None = None
    operations: list[list[Any]] | None = None
    expected: Any = None
    has_expected: bool = False
    explanation: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _note_expected(cls, data: Any) -> Any:
        # `expected: null` is a real answer ("no pair"), so presence is tracked apart.
        if isinstance(data, dict) and "has_expected" in data:
            raise ValueError("has_expected is computed; remove it")
        if isinstance(data, dict):
            return {**data, "has_expected": "expected" in data}
        return data

    @model_validator(mode="after")
    def _one_input(self) -> CaseSpec:
        if (self.args is None) == (self.operations is None):
            raise ValueError("a test case has exactly one of args or operations")
        if self.operations is not None:
            for index, operation in enumerate(self.operations):
                if not operation or not isinstance(operation[0], str):
                    raise ValueError(
                        f"operations.{index}: each operation is [name, arguments...]"
                    )
        return self


class GeneratedSpec(Strict):
    name: Slug
    function: Identifier
    count: int = Field(default=1, ge=1, le=100)
    seed: int = 0


class TestsFile(Strict):
    """The contents of `tests.yaml`."""

    examples: list[CaseSpec] = Field(min_length=1)
    hidden: list[CaseSpec] = Field(default_factory=list)
    generated: list[GeneratedSpec] = Field(default_factory=list)


class SampleSubmission(Strict):
    name: str
    path: Path
    verdict: Verdict
    source: str


class Problem(Strict):
    """A loaded problem folder."""

    meta: ProblemMeta
    folder: Path
    statement: str
    starter: str
    reference: str
    tests: TestsFile
    generator: str | None
    samples: list[SampleSubmission]
    fingerprint: str

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title
