"""Judge a submission: one sandbox run for all its test cases, checked on the trusted side.

```
submission ──> sandbox process ──> outputs ──> checker (trusted side) ──> verdict
                (inputs only)
```

The sandbox streams one record per test case; the parent checks each as it arrives, stops
the run at the first failure, and enforces wall time, output size and teardown itself.
"""

from __future__ import annotations

import builtins
import importlib.util
import logging
import marshal
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loopcoach.catalog.models import Adapter, Problem, ProblemKind
from loopcoach.judge.checkers import CHECKERS, Check
from loopcoach.judge.sandbox import Isolation, Limits, Sandbox
from loopcoach.judge.session import TICK_MS, Follower, Plan, Run, number
from loopcoach.judge.testdata import (
    TestCase,
    TestDataError,
    cache_key,
    expected_from_reference,
    read_cache,
    write_cache,
    written_and_generated,
)
from loopcoach.verdict import Verdict

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("loopcoach.security")

HARNESS_SOURCE = (Path(__file__).parent / "harness.py").read_text(encoding="utf-8")
# Compiling the harness costs about 6 ms per run; when the sandbox's interpreter reads
# this interpreter's bytecode, it gets the harness compiled once, here.
HARNESS_CODE = marshal.dumps(compile(HARNESS_SOURCE, "<harness>", "exec"))
BOOTSTRAP = (
    "import marshal, os\n"
    "def _read(size):\n"
    "    data = b''\n"
    "    while len(data) < size:\n"
    "        chunk = os.read(0, size - len(data))\n"
    "        if not chunk:\n"
    "            break\n"
    "        data += chunk\n"
    "    return data\n"
    "exec(marshal.loads(_read(int.from_bytes(_read(8), 'little'))))\n"
)
MAX_SOURCE_BYTES = 64 * 1024
REFERENCE_TIME_FACTOR = 10


