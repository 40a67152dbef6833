"""Checkers: the trusted side's comparison of an output with what was expected.

A checker returns a `Check`; it never raises for a bad output (that is a wrong answer).
If a checker itself breaks, the runner reports `internal_error`, never a pass or a fail.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from loopcoach.catalog.models import CheckerName
from loopcoach.verdict import Verdict


@dataclass(frozen=True)
class Check:
    """The checker's finding for one test case."""

    verdict: Verdict
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


PASS = Check(Verdict.ACCEPTED)

CheckerFunction = Callable[[Any, Any, Any, Mapping[str, float]], Check]


def show(value: Any, limit: int = 200) -> str:
    """A short, stable rendering of a value for messages."""
    text = json.dumps(value, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wrong(message: str) -> Check:
    return Check(Verdict.WRONG_ANSWER, message)


def exact(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    if _same(output, expected):
        return PASS
    return _wrong(f"expected {show(expected)}, got {show(output)}")


def _same(left: Any, right: Any) -> bool:
    # JSON data only, but bool is an int in Python: True must not pass for 1.
    if type(left) is not type(right):
        if isinstance(left, int | float) and isinstance(right, int | float):
            if isinstance(left, bool) or isinstance(right, bool):
                return False
            return bool(left == right)
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(
            _same(left[k], right[k]) for k in left
        )
    return bool(left == right)


def _canonical(value: Any) -> tuple[Any, ...]:
    """A hashable, orderable stand-in for JSON data, equal exactly when `_same` would
    call the values equal (1 and 1.0 alike, True and 1 not)."""
    kind = type(value)
    if kind is int or kind is float:
        return ("#", value)
    if kind is str:
        return ("s", value)
    if kind is bool:
        return ("b", value)
    if value is None:
        return ("n", 0)
    if kind is list or kind is tuple:
        return ("l", tuple(map(_canonical, value)))
    if kind is dict:
        return ("d", tuple(sorted((str(k), _canonical(v)) for k, v in value.items())))
    return ("?", repr(value))


def unordered(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    if not isinstance(output, list):
        return _wrong(f"expected a list, got {show(output)}")
    if Counter(map(_canonical, output)) == Counter(map(_canonical, expected)):
        return PASS
    return _wrong(f"expected {show(expected)} in any order, got {show(output)}")


def unordered_nested(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    if not isinstance(output, list) or not all(isinstance(g, list) for g in output):
        return _wrong(f"expected a list of lists, got {show(output)}")

    def groups(value: list[list[Any]]) -> Counter[tuple[Any, ...]]:
        return Counter(tuple(sorted(map(_canonical, group))) for group in value)

    if groups(output) == groups(expected):
        return PASS
    missing = len(expected) - len(output)
    hint = (
        f" ({abs(missing)} {'too few' if missing > 0 else 'too many'})"
        if missing
        else ""
    )
    return _wrong(f"expected {show(expected)} in any order, got {show(output)}{hint}")


def float_close(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    tolerance = options.get("tolerance", 1e-6)

    def close(left: Any, right: Any) -> bool:
        if isinstance(left, list) and isinstance(right, list):
            return len(left) == len(right) and all(map(close, left, right))
        numbers = (int, float)
        if isinstance(left, bool) or not isinstance(left, numbers):
            return False
        if not isinstance(right, numbers):
            return False
        return math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)

    if close(output, expected):
        return PASS
    return _wrong(f"expected {show(expected)} within {tolerance}, got {show(output)}")


def _pair(output: Any, size: int, base: int) -> tuple[int, int] | str:
    if not (isinstance(output, list) and len(output) == 2):
        return f"expected a pair of indices, got {show(output)}"
    first, second = output
    if not all(type(index) is int for index in (first, second)):
        return f"expected two integer indices, got {show(output)}"
    if not all(base <= index < size + base for index in (first, second)):
        return f"index out of range in {show(output)}"
    if first == second:
        return f"the two indices must differ, got {show(output)}"
    return first - base, second - base


def any_valid_pair(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    numbers, target = case_input["args"][0], case_input["args"][1]
    if expected is None:
        return exact(case_input, None, output, options)
    pair = _pair(output, len(numbers), 0)
    if isinstance(pair, str):
        return _wrong(pair)
    if numbers[pair[0]] + numbers[pair[1]] != target:
        total = numbers[pair[0]] + numbers[pair[1]]
        return _wrong(
            f"{show(output)} points at values that sum to {total}, not {target}"
        )
    return PASS


def one_based_pair(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    numbers, target = case_input["args"][0], case_input["args"][1]
    pair = _pair(output, len(numbers), 1)
    if isinstance(pair, str):
        return _wrong(pair + " (indices are 1-based)")
    if pair[0] > pair[1]:
        return _wrong(f"the smaller index comes first, got {show(output)}")
    if numbers[pair[0]] + numbers[pair[1]] != target:
        total = numbers[pair[0]] + numbers[pair[1]]
        return _wrong(
            f"{show(output)} points at values that sum to {total}, not {target}"
        )
    return PASS


def deep_copy(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    if not isinstance(output, dict):
        return _wrong("the copy could not be read")
    if output.get("cycle"):
        return _wrong("the returned list never ends: its next pointers form a cycle")
    if output.get("shared"):
        return _wrong("the copy shares nodes with the original list; make new nodes")
    if output.get("foreign"):
        return _wrong("a random pointer of the copy leads outside the copy")
    if output.get("original_changed"):
        return _wrong("the original list was changed; leave it as it was")
    if not _same(output.get("nodes"), expected.get("nodes")):
        return _wrong(
            f"expected the list {show(expected.get('nodes'))}, got {show(output.get('nodes'))}"
        )
    return PASS


def operations(
    case_input: Any, expected: Any, output: Any, options: Mapping[str, float]
) -> Check:
    steps = case_input["operations"]
    results, errors = output["results"], output.get("errors") or {}
    if not isinstance(results, list) or len(results) != len(steps):
        return _wrong("the operations produced the wrong number of results")

    def call(index: int) -> str:
        # Built only for the failing operation: sequences run to hundreds of thousands.
        arguments = ", ".join(map(show, steps[index][1:]))
        return f"operation {index} {steps[index][0]}({arguments})"

    for index in range(1, len(steps)):
        wanted = expected[index]
        raised = errors.get(str(index))
        wants_error = isinstance(wanted, dict) and wanted.get("error") is True
        if wants_error and raised is None:
            return _wrong(
                f"{call(index)} must fail with an exception, but returned "
                f"{show(results[index])}"
            )
        if wants_error:
            continue
        if raised is not None:
            return Check(Verdict.RUNTIME_ERROR, f"{call(index)} raised {raised}")
        if not _same(results[index], wanted):
            return _wrong(
                f"{call(index)}: expected {show(wanted)}, got {show(results[index])}"
            )
    return PASS


CHECKERS: dict[CheckerName, CheckerFunction] = {
    CheckerName.EXACT: exact,
    CheckerName.UNORDERED: unordered,
    CheckerName.UNORDERED_NESTED: unordered_nested,
    CheckerName.FLOAT: float_close,
    CheckerName.ANY_VALID_PAIR: any_valid_pair,
    CheckerName.ONE_BASED_PAIR: one_based_pair,
    CheckerName.DEEP_COPY: deep_copy,
    CheckerName.OPERATIONS: operations,
}
