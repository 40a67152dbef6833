"""The data behind pages, JSON twins and the API: built once here, rendered many ways."""

from __future__ import annotations

from typing import Any

from loopcoach.store import SubmissionRecord


def submission_data(record: SubmissionRecord) -> dict[str, Any]:
    """A submission as the API and JSON twins show it."""
    return {
        "id": record.id,
        "problem": record.problem,
        "status": record.status.value,
        "mode": record.mode.value,
        "verdict": None if record.verdict is None else record.verdict.value,
        "message": record.message,
        "time_ms": record.time_ms,
        "memory_kb": record.memory_kb,
        "tests_total": record.tests_total,
        "tests_passed": sum(1 for t in record.tests if t.verdict.value == "accepted"),
        "created_at": record.created_at.isoformat(),
        "finished_at": None
        if record.finished_at is None
        else record.finished_at.isoformat(),
        "tests": [
            {
                "name": test.name,
                "verdict": test.verdict.value,
                "time_ms": test.time_ms,
                "memory_kb": test.memory_kb,
                "hidden": test.hidden,
                "message": test.message,
            }
            for test in record.tests
        ],
        "code": record.code,
        "url": f"/api/v1/submissions/{record.id}",
    }