@dataclass
class TestResult:
    """One test case's outcome, as shown to the candidate."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    verdict: Verdict
    time_ms: float
    memory_kb: int
    hidden: bool
    message: str = ""
    input: dict[str, Any] | None = None
    expected: Any = None
    output: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "time_ms": round(self.time_ms, 1),
            "memory_kb": self.memory_kb,
            "hidden": self.hidden,
            "message": self.message,
        }


@dataclass
class Report:
    """The verdict on a whole submission."""

    problem: str
    verdict: Verdict
    message: str
    time_ms: float
    memory_kb: int
    tests: list[TestResult]
    total: int
    isolation: Isolation
    stdout: str = ""
    stderr: str = ""
    examples_only: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "verdict": self.verdict.value,
            "message": self.message,
            "time_ms": round(self.time_ms, 1),
            "memory_kb": self.memory_kb,
            "tests": [test.to_json() for test in self.tests],
            "tests_total": self.total,
            "isolation": self.isolation.value,
        }


@dataclass(frozen=True)
class Progress:
    """Sent to a progress callback as each test case starts and ends."""

    index: int
    total: int
    name: str
    verdict: Verdict | None
    result: TestResult | None = None


ProgressCallback = Callable[[Progress], None]


class Judge:
    """Judges submissions to problems; owns the sandbox and the test-case cache."""

    def __init__(self, sandbox: Sandbox, cache_dir: Path | None = None) -> None:
        self.sandbox = sandbox
        # Cached cases hold expected outputs: on disk only where submissions cannot
        # read the user's files.
        self.cache_dir = (
            cache_dir if sandbox.isolation is Isolation.BUBBLEWRAP else None
        )
        self._prepared: dict[str, list[TestCase]] = {}
        self._blobs: dict[tuple[str, bool], list[bytes]] = {}

    def cases(self, problem: Problem) -> list[TestCase]:
        """The problem's test cases with expected outputs, built once and cached.

        Raises:
            TestDataError: the content cannot produce its cases.
        """
        key = cache_key(problem, HARNESS_SOURCE)
        if key in self._prepared:
            return self._prepared[key]
        cases = read_cache(self.cache_dir, key)
        if cases is None:
            cases = self._build_cases(problem)
            write_cache(self.cache_dir, key, cases)
        self._prepared[key] = cases
        return cases

    def _build_cases(self, problem: Problem) -> list[TestCase]:
        collected = written_and_generated(problem)
        limits_ms = problem.meta.limits.time_ms * REFERENCE_TIME_FACTOR
        try:
            blobs = [marshal.dumps(case_input) for case_input in collected.inputs]
        except ValueError as error:
            raise TestDataError(
                f"{problem.folder / 'generator.py'}: a test input is not plain data "
                f"(lists, dicts, numbers, strings, booleans, None): {error}"
            ) from None
        run = self._execute(
            problem, problem.reference, blobs, [False] * len(blobs), limits_ms, None
        )
        outputs: list[Any] = []
        for index, record in enumerate(run.records):
            if record.get("status") != "ok":
                raise TestDataError(
                    f"{problem.folder / 'reference.py'}: failed on test "
                    f"{collected.names[index]}: {record.get('status')} {record.get('message', '')}"
                )
            outputs.append(_output_of(problem, record))
        if run.compile_error or len(outputs) != len(collected.inputs):
            detail = (
                run.compile_error
                or run.kill_message
                or run.stderr.decode("utf-8", "replace")
            )
            raise TestDataError(
                f"{problem.folder / 'reference.py'}: did not finish: {detail}"
            )

        computed = expected_from_reference(problem, outputs)
        _check_stated(
            problem,
            collected.names,
            collected.inputs,
            collected.stated,
            outputs,
            computed,
        )
        return [
            TestCase(
                name=collected.names[index],
                hidden=collected.hidden[index],
                input=case_input,
                expected=collected.stated.get(index, computed[index]),
                explanation=collected.explanations[index],
            )
            for index, case_input in enumerate(collected.inputs)
        ]

    def verify(self, problem: Problem) -> str | None:
        """Build the problem's test cases, running its generator and reference; the
        reason it cannot, or None."""
        try:
            self.cases(problem)
        except TestDataError as error:
            return str(error)
        return None

    def judge(
        self,
        problem: Problem,
        source: str,
        *,
        examples_only: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> Report:
        """Judge `source` against the problem's test cases.

        Args:
            problem: the problem being solved.
            source: the candidate's Python source.
            examples_only: run only the visible examples (`loopcoach run`).
            on_progress: called as each test case starts and ends.

        Returns:
            The report; a judge failure is reported as `internal_error`, never raised.
        """
        try:
            cases = self.cases(problem)
        except TestDataError as error:
            logger.error("cannot prepare %s: %s", problem.slug, error)
            return self._internal(
                problem, f"the problem's test data is broken: {error}"
            )
        if examples_only:
            cases = [case for case in cases if not case.hidden]

        if len(source.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
            return self._finish(
                problem,
                cases,
                [],
                Verdict.COMPILE_ERROR,
                f"the source is larger than {MAX_SOURCE_BYTES // 1024} KiB",
                Run(),
            )

        checker = CHECKERS[problem.meta.checker]
        results: list[TestResult] = []
        run_state = Run()

        def check(index: int, record: dict[str, Any]) -> bool:
            reveal = not cases[index].hidden and not run_state.hidden_sent
            result = _check_one(problem, checker, cases[index], record, reveal)
            results.append(result)
            if on_progress is not None:
                on_progress(
                    Progress(index, len(cases), cases[index].name, result.verdict)
                )
            return result.verdict is Verdict.ACCEPTED

        def started(index: int) -> None:
            if on_progress is not None and index < len(cases):
                on_progress(Progress(index, len(cases), cases[index].name, None))

        blob_key = (cache_key(problem, HARNESS_SOURCE), examples_only)
        blobs = self._blobs.get(blob_key)
        if blobs is None:
            blobs = self._blobs[blob_key] = [
                marshal.dumps(case.input) for case in cases
            ]
        try:
            run = self._execute(
                problem,
                source,
                blobs,
                [case.hidden for case in cases],
                problem.meta.limits.time_ms,
                check,
                started,
                run_state,
            )
        except OSError as error:
            logger.exception("sandbox failed for %s", problem.slug)
            return self._internal(problem, f"the sandbox could not start: {error}")
        return self._conclude(problem, cases, results, run)

    def _internal(self, problem: Problem, message: str) -> Report:
        return Report(
            problem=problem.slug,
            verdict=Verdict.INTERNAL_ERROR,
            message=message,
            time_ms=0,
            memory_kb=0,
            tests=[],
            total=0,
            isolation=self.sandbox.isolation,
        )

    def _conclude(
        self,
        problem: Problem,
        cases: list[TestCase],
        results: list[TestResult],
        run: Run,
    ) -> Report:
        if run.compile_error is not None:
            line = run.compile_error.get("line")
            where = f"line {line}: " if isinstance(line, int) else ""
            message = f"{where}{run.compile_error.get('message', 'cannot compile')}"
            return self._finish(
                problem, cases, results, Verdict.COMPILE_ERROR, message, run
            )

        failed = next((r for r in results if r.verdict is not Verdict.ACCEPTED), None)
        if failed is not None:
            return self._finish(
                problem, cases, results, failed.verdict, failed.message, run
            )

        if len(results) < len(cases):
            verdict, message = _abnormal_end(run, cases, len(results))
            index = len(results)
            if index < len(cases):
                killed_after = (
                    (time.monotonic() - run.test_started_at) * 1000
                    if run.running == index and run.test_started_at
                    else 0.0
                )
                results.append(
                    TestResult(
                        name=cases[index].name,
                        verdict=verdict,
                        time_ms=killed_after,
                        memory_kb=max((r.memory_kb for r in results), default=0),
                        hidden=cases[index].hidden,
                        message=message,
                    )
                )
            return self._finish(problem, cases, results, verdict, message, run)

        return self._finish(
            problem,
            cases,
            results,
            Verdict.ACCEPTED,
            f"all {len(cases)} tests passed",
            run,
        )

    def _finish(
        self,
        problem: Problem,
        cases: list[TestCase],
        results: list[TestResult],
        verdict: Verdict,
        message: str,
        run: Run,
    ) -> Report:
        # A program's own printing may echo hidden inputs, so it is shown only when no
        # hidden test's input ever went into the sandbox.
        visible = not run.hidden_sent and all(not result.hidden for result in results)
        return Report(
            problem=problem.slug,
            verdict=verdict,
            message=message,
            time_ms=sum(result.time_ms for result in results),
            # The harness measures its own peak; the sandbox launcher's figure would
            # include the judge's forked copy of itself.
            memory_kb=max((result.memory_kb for result in results), default=0),
            tests=results,
            total=len(cases),
            isolation=self.sandbox.isolation,
            stdout=_text(run.stdout) if visible else "",
            stderr=_text(run.stderr) if visible else "",
            examples_only=all(not case.hidden for case in cases),
        )

    def _execute(
        self,
        problem: Problem,
        source: str,
        inputs: list[bytes],
        hidden: list[bool],
        time_ms: int,
        check: Callable[[int, dict[str, Any]], bool] | None,
        started: Callable[[int], None] | None = None,
        run: Run | None = None,
    ) -> Run:
        results_read, results_write = os.pipe()
        inputs_read, inputs_write = os.pipe()
        header = {
            "source": source,
            "kind": problem.meta.kind.value,
            "entry": {
                "function": problem.meta.entry.function,
                "method": problem.meta.entry.method,
                "class": problem.meta.entry.class_name,
            },
            "adapter": problem.meta.adapter.value,
            "time_ms": time_ms,
            "results_fd": results_write,
            "inputs_fd": inputs_read,
        }
        encoded = marshal.dumps(header)
        largest = max((len(blob) for blob in inputs), default=0)
        limits = _limits_for(problem, time_ms, len(inputs), largest)
        if self.sandbox.interpreter.magic == importlib.util.MAGIC_NUMBER.hex():
            program = ["-I", "-S", "-c", BOOTSTRAP]
            code = [len(HARNESS_CODE).to_bytes(8, "little"), HARNESS_CODE]
        else:
            program, code = ["-I", "-S", "-c", HARNESS_SOURCE], []
        stdin = _memory_file(*code, len(encoded).to_bytes(8, "little"), encoded)
        try:
            process = self.sandbox.launch(
                program,
                limits,
                stdin=stdin,
                pass_fds=[results_write, inputs_read],
            )
        except BaseException:
            os.close(inputs_write)
            os.close(results_read)
            raise
        finally:
            os.close(stdin)
            os.close(results_write)
            os.close(inputs_read)
        run = run or Run()
        run.started_at = time.monotonic()
        run.cpu_seconds = limits.cpu_seconds
        plan = Plan(
            inputs=inputs,
            hidden=hidden,
            time_ms=time_ms,
            memory_kb=problem.meta.limits.memory_mb * 1024,
        )
        try:
            Follower(
                process, results_read, inputs_write, run, plan, check, started
            ).follow()
        finally:
            os.close(results_read)
            clean = run.done and run.killed_for is None
            run.memory_kb = self.sandbox.destroy(process, clean_exit=clean)
            run.exit_code = process.returncode
        return run


def _check_stated(
    problem: Problem,
    names: list[str],
    inputs: list[dict[str, Any]],
    stated: dict[int, Any],
    outputs: list[Any],
    computed: list[Any],
) -> None:
    """A stated expected output must agree with the reference solution: the reference's
    output passes against it and, where outputs and expectations share a form, it passes
    as an output itself."""
    checker = CHECKERS[problem.meta.checker]
    same_form = problem.meta.kind is ProblemKind.FUNCTION and (
        problem.meta.adapter is Adapter.NONE
    )
    for index, expected in stated.items():
        try:
            finding = checker(
                inputs[index], expected, outputs[index], problem.meta.checker_options
            )
            if finding.verdict is Verdict.ACCEPTED and same_form:
                finding = checker(
                    inputs[index],
                    computed[index],
                    expected,
                    problem.meta.checker_options,
                )
        except Exception as error:
            raise TestDataError(
                f"{problem.folder / 'tests.yaml'}: test {names[index]}: the checker "
                f"cannot read the stated expected output: {error}"
            ) from None
        if finding.verdict is not Verdict.ACCEPTED:
            raise TestDataError(
                f"{problem.folder / 'tests.yaml'}: test {names[index]}: the stated "
                f"expected output disagrees with reference.py: {finding.message}"
            )


def _limits_for(
    problem: Problem, time_ms: int, count: int, largest_input: int
) -> Limits:
    cpu_seconds = int(time_ms * count / 1000) + 2
    # Address space is a backstop per process: the interpreter's own mappings and one
    # loaded input need room beyond the budget. The judge holds the whole tree's
    # resident memory to the budget itself.
    memory = (problem.meta.limits.memory_mb + 64) * 1024 * 1024 + 8 * largest_input
    return Limits(cpu_seconds=cpu_seconds, memory_bytes=memory)


def _memory_file(*parts: bytes) -> int:
    descriptor = os.memfd_create("loopcoach-payload", 0)
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(descriptor, view) :]
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


def _output_of(problem: Problem, record: dict[str, Any]) -> Any:
    if problem.meta.kind is ProblemKind.DESIGN:
        return {"results": record.get("output"), "errors": record.get("errors") or {}}
    return record.get("output")


def _well_formed(problem: Problem, case: TestCase, output: Any) -> bool:
    """Whether an output has the shape its checker reads; anything else is a wrong answer."""
    if problem.meta.kind is ProblemKind.DESIGN:
        results, errors = output["results"], output["errors"]
        operations = case.input.get("operations") or []
        return (
            isinstance(results, list)
            and len(results) == len(operations)
            and isinstance(errors, dict)
            and all(isinstance(k, str) and k.isdigit() for k in errors)
        )
    if problem.meta.adapter is Adapter.RANDOM_LIST:
        return (
            isinstance(output, dict)
            and isinstance(output.get("nodes"), list)
            and all(
                isinstance(pair, list)
                and len(pair) == 2
                and (
                    pair[1] is None
                    or (isinstance(pair[1], int) and not isinstance(pair[1], bool))
                )
                for pair in output["nodes"]
            )
            and all(
                isinstance(output.get(flag), bool)
                for flag in ("cycle", "shared", "foreign")
            )
        )
    return True


BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def _exception(record: dict[str, Any]) -> str:
    # The name comes from the sandbox; only the names of Python's own exceptions are
    # shown, so a submission cannot spell out data in a class name.
    name = record.get("exception")
    return (
        name if isinstance(name, str) and name in BUILTIN_EXCEPTIONS else "an exception"
    )


def _entry_message(problem: Problem) -> str:
    entry = problem.meta.entry
    if entry.class_name:
        return f"the submission defines no class {entry.class_name}"
    forms = []
    if entry.function:
        forms.append(f"a function {entry.function}")
    if entry.method:
        forms.append(f"a class Solution with a method {entry.method}")
    return (
        "the submission defines neither " + " nor ".join(forms)
        if len(forms) > 1
        else ("the submission defines no " + (forms[0] if forms else "entry point"))
    )


def _check_one(
    problem: Problem,
    checker: Callable[..., Check],
    case: TestCase,
    record: dict[str, Any],
    reveal: bool,
) -> TestResult:
    """Turn one harness record into a test result, running the checker when it is ok.

    With `reveal` false (a hidden test, or any test once a hidden input went into the
    sandbox), every message is the judge's own wording: nothing from the sandbox.
    """
    limits = problem.meta.limits
    cpu_ms = max(number(record.get("cpu_ms")), number(record.get("tree_cpu_ms")))
    rss_kb = int(max(number(record.get("rss_kb")), number(record.get("tree_rss_kb"))))
    result = TestResult(
        name=case.name,
        verdict=Verdict.INTERNAL_ERROR,
        time_ms=min(cpu_ms, 10 * limits.time_ms),
        memory_kb=rss_kb,
        hidden=case.hidden,
    )
    if reveal:
        result.input = case.input
        result.expected = case.expected
    where = "" if reveal else " on a hidden test"
    status = record.get("status")

    # The judge's own measurements decide the limits, whatever the record says.
    if number(record.get("tree_cpu_ms")) > limits.time_ms + TICK_MS or status == "time":
        result.verdict = Verdict.TIME_LIMIT
        result.message = "took longer than the time limit" + where
        return result
    if rss_kb > limits.memory_mb * 1024 or status == "memory":
        result.verdict = Verdict.MEMORY_LIMIT
        result.message = (
            f"used more than the {limits.memory_mb} MB memory limit" + where
        )
        return result

    if status == "ok":
        output = _output_of(problem, record)
        if reveal:
            result.output = output
        if not _well_formed(problem, case, output):
            result.verdict = Verdict.WRONG_ANSWER
            result.message = "returned data the checker cannot read" + where
            return result
        try:
            finding = checker(
                case.input, case.expected, output, problem.meta.checker_options
            )
        except Exception:
            logger.exception("checker %s failed on %s", problem.meta.checker, case.name)
            result.message = "the checker failed; this is a judge bug, not your fault"
            return result
        result.verdict = finding.verdict
        if finding.verdict is not Verdict.ACCEPTED:
            result.message = (
                clean_text(finding.message)
                if reveal
                else (f"{finding.verdict.label.lower()} on a hidden test")
            )
        return result

    if status == "error":
        result.verdict = Verdict.RUNTIME_ERROR
        if not reveal:
            result.message = f"raised {_exception(record)} on a hidden test"
            return result
        line = record.get("line")
        at = (
            f" (line {line})"
            if isinstance(line, int) and not isinstance(line, bool)
            else ""
        )
        detail = clean_text(str(record.get("message", "")))[:500]
        result.message = (detail or _exception(record)) + at
        return result
    if status == "no_entry":
        result.verdict = Verdict.COMPILE_ERROR
        result.message = _entry_message(problem)
        return result
    if status == "bad_output":
        result.verdict = Verdict.WRONG_ANSWER
        detail = clean_text(str(record.get("message", "")))[:300] if reveal else ""
        result.message = detail or "returned a value that is not plain data" + where
        return result
    result.message = "the harness reported something the judge does not know"
    return result


def clean_text(text: str) -> str:
    """Text from the sandbox, safe to print and store: no control characters or lone
    surrogates, no terminal escape sequences."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(
        character
        if character in "\n\t" or (character.isprintable() and character != "\x1b")
        else "\ufffd"
        for character in text
    )


