"""Plain-data views of problems and submissions, shared by the CLI's JSON and the web."""

from __future__ import annotations

from typing import Any

from loopcoach.catalog import Problem
from loopcoach.judge import Judge, TestDataError


def problem_summary(problem: Problem, solved: bool) -> dict[str, Any]:
    return {
        "slug": problem.slug,
        "title": problem.meta.title,
        "difficulty": problem.meta.difficulty.value,
        "topics": list(problem.meta.topics),
        "tracks": list(problem.meta.tracks),
        "kind": problem.meta.kind.value,
        "solved": solved,
    }


def examples(problem: Problem, judge: Judge) -> list[dict[str, Any]]:
    try:
        cases = [case for case in judge.cases(problem) if not case.hidden]
    except TestDataError:
        cases = []
    return [
        {
            "name": case.name,
            "input": case.input,
            "expected": case.expected,
            "explanation": case.explanation,
        }
        for case in cases
    ]


def entry_forms(problem: Problem) -> list[str]:
    entry = problem.meta.entry
    if entry.class_name:
        return [f"class {entry.class_name}"]
    forms = []
    if entry.function:
        forms.append(f"def {entry.function}(...)")
    if entry.method:
        forms.append(f"class Solution: def {entry.method}(self, ...)")
    return forms


def problem_detail(problem: Problem, judge: Judge) -> dict[str, Any]:
    return {
        **problem_summary(problem, False),
        "statement": problem.statement,
        "entry": entry_forms(problem),
        "limits": problem.meta.limits.model_dump(),
        "examples": examples(problem, judge),
        "follow_ups": [f.model_dump() for f in problem.meta.follow_ups],
        "starter": problem.starter,
    }
