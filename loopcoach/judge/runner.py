"""Judge a submission: one sandbox run for all its test cases, checked on the trusted side.

```
submission ──> sandbox process ──> outputs ──> checker (trusted side) ──> verdict
                (inputs only)
```

The sandbox streams one record per test case; the parent checks each as it arrives, stops
the run at the first failure, and enforces wall time, output size and teardown itself.
"""

from __future__ import annotations

import json
import logging
import marshal
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loopcoach.catalog.models import Problem, ProblemKind
from loopcoach.judge.checkers import CHECKERS, Check
from loopcoach.judge.sandbox import Isolation, Limits, Sandbox
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
MAX_SOURCE_BYTES = 64 * 1024
STREAM_LIMIT_BYTES = 1024 * 1024
STREAM_KEEP_BYTES = 16 * 1024
RESULTS_LIMIT_BYTES = 64 * 1024 * 1024
STARTUP_SECONDS = 10.0
EXIT_GRACE_SECONDS = 1.0
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


@dataclass
class _Run:
    """What one sandbox run produced, before any verdict on the submission."""

    records: list[dict[str, Any]] = field(default_factory=list)
    compile_error: dict[str, Any] | None = None
    done: bool = False
    killed_for: Verdict | None = None
    kill_message: str = ""
    running: int | None = None
    exit_code: int | None = None
    memory_kb: int = 0
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    protocol_error: str = ""
    started_at: float = 0.0
    cpu_seconds: int = 0


class Judge:
    """Judges submissions to problems; owns the sandbox and the test-case cache."""

    def __init__(self, sandbox: Sandbox, cache_dir: Path | None = None) -> None:
        self.sandbox = sandbox
        self.cache_dir = cache_dir
        self._prepared: dict[str, list[TestCase]] = {}
        self._blobs: dict[tuple[str, bool], bytes] = {}

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
        blob = marshal.dumps(collected.inputs)
        run = self._execute(
            problem, problem.reference, blob, len(collected.inputs), limits_ms, None
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
                _Run(),
            )

        checker = CHECKERS[problem.meta.checker]
        results: list[TestResult] = []

        def check(index: int, record: dict[str, Any]) -> bool:
            result = _check_one(problem, checker, cases[index], record)
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
        blob = self._blobs.get(blob_key)
        if blob is None:
            blob = self._blobs[blob_key] = marshal.dumps([case.input for case in cases])
        try:
            run = self._execute(
                problem,
                source,
                blob,
                len(cases),
                problem.meta.limits.time_ms,
                check,
                started,
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
        run: _Run,
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
                results.append(
                    TestResult(
                        name=cases[index].name,
                        verdict=verdict,
                        time_ms=0,
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
        run: _Run,
    ) -> Report:
        # A program's own printing may echo hidden inputs, so it is shown only when
        # every test case that ran was visible.
        visible = all(not result.hidden for result in results)
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
        inputs: bytes,
        count: int,
        time_ms: int,
        check: Callable[[int, dict[str, Any]], bool] | None,
        started: Callable[[int], None] | None = None,
    ) -> _Run:
        results_read, results_write = os.pipe()
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
        }
        encoded = marshal.dumps(header)
        limits = _limits_for(problem, time_ms, count, len(inputs))
        stdin = _memory_file(len(encoded).to_bytes(8, "little"), encoded, inputs)
        try:
            process = self.sandbox.launch(
                ["-I", "-S", "-c", HARNESS_SOURCE],
                limits,
                stdin=stdin,
                pass_fds=[results_write],
            )
        finally:
            os.close(stdin)
            os.close(results_write)
        run = _Run(started_at=time.monotonic(), cpu_seconds=limits.cpu_seconds)
        try:
            _follow(process, results_read, run, time_ms, count, check, started)
        finally:
            os.close(results_read)
            clean = run.done and run.killed_for is None
            run.memory_kb = self.sandbox.destroy(process, clean_exit=clean)
            run.exit_code = process.returncode
        return run


