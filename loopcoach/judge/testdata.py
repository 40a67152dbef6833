"""Test cases of a problem: written, generated, and the expected output of each.

Generated inputs come from the problem's seeded generator; every expected output that the
content does not state comes from running the reference solution through the same harness
and sandbox as a submission. Both are cached on disk per content version, so they are paid
for once.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loopcoach.catalog.models import Problem, ProblemKind

logger = logging.getLogger(__name__)

CACHE_FORMAT = 3


class TestDataError(RuntimeError):
    """The content cannot produce its test cases (a bug in the problem, not a submission)."""


@dataclass(frozen=True)
class TestCase:
    """One test case as the trusted side knows it."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    hidden: bool
    input: dict[str, Any]
    expected: Any
    explanation: str | None = None


@dataclass(frozen=True)
class CaseInputs:
    """Test inputs before expected outputs are known, with the outputs the content states."""

    names: list[str]
    hidden: list[bool]
    inputs: list[dict[str, Any]]
    stated: dict[int, Any]
    explanations: list[str | None]


def written_and_generated(problem: Problem) -> CaseInputs:
    """Collect the examples, the hidden cases and the generated cases, in judging order."""
    names: list[str] = []
    hidden: list[bool] = []
    inputs: list[dict[str, Any]] = []
    stated: dict[int, Any] = {}
    explanations: list[str | None] = []

    written = [(case, False) for case in problem.tests.examples]
    written += [(case, True) for case in problem.tests.hidden]
    for case, is_hidden in written:
        if case.has_expected:
            stated[len(inputs)] = case.expected
        names.append(case.name)
        hidden.append(is_hidden)
        explanations.append(case.explanation)
        key = "operations" if problem.meta.kind is ProblemKind.DESIGN else "args"
        inputs.append(
            {key: case.operations if case.operations is not None else case.args}
        )

    for name, case_input in _generate(problem):
        names.append(name)
        hidden.append(True)
        explanations.append(None)
        inputs.append(case_input)
    return CaseInputs(names, hidden, inputs, stated, explanations)


def _generate(problem: Problem) -> list[tuple[str, dict[str, Any]]]:
    if not problem.tests.generated:
        return []
    namespace: dict[str, Any] = {
        "__name__": f"generator_{problem.slug.replace('-', '_')}"
    }
    try:
        exec(
            compile(
                problem.generator or "", str(problem.folder / "generator.py"), "exec"
            ),
            namespace,
        )
    except Exception as error:
        raise TestDataError(
            f"{problem.folder / 'generator.py'}: failed to load: {error!r}"
        ) from error

    key = "operations" if problem.meta.kind is ProblemKind.DESIGN else "args"
    cases = []
    for spec in problem.tests.generated:
        function = namespace[spec.function]
        for number in range(1, spec.count + 1):
            rng = random.Random(f"{spec.seed}-{number}")
            try:
                value = function(rng, number)
            except Exception as error:
                raise TestDataError(
                    f"{problem.folder / 'generator.py'}: {spec.function}({number}) failed: {error!r}"
                ) from error
            if not isinstance(value, list):
                raise TestDataError(
                    f"{problem.folder / 'generator.py'}: {spec.function} must return a list of {key}"
                )
            cases.append((f"{spec.name}-{number}", {key: value}))
    return cases


def expected_from_reference(problem: Problem, outputs: list[Any]) -> list[Any]:
    """Turn the reference's reported outputs into expected outputs."""
    if problem.meta.kind is not ProblemKind.DESIGN:
        return outputs
    expected = []
    for output in outputs:
        results, errors = output["results"], output.get("errors") or {}
        expected.append(
            [
                {"error": True} if str(index) in errors else value
                for index, value in enumerate(results)
            ]
        )
    return expected


def cache_key(problem: Problem, harness_source: str) -> str:
    """Cached cases stay valid while the problem folder and the harness are unchanged."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{problem.fingerprint}:".encode())
    digest.update(harness_source.encode())
    return f"{problem.slug}-{digest.hexdigest()[:20]}"


def read_cache(folder: Path | None, key: str) -> list[TestCase] | None:
    if folder is None:
        return None
    path = folder / f"{key}.marshal"
    try:
        rows = marshal.loads(path.read_bytes())
        return [TestCase(*row) for row in rows]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as error:
        logger.warning("ignoring unreadable test cache %s: %s", path, error)
        return None


def write_cache(folder: Path | None, key: str, cases: list[TestCase]) -> None:
    if folder is None:
        return
    rows = [(c.name, c.hidden, c.input, c.expected, c.explanation) for c in cases]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a concurrent reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps(rows))
        os.replace(temporary, folder / f"{key}.marshal")
    except OSError as error:
        logger.warning("cannot write test cache in %s: %s", folder, error)
