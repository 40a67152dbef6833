"""Judging one claimed submission, recording each test's result as it arrives."""

from __future__ import annotations

import logging

from loopcoach.judge import Progress, Report, TestResult
from loopcoach.practice.service import Practice, PracticeError
from loopcoach.store import SubmissionRecord, TestRecord
from loopcoach.store.models import SubmissionMode
from loopcoach.store.queue import Outcome, SubmissionQueue
from loopcoach.verdict import Verdict

logger = logging.getLogger(__name__)


def judge_claimed(
    practice: Practice, submissions: SubmissionQueue, claimed: SubmissionRecord
) -> None:
    """Judge a claimed submission; any failure becomes `internal_error`, never a hang."""
    try:
        report = _judge(practice, submissions, claimed)
    except PracticeError as error:
        outcome = Outcome(Verdict.INTERNAL_ERROR, str(error), 0.0, 0, 0, "")
    except Exception:
        logger.exception("judging submission %d failed", claimed.id)
        outcome = Outcome(
            Verdict.INTERNAL_ERROR,
            "the judge failed on this submission; this is a judge bug, not your fault",
            0.0,
            0,
            0,
            "",
        )
    else:
        outcome = Outcome(
            report.verdict,
            report.message,
            round(report.time_ms, 1),
            report.memory_kb,
            report.total,
            report.isolation.value,
        )
    submissions.finish(claimed.id, outcome)
    logger.info("submission %d: %s", claimed.id, outcome.verdict.value)


def _judge(
    practice: Practice, submissions: SubmissionQueue, claimed: SubmissionRecord
) -> Report:
    problem = practice.problem(claimed.problem)
    recorded: set[int] = set()

    def progress(event: Progress) -> None:
        if not recorded and event.index == 0 and event.result is None:
            submissions.set_total(claimed.id, event.total)
        if event.result is not None:
            submissions.add_result(claimed.id, event.index, _test_record(event.result))
            recorded.add(event.index)

    report = practice.judge.judge(
        problem,
        claimed.code,
        examples_only=claimed.mode is SubmissionMode.RUN,
        on_progress=progress,
    )
    # A test that ended the run without a checker's result (a crash, a limit) is only
    # in the report.
    for position, test in enumerate(report.tests):
        if position not in recorded:
            submissions.add_result(claimed.id, position, _test_record(test))
    return report


def _test_record(test: TestResult) -> TestRecord:
    return TestRecord(
        name=test.name,
        verdict=test.verdict,
        time_ms=round(test.time_ms, 1),
        memory_kb=test.memory_kb,
        hidden=test.hidden,
        message=test.message,
    )