def _limits_for(
    problem: Problem, time_ms: int, count: int, payload_bytes: int
) -> Limits:
    cpu_seconds = int(time_ms * count / 1000) + 2
    # The interpreter and the loaded inputs need room beyond the submission's budget.
    memory = (problem.meta.limits.memory_mb + 64) * 1024 * 1024 + 6 * payload_bytes
    return Limits(cpu_seconds=cpu_seconds, memory_bytes=memory)


def _memory_file(*parts: bytes) -> int:
    descriptor = os.memfd_create("loopcoach-payload", 0)
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(descriptor, view) :]
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


def _follow(
    process: subprocess.Popen[bytes],
    results_read: int,
    run: _Run,
    time_ms: int,
    count: int,
    check: Callable[[int, dict[str, Any]], bool] | None,
    started: Callable[[int], None] | None,
) -> None:
    """Read the run's three streams until it ends, fails, or breaks a limit."""
    assert process.stdout is not None and process.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    selector.register(results_read, selectors.EVENT_READ, "results")
    per_test = time_ms * 2 / 1000 + 1.0
    deadline = time.monotonic() + STARTUP_SECONDS
    pending = bytearray()
    received = 0
    streamed = 0
    open_streams = 3

    try:
        while open_streams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if run.done:
                    return
                run.killed_for = Verdict.TIME_LIMIT
                run.kill_message = "the program ran past its wall-clock time"
                return
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                if key.data == "results":
                    received += len(chunk)
                    if received > RESULTS_LIMIT_BYTES:
                        run.killed_for = Verdict.OUTPUT_LIMIT
                        run.kill_message = (
                            "the program returned more data than the judge accepts"
                        )
                        return
                    pending += chunk
                    while b"\n" in pending:
                        line, _, rest = pending.partition(b"\n")
                        pending = bytearray(rest)
                        verdict_deadline = _on_record(
                            bytes(line), run, count, check, started, per_test
                        )
                        if run.killed_for is not None or run.protocol_error:
                            return
                        if verdict_deadline is not None:
                            deadline = verdict_deadline
                    continue

                streamed += len(chunk)
                target = run.stdout if key.data == "stdout" else run.stderr
                if len(target) < STREAM_KEEP_BYTES:
                    target += chunk[: STREAM_KEEP_BYTES - len(target)]
                if streamed > STREAM_LIMIT_BYTES:
                    run.killed_for = Verdict.OUTPUT_LIMIT
                    run.kill_message = f"the program printed more than {STREAM_LIMIT_BYTES // 1024} KiB"
                    return
    finally:
        selector.close()


def _on_record(
    line: bytes,
    run: _Run,
    count: int,
    check: Callable[[int, dict[str, Any]], bool] | None,
    started: Callable[[int], None] | None,
    per_test: float,
) -> float | None:
    """Apply one record; returns a new deadline when the clock should restart."""
    try:
        record = json.loads(line)
        event = record["event"]
    except (ValueError, KeyError, TypeError):
        run.protocol_error = "the program wrote over the judge's result channel"
        security_logger.warning("malformed result record from a submission")
        return None

    expected_index = len(run.records)
    if event == "ready":
        return time.monotonic() + per_test
    if event == "begin" and record.get("index") == expected_index:
        run.running = expected_index
        if started is not None:
            started(expected_index)
        return time.monotonic() + per_test
    if event == "result" and record.get("index") == expected_index == run.running:
        run.records.append(record)
        run.running = None
        if check is not None and not check(expected_index, record):
            run.killed_for = Verdict.WRONG_ANSWER  # stop at the first failure
        return None
    if event == "done" and expected_index == count:
        run.done = True
        return time.monotonic() + EXIT_GRACE_SECONDS
    if event == "compile_error" and expected_index == 0:
        run.compile_error = record
        run.done = True
        return time.monotonic() + EXIT_GRACE_SECONDS

    run.protocol_error = "the program wrote over the judge's result channel"
    security_logger.warning("out-of-order result record %r from a submission", event)
    return None


