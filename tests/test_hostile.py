"""Hostile submissions: each gets a verdict, the judge survives, nothing stays alive, and
no file outside the sandbox's scratch space changes."""

from __future__ import annotations

import contextlib
import os
import socket
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopcoach.catalog import Catalog, Problem
from loopcoach.judge import Isolation, Judge, Report
from loopcoach.verdict import Verdict

CORRECT = """
def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
"""

FAILING = set(Verdict) - {Verdict.ACCEPTED, Verdict.INTERNAL_ERROR}

HOSTILE: dict[str, tuple[str, set[Verdict]]] = {
    "fork-bomb": (
        """
        import os
        def two_sum(nums, target):
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        """,
        {Verdict.TIME_LIMIT, Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT},
    ),
    "fork-bomb-new-sessions": (
        """
        import os, time
        def two_sum(nums, target):
            for _ in range(10000):
                try:
                    if os.fork() == 0:
                        os.setsid()
                        while True:
                            try:
                                os.fork()
                            except OSError:
                                time.sleep(0.01)
                except OSError:
                    pass
            time.sleep(100)
        """,
        {Verdict.TIME_LIMIT, Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT},
    ),
    "memory-one-block": (
        """
        def two_sum(nums, target):
            block = bytearray(8 * 1024 ** 3)
            return [0, 1]
        """,
        {Verdict.MEMORY_LIMIT},
    ),
    "memory-many-chunks": (
        """
        def two_sum(nums, target):
            hoard = []
            while True:
                hoard.append(bytearray(1024 * 1024))
        """,
        {Verdict.MEMORY_LIMIT},
    ),
    "endless-loop-ignoring-signals": (
        """
        import signal
        for number in (signal.SIGPROF, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT,
                       signal.SIGALRM, signal.SIGVTALRM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)
        def two_sum(nums, target):
            while True:
                pass
        """,
        {Verdict.TIME_LIMIT},
    ),
    "endless-loop-catching-everything": (
        """
        def two_sum(nums, target):
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
        """,
        {Verdict.TIME_LIMIT},
    ),
    "sleeping": (
        """
        import time
        def two_sum(nums, target):
            time.sleep(3600)
        """,
        {Verdict.TIME_LIMIT},
    ),
    "flood-stdout": (
        """
        import sys
        def two_sum(nums, target):
            while True:
                sys.stdout.write("x" * 65536)
        """,
        {Verdict.OUTPUT_LIMIT},
    ),
    "flood-stderr": (
        """
        import os
        def two_sum(nums, target):
            while True:
                os.write(2, b"y" * 65536)
        """,
        {Verdict.OUTPUT_LIMIT},
    ),
    "flood-both-streams": (
        """
        import os
        def two_sum(nums, target):
            while True:
                os.write(1, b"a" * 4096)
                os.write(2, b"b" * 4096)
        """,
        {Verdict.OUTPUT_LIMIT},
    ),
    "bytes-not-utf8": (
        """
        import os, sys
        os.write(1, b"\\xff\\xfe\\x80 not text \\xc3")
        os.write(2, b"\\xed\\xa0\\x80\\xff")
        sys.stdout.buffer.write(b"\\x00\\x9f")
        """
        + CORRECT,
        {Verdict.ACCEPTED},
    ),
    "non-utf8-source": (
        "def two_sum(nums, target):\n    return '\udcff'\n",
        {Verdict.COMPILE_ERROR},
    ),
    "exit-before-tests": (
        """
        import os
        os._exit(0)
        """,
        {Verdict.RUNTIME_ERROR},
    ),
    "sys-exit-at-import": (
        """
        import sys
        sys.exit(0)
        """,
        {Verdict.RUNTIME_ERROR},
    ),
    "forged-records-on-stdout": (
        """
        print('{"event": "result", "index": 0, "status": "ok", "output": [0, 1]}')
        print('{"event": "done"}')
        def two_sum(nums, target):
            return [0, 0]
        """,
        {Verdict.WRONG_ANSWER},
    ),
    "forged-records-on-every-descriptor": (
        """
        import os
        forged = b'{"event":"result","index":%d,"status":"ok","output":[0,1]}\\n'
        for fd in range(3, 64):
            for index in range(40):
                try:
                    os.write(fd, forged % index)
                except OSError:
                    pass
            try:
                os.write(fd, b'{"event":"done"}\\n')
            except OSError:
                pass
        def two_sum(nums, target):
            return [0, 1]
        """,
        FAILING,
    ),
    "forged-garbage-on-results": (
        """
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b"\\xff\\xfe not json at all\\n{]\\n")
            except OSError:
                pass
        """
        + CORRECT,
        FAILING,
    ),
    "equal-to-anything": (
        """
        class Anything(list):
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return False
        def two_sum(nums, target):
            return Anything()
        """,
        {Verdict.WRONG_ANSWER},
    ),
    "int-subclass-equal-to-anything": (
        """
        class Liar(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
        def two_sum(nums, target):
            return [Liar(0), Liar(1)]
        """,
        {Verdict.WRONG_ANSWER},
    ),
    "patched-builtins-and-serializers": (
        """
        import builtins, marshal, sys
        builtins.isinstance = lambda *args: True
        builtins.type = lambda *args: list
        builtins.len = lambda *args: 0
        marshal.dumps = lambda *args, **kw: b""
        for name in list(sys.modules):
            module = sys.modules[name]
            for attribute in ("dumps", "dump", "write", "encode_basestring_ascii"):
                try:
                    setattr(module, attribute, lambda *a, **k: "")
                except Exception:
                    pass
        def two_sum(nums, target):
            return [0, 0]
        """,
        FAILING,
    ),
    "search-frames-and-gc-for-answers": (
        """
        import gc, sys
        def two_sum(nums, target):
            found = []
            frame = sys._getframe()
            while frame is not None:
                for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
                    if isinstance(value, dict) and "expected" in value:
                        return value["expected"]
                frame = frame.f_back
            for thing in gc.get_objects():
                if isinstance(thing, dict) and "expected" in thing:
                    return thing["expected"]
            return [0, 0]
        """,
        {Verdict.WRONG_ANSWER},
    ),
    "search-file-system-for-answers": (
        """
        import os
        def two_sum(nums, target):
            for root in ("/tmp", "/root", "/home", "/work", "/srv", "/opt", "/var", "/etc",
                         "/proc/1/root/tmp", "/proc/1/root/work"):
                try:
                    for folder, _, files in os.walk(root):
                        for name in files:
                            if name in ("tests.yaml", "loopcoach.db", "problem.yaml"):
                                raise RuntimeError("found " + os.path.join(folder, name))
                except PermissionError:
                    pass
            return [0, 0]
        """,
        {Verdict.WRONG_ANSWER},
    ),
    "recursion-overflow": (
        """
        def two_sum(nums, target):
            return two_sum(nums, target)
        """,
        {Verdict.RUNTIME_ERROR},
    ),
    "deep-recursion-past-the-c-stack": (
        """
        import sys
        sys.setrecursionlimit(10 ** 8)
        def dive(n):
            return dive(n + 1) + 1
        def two_sum(nums, target):
            return dive(0)
        """,
        {Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT, Verdict.TIME_LIMIT},
    ),
    "stdin-at-import": (
        """
        import sys
        data = sys.stdin.read()
        line = input()
        """,
        {Verdict.RUNTIME_ERROR},
    ),
    "signal-parent-and-group": (
        """
        import os, signal
        for target in (os.getppid(), 1):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(0, signal.SIGKILL)
        except OSError:
            pass
        os.kill(-1, signal.SIGKILL)
        """,
        {Verdict.RUNTIME_ERROR},
    ),
    "huge-output-value": (
        """
        def two_sum(nums, target):
            return ["x" * 1000000] * 200
        """,
        FAILING,
    ),
    "deeply-nested-output": (
        """
        def two_sum(nums, target):
            value = []
            for _ in range(100000):
                value = [value]
            return value
        """,
        {Verdict.WRONG_ANSWER, Verdict.RUNTIME_ERROR},
    ),
    "no-entry-point": (
        "def something_else():\n    return 1\n",
        {Verdict.COMPILE_ERROR},
    ),
    "syntax-error": (
        "def two_sum(nums, target)\n    return [0, 1]\n",
        {Verdict.COMPILE_ERROR},
    ),
}