def _abnormal_end(run: Run, cases: list[TestCase], index: int) -> tuple[Verdict, str]:
    """Explain a run that stopped before every test case had a result."""
    reveal = index < len(cases) and not cases[index].hidden and not run.hidden_sent
    where = f"test {cases[index].name}" if reveal else "a hidden test"
    if index >= len(cases):
        where = "after the last test"
    if run.protocol_error:
        return Verdict.RUNTIME_ERROR, run.protocol_error
    if run.killed_for is not None:
        return run.killed_for, f"{run.kill_message} ({where})"

    code = run.exit_code if run.exit_code is not None else 0
    # Under bubblewrap a signal's death arrives as 128 + its number.
    signal_number = -code if code < 0 else code - 128 if 128 < code <= 128 + 64 else 0
    stderr = _text(run.stderr)
    elapsed = time.monotonic() - run.started_at
    if (
        signal_number in (signal.SIGXCPU, signal.SIGKILL)
        and elapsed >= run.cpu_seconds * 0.9
    ):
        # The CPU limit ends a run with SIGXCPU, then SIGKILL; the same signals early
        # came from the program itself.
        return Verdict.TIME_LIMIT, f"used up its CPU time ({where})"
    if "MemoryError" in stderr:
        return Verdict.MEMORY_LIMIT, f"ran out of memory ({where})"
    if signal_number == signal.SIGSEGV:
        return (
            Verdict.RUNTIME_ERROR,
            f"crashed with a segmentation fault, often from very deep recursion ({where})",
        )
    if signal_number:
        return Verdict.RUNTIME_ERROR, f"was killed by signal {signal_number} ({where})"
    return (
        Verdict.RUNTIME_ERROR,
        f"exited with status {code} before finishing ({where})",
    )


def _text(data: bytearray | bytes) -> str:
    return clean_text(bytes(data).decode("utf-8", "replace"))