def _output_of(problem: Problem, record: dict[str, Any]) -> Any:
    if problem.meta.kind is ProblemKind.DESIGN:
        return {"results": record.get("output"), "errors": record.get("errors") or {}}
    return record.get("output")


HARNESS_STATUS = {
    "time": (Verdict.TIME_LIMIT, "took longer than the time limit"),
    "memory": (Verdict.MEMORY_LIMIT, "used more memory than the limit"),
    "bad_output": (Verdict.WRONG_ANSWER, "returned a value that is not plain data"),
    "no_entry": (Verdict.COMPILE_ERROR, "the entry point is missing"),
}


def _check_one(
    problem: Problem,
    checker: Callable[..., Check],
    case: TestCase,
    record: dict[str, Any],
) -> TestResult:
    """Turn one harness record into a test result, running the checker when it is ok."""
    cpu_ms = record.get("cpu_ms")
    rss_kb = record.get("rss_kb")
    result = TestResult(
        name=case.name,
        verdict=Verdict.INTERNAL_ERROR,
        time_ms=float(cpu_ms) if isinstance(cpu_ms, int | float) else 0.0,
        memory_kb=int(rss_kb) if isinstance(rss_kb, int) else 0,
        hidden=case.hidden,
    )
    if not case.hidden:
        result.input = case.input
        result.expected = case.expected
    status = record.get("status")

    if status == "ok":
        output = _output_of(problem, record)
        if not case.hidden:
            result.output = output
        try:
            finding = checker(
                case.input, case.expected, output, problem.meta.checker_options
            )
        except Exception:
            logger.exception("checker %s failed on %s", problem.meta.checker, case.name)
            result.message = "the checker failed; this is a judge bug, not your fault"
            return result
        result.verdict = finding.verdict
        result.message = _reveal(case, finding.message, finding.verdict)
        return result

    if status == "error":
        exception = str(record.get("exception", "an exception"))
        result.verdict = Verdict.RUNTIME_ERROR
        detail = str(record.get("message", ""))[:500]
        result.message = (
            f"raised {exception} on a hidden test"
            if case.hidden
            else detail or exception
        )
        return result

    verdict, text = HARNESS_STATUS.get(
        str(status), (Verdict.INTERNAL_ERROR, "unknown status")
    )
    result.verdict = verdict
    if status in ("no_entry",):
        result.message = str(record.get("message", text)).removeprefix("LookupError: ")
    elif status == "bad_output" and not case.hidden:
        result.message = str(record.get("message", text))
    else:
        result.message = text + (" on a hidden test" if case.hidden else "")
    return result


def _reveal(case: TestCase, message: str, verdict: Verdict) -> str:
    if verdict is Verdict.ACCEPTED:
        return ""
    if case.hidden:
        return f"{verdict.label.lower()} on a hidden test"
    return message


def _abnormal_end(run: _Run, cases: list[TestCase], index: int) -> tuple[Verdict, str]:
    """Explain a run that stopped before every test case had a result."""
    name = cases[index].name if index < len(cases) else "the end"
    where = (
        f"test {name}"
        if index < len(cases) and not cases[index].hidden
        else "a hidden test"
    )
    if run.protocol_error:
        return Verdict.RUNTIME_ERROR, run.protocol_error
    if run.killed_for is not None:
        return run.killed_for, f"{run.kill_message} ({where})"

    code = run.exit_code if run.exit_code is not None else 0
    signal_number = -code if code < 0 else code - 128 if code > 128 else 0
    stderr = _text(run.stderr)
    elapsed = time.monotonic() - run.started_at
    if signal_number == signal.SIGXCPU or (
        # The CPU limit's hard edge is a SIGKILL; any other SIGKILL came from the
        # program itself, e.g. a kill(-1) of everything in its sandbox.
        signal_number == signal.SIGKILL and elapsed >= run.cpu_seconds * 0.9
    ):
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
    return bytes(data).decode("utf-8", "replace")
