"""Judged practice: run examples, submit for a verdict, keep the history."""

from __future__ import annotations

import codecs
import difflib
import io
import logging
import tokenize
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from loopcoach.catalog import Catalog, Problem, load_catalog
from loopcoach.judge import Judge, Progress, Report, Sandbox
from loopcoach.settings import Settings

if TYPE_CHECKING:
    from loopcoach.store import Store, SubmissionHistory, SubmissionRecord
from loopcoach.verdict import Verdict

logger = logging.getLogger(__name__)


class PracticeError(Exception):
    """A request the service cannot carry out; the message says how to fix it."""


class UnknownProblem(PracticeError):
    """No problem has the slug asked for."""


@dataclass(frozen=True)
class SampleCheck:
    """A sample submission judged against the verdict it declares."""

    problem: str
    sample: str
    wanted: Verdict
    got: Verdict
    message: str
    time_ms: float

    @property
    def ok(self) -> bool:
        return self.wanted is self.got


def decode_source(data: bytes) -> str:
    """A solution file's text, as Python itself would read it.

    A byte-order mark or a `coding:` line chooses the encoding, as for any Python file.
    Bytes that do not decode stay in the text and fail to compile: a verdict, not a crash.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        data = data.removeprefix(codecs.BOM_UTF8)
        encoding = "utf-8"
    return data.decode(encoding, "surrogateescape")


def starter_filename(problem: Problem) -> str:
    """The file `loopcoach start` writes: the slug as a Python module name."""
    return problem.slug.replace("-", "_") + ".py"


class Practice:
    """The judged-practice service. Heavy parts (sandbox, database) open on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        extra_content: Sequence[Path] = (),
        catalog: Catalog | None = None,
    ) -> None:
        self.settings = settings
        self._catalog = catalog
        self.extra_content = tuple(extra_content)
        self._extra = (*settings.content_dirs, *extra_content)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog(self._extra)
        return self._catalog

    @cached_property
    def store(self) -> Store:
        # SQLAlchemy costs a quarter of a second to import: only commands that need the
        # database pay for it.
        from loopcoach.store import Store

        return Store(self.settings.database_url)

    @cached_property
    def history(self) -> SubmissionHistory:
        from loopcoach.store import SubmissionHistory

        return SubmissionHistory(self.store)

    @cached_property
    def judge(self) -> Judge:
        return Judge(Sandbox(), cache_dir=self.settings.cache_dir / "cases")

    def problem(self, slug: str) -> Problem:
        """The problem with this slug.

        Raises:
            UnknownProblem: no such problem; the message names near matches.
        """
        try:
            return self.catalog.problem(slug)
        except KeyError as error:
            raise UnknownProblem(error.args[0]) from None

    def problems(
        self,
        *,
        topic: str | None = None,
        difficulty: str | None = None,
        track: str | None = None,
    ) -> list[Problem]:
        """Problems matching every filter given, easiest first."""
        order = {"easy": 0, "medium": 1, "hard": 2}
        chosen = [
            problem
            for problem in self.catalog.problems.values()
            if (topic is None or topic in problem.meta.topics)
            and (difficulty is None or problem.meta.difficulty.value == difficulty)
            and (track is None or track in problem.meta.tracks)
        ]
        return sorted(chosen, key=lambda p: (order[p.meta.difficulty.value], p.slug))

    def run(
        self,
        slug: str,
        source: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Report:
        """Judge against the visible examples only; nothing is recorded."""
        problem = self.problem(slug)
        return self.judge.judge(
            problem, source, examples_only=True, on_progress=on_progress
        )

    def submit(
        self,
        slug: str,
        source: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> tuple[Report, SubmissionRecord]:
        """Judge against every test and record the submission."""
        from loopcoach.store import NewSubmission, TestRecord

        problem = self.problem(slug)
        report = self.judge.judge(problem, source, on_progress=on_progress)
        record = self.history.record(
            NewSubmission(
                problem=problem.slug,
                verdict=report.verdict,
                message=report.message,
                time_ms=round(report.time_ms, 1),
                memory_kb=report.memory_kb,
                tests_total=report.total,
                isolation=report.isolation.value,
                code=source,
                tests=tuple(
                    TestRecord(
                        name=test.name,
                        verdict=test.verdict,
                        time_ms=round(test.time_ms, 1),
                        memory_kb=test.memory_kb,
                        hidden=test.hidden,
                        message=test.message,
                    )
                    for test in report.tests
                ),
            )
        )
        logger.info("submission %d to %s: %s", record.id, slug, report.verdict.value)
        return report, record

    def verify_problems(self) -> dict[str, str]:
        """Problems whose test cases cannot be built, with the reason for each."""
        broken = {}
        for slug in sorted(self.catalog.problems):
            reason = self.judge.verify(self.catalog.problems[slug])
            if reason is not None:
                broken[slug] = reason
        return broken

    def check_samples(
        self,
        on_result: Callable[[SampleCheck], None] | None = None,
        *,
        skip: Collection[str] = (),
    ) -> list[SampleCheck]:
        """Judge every sample submission and compare with the verdict it declares."""
        checks = []
        for slug in sorted(self.catalog.problems):
            if slug in skip:
                continue
            problem = self.catalog.problems[slug]
            for sample in problem.samples:
                report = self.judge.judge(problem, sample.source)
                check = SampleCheck(
                    problem=slug,
                    sample=sample.name,
                    wanted=sample.verdict,
                    got=report.verdict,
                    message=report.message,
                    time_ms=report.time_ms,
                )
                checks.append(check)
                if on_result is not None:
                    on_result(check)
        return checks

    def close(self) -> None:
        if "judge" in self.__dict__:
            self.judge.sandbox.close()
        if "store" in self.__dict__:
            self.store.close()


def output_diff(expected: str, got: str) -> list[str]:
    """Line diff of two renderings, for showing what differed on a visible test."""
    return list(
        difflib.unified_diff(
            expected.splitlines(),
            got.splitlines(),
            "expected",
            "your output",
            lineterm="",
        )
    )