def _processes_of(uid: int) -> list[int]:
    """Living processes of `uid`, and zombies of it that are ours to reap."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" or int(fields[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def two_sum(catalog: Catalog) -> Problem:
    return catalog.problems["two-sum"]


@pytest.fixture
def watched_files(tmp_path: Path) -> Iterator[list[Path]]:
    """Files the submission must not be able to change or create."""
    canary = Path("/tmp/loopcoach-canary.txt")
    canary.write_text("untouched")
    home_canary = tmp_path / "home-canary.txt"
    home_canary.write_text("untouched")
    yield [canary, home_canary]
    canary.unlink(missing_ok=True)


def _judge(judge: Judge, problem: Problem, source: str) -> Report:
    # Sources are indented in this file; the shared correct solution is not.
    if CORRECT in source:
        source = textwrap.dedent(source.replace(CORRECT, "")) + CORRECT
    return judge.judge(problem, textwrap.dedent(source))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submission_gets_a_verdict_and_leaves_nothing(
    name: str, judge: Judge, two_sum: Problem, watched_files: list[Path]
) -> None:
    source, verdicts = HOSTILE[name]
    before = {path: path.read_bytes() for path in watched_files}

    report = _judge(judge, two_sum, source)

    assert report.verdict in verdicts, f"{report.verdict}: {report.message}"
    assert _processes_of(judge.sandbox.uid) == [] or os.geteuid() != 0
    assert _children_of(os.getpid()) == []
    assert {path: path.read_bytes() for path in watched_files} == before
    # The judge still works afterwards.
    assert _judge(judge, two_sum, CORRECT).verdict is Verdict.ACCEPTED


def test_hidden_tests_reveal_nothing(judge: Judge, two_sum: Problem) -> None:
    source = """
    def two_sum(nums, target):
        if len(nums) > 50:
            print("leak", nums[:5], target)
            raise ValueError("input was %r" % (nums[:5],))
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
    """
    report = _judge(judge, two_sum, source)
    payload = str(report.to_json()) + report.stdout + report.stderr
    failed = report.tests[-1]
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert failed.hidden
    assert failed.input is None and failed.expected is None and failed.output is None
    assert "leak" not in payload
    assert "input was" not in payload
    assert report.message == "raised ValueError on a hidden test"


def test_writes_outside_scratch_do_not_land(
    judge: Judge, two_sum: Problem, tmp_path: Path
) -> None:
    target = tmp_path / "planted.txt"
    source = f"""
    import os
    for path in ({str(target)!r}, "/tmp/loopcoach-planted.txt", "/usr/planted.txt",
                 "/etc/planted.txt", os.path.expanduser("~/planted.txt")):
        try:
            with open(path, "w") as handle:
                handle.write("planted")
        except OSError:
            pass
    # Links where a judge might read back: the judge reads nothing from the sandbox's
    # file system, so these must change nothing.
    for name in ("results", "payload", "output.json"):
        try:
            os.symlink("/etc/shadow", "/tmp/" + name)
        except OSError:
            pass
    {CORRECT}
    """
    report = _judge(judge, two_sum, source)
    assert report.verdict is Verdict.ACCEPTED, report.message
    assert not target.exists()
    assert not Path("/tmp/loopcoach-planted.txt").exists()
    assert not Path("/usr/planted.txt").exists()
    assert not Path("/etc/planted.txt").exists()


def test_environment_carries_no_secrets(
    judge: Judge, two_sum: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPCOACH_SECRET_TOKEN", "hunter2")
    source = """
    import os
    def two_sum(nums, target):
        names = sorted(os.environ)
        if any("SECRET" in n or "LOOPCOACH" in n or "TOKEN" in n for n in names):
            return [-1, -1]
        if set(names) - {"PATH", "HOME", "LANG", "PWD"}:
            return [-2, -2]
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
    """
    report = _judge(judge, two_sum, source)
    assert report.verdict is Verdict.ACCEPTED, report.message


def test_loopback_ports_are_unreachable(judge: Judge, two_sum: Problem) -> None:
    if judge.sandbox.isolation is Isolation.RLIMITS:
        pytest.skip("without namespaces the submission shares the network")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted: list[object] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            accepted.append(server.accept())

    thread = threading.Thread(target=serve)
    thread.start()
    source = f"""
    import socket
    def two_sum(nums, target):
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=0.5).sendall(b"hi")
            return [-1, -1]
        except OSError:
            pass
        seen = {{}}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
    """
    report = _judge(judge, two_sum, source)
    thread.join()
    server.close()
    assert report.verdict is Verdict.ACCEPTED, report.message
    assert accepted == []


def test_threads_and_detached_grandchildren_are_gone(
    judge: Judge, two_sum: Problem
) -> None:
    source = (
        """
    import os, threading, time
    def spin():
        while True:
            pass
    threading.Thread(target=spin, daemon=False).start()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(1)
        os._exit(0)
    """
        + CORRECT
    )
    report = _judge(judge, two_sum, source)
    assert report.verdict in FAILING | {Verdict.ACCEPTED}
    if os.geteuid() == 0:
        assert _processes_of(judge.sandbox.uid) == []
    assert _children_of(os.getpid()) == []


def test_a_broken_checker_is_an_internal_error(
    judge: Judge, two_sum: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loopcoach.judge import checkers

    def broken(*args: object) -> checkers.Check:
        raise ZeroDivisionError("checker bug")

    monkeypatch.setitem(checkers.CHECKERS, two_sum.meta.checker, broken)
    report = _judge(judge, two_sum, CORRECT)
    assert report.verdict is Verdict.INTERNAL_ERROR
    assert "judge bug" in report.message


# --- attacks found by breaking the judge from outside ---------------------------------


def _hidden_inputs(judge: Judge, problem: Problem) -> list[str]:
    return [
        repr(case.input["args"][0][:3])
        for case in judge.cases(problem)
        if case.hidden and len(case.input["args"][0]) < 50
    ]


LEAKS = {
    "walk-frames-and-gc-on-a-visible-test": """
        import gc, sys
        def two_sum(nums, target):
            found = []
            frame = sys._getframe()
            while frame is not None:
                found.extend(repr(v)[:2000] for v in frame.f_locals.values())
                frame = frame.f_back
            for thing in gc.get_objects():
                if isinstance(thing, (list, dict)):
                    found.append(repr(thing)[:200])
            print("\\n".join(found))
            raise ValueError(" ".join(found)[:400])
        """,
    "crafted-lookup-error": """
        def two_sum(nums, target):
            raise LookupError("the submission defines no %r" % ((nums, target),))
        """,
    "forged-exception-name": """
        import os, __main__
        def two_sum(nums, target):
            fd = __main__.RESULTS_FD
            os.write(fd, ('{"event":"result","index":%d,"status":"error","exception":"INPUT=%r"}\\n'
                          % (3, nums)).encode())
            return [0, 1]
        """,
    "read-the-inputs-descriptor": """
        import os
        def two_sum(nums, target):
            grabbed = []
            for fd in range(3, 64):
                try:
                    os.set_blocking(fd, False)
                    grabbed.append(os.read(fd, 1 << 20))
                except OSError:
                    pass
            raise ValueError(repr(grabbed)[:2000])
        """,
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_hidden_inputs_do_not_leak(name: str, judge: Judge, two_sum: Problem) -> None:
    report = _judge(judge, two_sum, LEAKS[name])
    shown = str(report.to_json()) + report.stdout + report.stderr + report.message
    assert report.verdict is not Verdict.ACCEPTED
    for hidden in _hidden_inputs(judge, two_sum):
        assert hidden not in shown


SLOW_OR_BIG = {
    "bare-except-swallows-the-time-out": (
        """
        def two_sum(nums, target):
            total = 0
            for _ in range(300 if len(nums) > 1000 else 0):
                for x in nums:
                    try:
                        total += x * x
                    except:
                        pass
            seen = {}
            for i, x in enumerate(nums):
                if target - x in seen:
                    return [seen[target - x], i]
                seen[x] = i
        """,
        Verdict.TIME_LIMIT,
    ),
    "cpu-in-a-forked-child": (
        """
        import os
        def two_sum(nums, target):
            if len(nums) > 1000:
                pid = os.fork()
                if pid == 0:
                    total = 0
                    for i in range(10 ** 9):
                        total += i
                    os._exit(0)
                os.waitpid(pid, 0)
            seen = {}
            for i, x in enumerate(nums):
                if target - x in seen:
                    return [seen[target - x], i]
                seen[x] = i
        """,
        Verdict.TIME_LIMIT,
    ),
    "forged-begin-records-keep-the-clock-running": (
        """
        import os, time, __main__
        def two_sum(nums, target):
            for _ in range(60):
                os.write(__main__.RESULTS_FD, b'{"event":"begin","index":0}\\n')
                time.sleep(0.5)
        """,
        Verdict.RUNTIME_ERROR,
    ),
    "memory-held-over-the-limit": (
        """
        hoard = []
        def two_sum(nums, target):
            hoard.append(bytearray(280 * 1024 * 1024))
            seen = {}
            for i, x in enumerate(nums):
                if target - x in seen:
                    return [seen[target - x], i]
                seen[x] = i
        """,
        Verdict.MEMORY_LIMIT,
    ),
    "memory-in-forked-children": (
        """
        import os, time
        def two_sum(nums, target):
            for _ in range(4):
                if os.fork() == 0:
                    block = bytearray(120 * 1024 * 1024)
                    time.sleep(30)
                    os._exit(0)
            time.sleep(5)
            return [0, 1]
        """,
        Verdict.MEMORY_LIMIT,
    ),
}


@pytest.mark.parametrize("name", sorted(SLOW_OR_BIG))
def test_limits_hold_for_the_whole_process_tree(
    name: str, judge: Judge, two_sum: Problem
) -> None:
    source, verdict = SLOW_OR_BIG[name]
    report = _judge(judge, two_sum, source)
    assert report.verdict is verdict, report.message
    assert _processes_of(judge.sandbox.uid) == [] or os.geteuid() != 0


def test_scratch_space_is_capped_everywhere(judge: Judge, two_sum: Problem) -> None:
    source = """
    def two_sum(nums, target):
        written = 0
        for folder in ("/dev/shm", "/dev", "/", "/tmp"):
            for number in range(40):
                try:
                    with open("%s/fill-%d" % (folder, number), "wb") as handle:
                        handle.write(b"x" * (8 << 20))
                    written += 8
                except OSError:
                    break
        if written > 100:
            return [-1, -1]
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
    """
    report = _judge(judge, two_sum, source)
    assert report.verdict is Verdict.ACCEPTED, report.message


def test_the_original_list_must_be_left_alone(judge: Judge, catalog: Catalog) -> None:
    problem = catalog.problems["copy-list-with-random-pointer"]
    source = """
    def copy_random_list(head):
        if head is None:
            return None
        copies = {}
        node = head
        while node:
            copies[node] = Node(node.val)
            node = node.next
        node = head
        while node:
            copies[node].next = copies.get(node.next)
            copies[node].random = copies.get(node.random)
            node = node.next
        first = copies[head]
        node = head
        while node:
            following = node.next
            node.val, node.next, node.random = 0, None, None
            node = following
        return first
    """
    report = _judge(judge, problem, source)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert "original list was changed" in report.message


def test_patching_the_harness_module_does_not_fake_a_copy(
    judge: Judge, catalog: Catalog
) -> None:
    problem = catalog.problems["copy-list-with-random-pointer"]
    source = """
    import __main__
    _read = __main__._read_random_list
    def _lie(head, originals, limit):
        result = _read(head, originals, limit)
        result["shared"] = False
        return result
    __main__._read_random_list = _lie
    def copy_random_list(head):
        return head
    """
    assert _judge(judge, problem, source).verdict is Verdict.WRONG_ANSWER


@pytest.mark.parametrize(
    ("source", "verdict"),
    [
        ("import os\nos._exit(152)\n", Verdict.RUNTIME_ERROR),
        ("import os\nos._exit(255)\n", Verdict.RUNTIME_ERROR),
        (
            "def two_sum(nums, target):\n    return [10 ** 5000, 1]\n",
            Verdict.WRONG_ANSWER,
        ),
        (
            "def two_sum(nums, target):\n    raise ValueError('\\udcff\\x1b[2J\\x00')\n",
            Verdict.RUNTIME_ERROR,
        ),
    ],
)
def test_odd_endings_get_accurate_verdicts(
    source: str, verdict: Verdict, judge: Judge, two_sum: Problem
) -> None:
    report = judge.judge(two_sum, source)
    assert report.verdict is verdict, report.message
    report.message.encode("utf-8")  # printable and storable
    assert "\x1b" not in report.message


def test_prints_before_a_failure_are_shown(judge: Judge, two_sum: Problem) -> None:
    report = judge.judge(
        two_sum,
        "def two_sum(nums, target):\n    print('debug', target)\n    return [0, 0]\n",
    )
    assert report.verdict is Verdict.WRONG_ANSWER
    assert "debug 9" in report.stdout


def test_runtime_errors_name_the_line(judge: Judge, two_sum: Problem) -> None:
    report = judge.judge(
        two_sum, "def two_sum(nums, target):\n    x = 1\n    return {}[5]\n"
    )
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert report.message == "KeyError: 5 (line 3)"
