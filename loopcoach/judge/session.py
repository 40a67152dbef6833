"""Following one sandbox run: feed test inputs one at a time, read results and output,
watch the process tree's CPU and memory, and stop the run at the first limit it breaks.

Everything here is on the trusted side. Records from the sandbox are data to check, never
instructions: a record out of order, malformed, or arriving twice ends the run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
import selectors
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loopcoach.verdict import Verdict

security_logger = logging.getLogger("loopcoach.security")

STREAM_LIMIT_BYTES = 1024 * 1024
STREAM_KEEP_BYTES = 16 * 1024
RESULTS_LIMIT_BYTES = 64 * 1024 * 1024
RECORD_LIMIT_BYTES = 16 * 1024 * 1024
STARTUP_SECONDS = 10.0
EXIT_GRACE_SECONDS = 1.0
WATCH_SECONDS = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
# The tree's CPU is counted in clock ticks, so a test may show one tick over its budget.
TICK_MS = 1000 / CLOCK_TICKS
LAUNCHERS = (b"bwrap", b"unshare")

Check = Callable[[int, dict[str, Any]], bool]
Started = Callable[[int], None]


@dataclass(frozen=True)
class Plan:
    """What a run is to do: the inputs to feed and the limits to hold it to."""

    inputs: list[bytes]
    hidden: list[bool]
    time_ms: int
    memory_kb: int


@dataclass
class Run:
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
    # Once any hidden test's input has gone into the sandbox, nothing the program
    # prints or says may be shown.
    hidden_sent: bool = False
    test_started_at: float = 0.0
    tree_cpu_at_begin: float = 0.0
    tree_cpu_ms: float = 0.0
    tree_rss_kb: int = 0

    def kill(self, verdict: Verdict, message: str) -> None:
        if self.killed_for is None:
            self.killed_for = verdict
            self.kill_message = message


def tree_usage(root: int) -> tuple[float, int]:
    """CPU milliseconds and resident KiB of the process tree under `root`.

    CPU counts every living process's own time and the time of the children it reaped,
    so work moved into a child process still counts. The launcher processes' memory does
    not count against the submission.
    """
    ticks = 0
    pages = 0
    stack = [root]
    seen: set[int] = set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read()
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        name = stat[stat.find(b"(") + 1 : stat.rfind(b")")]
        fields = stat[stat.rfind(b")") + 2 :].split()
        ticks += sum(int(value) for value in fields[11:15])
        if name not in LAUNCHERS:
            pages += int(fields[21])
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", "rb") as handle:
                    stack.extend(int(child) for child in handle.read().split())
            except OSError:
                continue
    return ticks * 1000 / CLOCK_TICKS, pages * PAGE_KB


class Follower:
    """Drives one run to its end."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        results: int,
        inputs: int,
        run: Run,
        plan: Plan,
        check: Check | None,
        started: Started | None,
    ) -> None:
        self.process = process
        self.results = results
        self.inputs: int | None = inputs
        self.run = run
        self.plan = plan
        self.check = check
        self.started = started
        self.selector = selectors.DefaultSelector()
        self.per_test = plan.time_ms * 2 / 1000 + 1.0
        now = time.monotonic()
        self.deadline = now + STARTUP_SECONDS
        self.overall = now + STARTUP_SECONDS + len(plan.inputs) * self.per_test
        self.pending = memoryview(b"")
        self.buffer = bytearray()
        self.received = 0
        self.streamed = {"stdout": 0, "stderr": 0}
        self.last_watch = 0.0
        self.writing = False
        self.sent = 0  # how many inputs have been queued

    def follow(self) -> None:
        """Read until the run ends, fails, or breaks a limit."""
        assert self.process.stdout is not None and self.process.stderr is not None
        if self.inputs is not None:
            os.set_blocking(self.inputs, False)
            # Room for a whole large input at once, so writing it is one call.
            largest = max((len(blob) for blob in self.plan.inputs), default=0) + 8
            with contextlib.suppress(OSError):
                fcntl.fcntl(self.inputs, fcntl.F_SETPIPE_SZ, min(largest, 1 << 20))
        self.selector.register(self.process.stdout, selectors.EVENT_READ, "stdout")
        self.selector.register(self.process.stderr, selectors.EVENT_READ, "stderr")
        self.selector.register(self.results, selectors.EVENT_READ, "results")
        open_streams = 3
        try:
            while open_streams and not self._stopped():
                now = time.monotonic()
                if not self._in_time(now):
                    return
                self._watch(now)
                if self._stopped():
                    return
                timeout = min(self.deadline, self.overall) - now
                for key, _mask in self.selector.select(
                    timeout=max(0.0, min(timeout, WATCH_SECONDS))
                ):
                    if key.data == "inputs":
                        self._write_input()
                        continue
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        self.selector.unregister(key.fileobj)
                        open_streams -= 1
                    elif key.data == "results":
                        self._results(chunk)
                    else:
                        self._output(key.data, chunk)
                    if self._stopped():
                        return
        finally:
            self._close_inputs()
            self.selector.close()
            self._drain()

    def _drain(self) -> None:
        # What the program printed before the run stopped is already in the pipes;
        # read it without waiting, so a failing test still shows its debug prints.
        for stream, pipe in (
            ("stdout", self.process.stdout),
            ("stderr", self.process.stderr),
        ):
            if pipe is None or pipe.closed:
                continue
            descriptor = pipe.fileno()
            os.set_blocking(descriptor, False)
            try:
                while self.streamed[stream] <= STREAM_LIMIT_BYTES:
                    chunk = os.read(descriptor, 65536)
                    if not chunk:
                        break
                    self._output(stream, chunk)
            except (BlockingIOError, OSError):
                continue

    def _stopped(self) -> bool:
        return self.run.killed_for is not None or bool(self.run.protocol_error)

    def _in_time(self, now: float) -> bool:
        if now > self.overall and not self.run.done:
            self.run.kill(
                Verdict.TIME_LIMIT, "the program ran past the time for all its tests"
            )
            return False
        if now > self.deadline:
            if not self.run.done:
                self.run.kill(
                    Verdict.TIME_LIMIT, "the program ran past its wall-clock time"
                )
            return False
        return True

    def _watch(self, now: float) -> None:
        # A test's work may happen in processes of its own; the tree is what counts.
        if self.run.running is None or now - self.last_watch < WATCH_SECONDS:
            return
        self.last_watch = now
        cpu_ms, rss_kb = tree_usage(self.process.pid)
        self.run.tree_rss_kb = max(self.run.tree_rss_kb, rss_kb)
        if cpu_ms - self.run.tree_cpu_at_begin > self.plan.time_ms + TICK_MS:
            self.run.kill(Verdict.TIME_LIMIT, "took longer than the time limit")
        elif rss_kb > self.plan.memory_kb:
            self.run.kill(
                Verdict.MEMORY_LIMIT,
                f"used more than the {self.plan.memory_kb // 1024} MB memory limit",
            )

    # --- inputs ---------------------------------------------------------------------

    def _send(self, index: int) -> None:
        """Queue test `index`'s input, or the end of the inputs after the last one."""
        if index < self.sent:
            return
        self.sent = index + 1
        if index >= len(self.plan.inputs):
            self._close_inputs()
            return
        if self.plan.hidden[index]:
            self.run.hidden_sent = True
        blob = self.plan.inputs[index]
        self.pending = memoryview(len(blob).to_bytes(8, "little") + blob)
        self._write_input()

    def _write_input(self) -> None:
        if self.inputs is None:
            return
        try:
            while self.pending:
                written = os.write(self.inputs, self.pending)
                self.pending = self.pending[written:]
        except BlockingIOError:
            self._want_write(True)
            return
        except BrokenPipeError:
            self.pending = memoryview(b"")
        self._want_write(False)

    def _want_write(self, wanted: bool) -> None:
        assert self.inputs is not None
        if wanted and not self.writing:
            self.selector.register(self.inputs, selectors.EVENT_WRITE, "inputs")
        elif not wanted and self.writing:
            self.selector.unregister(self.inputs)
        self.writing = wanted

    def _close_inputs(self) -> None:
        if self.inputs is None:
            return
        if self.writing:
            self.selector.unregister(self.inputs)
            self.writing = False
        os.close(self.inputs)
        self.inputs = None

    # --- results and output -----------------------------------------------------------

    def _results(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.received > RESULTS_LIMIT_BYTES:
            self.run.kill(
                Verdict.OUTPUT_LIMIT,
                "the program returned more data than the judge accepts",
            )
            return
        self.buffer += chunk
        if b"\n" not in self.buffer and len(self.buffer) > RECORD_LIMIT_BYTES:
            self.run.kill(
                Verdict.OUTPUT_LIMIT, "the program returned a value too large to judge"
            )
            return
        while b"\n" in self.buffer and not self._stopped():
            line, _, rest = self.buffer.partition(b"\n")
            self.buffer = bytearray(rest)
            self._record(bytes(line))

    def _output(self, stream: str, chunk: bytes) -> None:
        self.streamed[stream] += len(chunk)
        target = self.run.stdout if stream == "stdout" else self.run.stderr
        if len(target) < STREAM_KEEP_BYTES:
            target += chunk[: STREAM_KEEP_BYTES - len(target)]
        if self.streamed[stream] > STREAM_LIMIT_BYTES:
            self.run.kill(
                Verdict.OUTPUT_LIMIT,
                f"the program printed more than {STREAM_LIMIT_BYTES // 1024} KiB on {stream}",
            )

    def _tamper(self, what: str) -> None:
        self.run.protocol_error = "the program wrote over the judge's result channel"
        security_logger.warning("submission tampered with the result channel: %s", what)

    def _record(self, line: bytes) -> None:
        try:
            record = json.loads(line)
            event = record["event"]
        except (ValueError, KeyError, TypeError, RecursionError):
            self._tamper("a malformed record")
            return
        if not isinstance(record, dict):
            self._tamper("a record that is not an object")
            return
        run = self.run
        expected = len(run.records)
        now = time.monotonic()
        if event == "ready" and expected == 0 and run.running is None and not run.done:
            self.deadline = now + self.per_test
            run.tree_cpu_at_begin = tree_usage(self.process.pid)[0]
            self._send(0)
        elif (
            event == "begin" and record.get("index") == expected and run.running is None
        ):
            # The tree's CPU was read at the previous result (or at ready): what the
            # harness does in between is counted against this test, never lost.
            run.running = expected
            run.test_started_at = now
            self.deadline = now + self.per_test
            if self.started is not None:
                self.started(expected)
            if self.plan.hidden[expected] and not self.pending:
                # Past the first hidden input nothing from the sandbox is shown, so the
                # next input may wait in the pipe while this test runs.
                self._send(expected + 1)
        elif event == "result" and record.get("index") == expected == run.running:
            self._result(record, expected, now)
        elif (
            event == "done"
            and expected == len(self.plan.inputs)
            and run.running is None
        ):
            run.done = True
            self.deadline = now + EXIT_GRACE_SECONDS
        elif event == "compile_error" and expected == 0 and run.running is None:
            run.compile_error = record
            run.done = True
            self.deadline = now + EXIT_GRACE_SECONDS
        else:
            self._tamper(f"an out-of-order {str(event)[:20]!r} record")

    def _result(self, record: dict[str, Any], index: int, now: float) -> None:
        run = self.run
        cpu_ms, rss_kb = tree_usage(self.process.pid)
        # The judge's own measurements replace anything the record claims about them.
        record["tree_cpu_ms"] = max(0.0, cpu_ms - run.tree_cpu_at_begin)
        record["tree_rss_kb"] = max(rss_kb, run.tree_rss_kb)
        record["wall_ms"] = (now - run.test_started_at) * 1000
        run.tree_cpu_at_begin = cpu_ms
        run.tree_rss_kb = 0
        run.records.append(record)
        run.running = None
        if self.check is not None and not self.check(index, record):
            run.kill(Verdict.WRONG_ANSWER, "")  # stop at the first failure
            return
        self.deadline = now + self.per_test
        self._send(index + 1)


def number(value: Any, default: float = 0.0) -> float:
    """A finite, non-negative number from a record, or `default`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if isinstance(value, float) and not math.isfinite(value):
        return default
    return max(0.0, float(value))
