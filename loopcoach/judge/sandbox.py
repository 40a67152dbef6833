"""Start an untrusted program contained: isolation, resource limits, teardown.

Isolation, strongest available first: bubblewrap (no network, private /tmp, read-only system,
nothing of the user's files), else namespaces through `unshare`, else resource limits alone.
The contained program never runs as uid 0, because the kernel does not apply the process-count
limit to root: as root the judge drops to a dedicated uid per slot before starting the sandbox.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import fcntl
import logging
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)
sandbox_logger = logging.getLogger("loopcoach.sandbox")

SANDBOX_UID_BASE = 1_999_000
SLOT_COUNT = 64
PR_SET_CHILD_SUBREAPER = 36
SWEEP_SECONDS = 5.0


class Isolation(enum.StrEnum):
    """How strongly a submission is contained."""

    BUBBLEWRAP = "bubblewrap"
    NAMESPACES = "namespaces"
    RLIMITS = "rlimits"


class SandboxUnavailable(RuntimeError):
    """The requested isolation cannot work on this machine."""


@dataclass(frozen=True)
class Limits:
    """Kernel limits applied to the sandboxed process tree."""

    cpu_seconds: int
    memory_bytes: int
    processes: int = 64
    file_bytes: int = 16 * 1024 * 1024
    open_files: int = 64
    scratch_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class Interpreter:
    """A Python interpreter every uid can read and run."""

    executable: str
    prefix: str
    # Bytecode magic: when it matches this process's, compiled code can be handed over.
    magic: str = ""


def find_interpreter() -> Interpreter:
    """Pick a world-readable CPython for submissions.

    A version manager's shim costs tens of milliseconds per start and often lives in a home
    folder the sandbox uid cannot read, so the real system interpreter comes first.

    Raises:
        SandboxUnavailable: no usable interpreter.
    """
    candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
    candidates.append(os.path.realpath(sys.executable))
    for candidate in candidates:
        if _world_executable(candidate):
            real = os.path.realpath(candidate)
            probed = _probe(real)
            if probed is not None:
                return Interpreter(executable=real, prefix=probed[0], magic=probed[1])
    raise SandboxUnavailable(
        "no Python 3.11+ interpreter that an unprivileged user can run was found; "
        "install python3 from your system's packages"
    )


def _world_executable(path: str) -> bool:
    real = Path(os.path.realpath(path))
    if not real.is_file():
        return False
    for part in [real, *real.parents]:
        mode = part.stat().st_mode
        needed = 0o005 if part == real else 0o001
        if mode & needed != needed:
            return False
    return True


def _probe(executable: str) -> tuple[str, str] | None:
    probe = (
        "import sys, importlib.util\n"
        "if sys.version_info >= (3, 11):\n"
        "    print(sys.base_prefix)\n"
        "    print(importlib.util.MAGIC_NUMBER.hex())"
    )
    try:
        result = subprocess.run(
            [executable, "-I", "-S", "-c", probe],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = result.stdout.split("\n")
    if len(lines) < 2 or not lines[0].strip():
        return None
    return lines[0].strip(), lines[1].strip()


class SlotLock:
    """One of a fixed set of judge slots, held with a file lock for this process.

    Each slot has its own sandbox uid, so a cleanup that kills every process of that uid
    can never touch another judge's submission. The lock folder is the same for every
    judge of a user whatever its environment says, and is refused unless it is a real
    folder that only that user can write.
    """

    def __init__(self, directory: Path | None = None) -> None:
        folder = directory or slot_directory()
        _private_folder(folder)
        for slot in range(SLOT_COUNT):
            handle = os.open(
                folder / f"slot-{slot}.lock",
                os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
            )
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(handle)
                continue
            self.slot = slot
            self._handle = handle
            return
        raise SandboxUnavailable(
            f"all {SLOT_COUNT} judge slots are busy; wait for a running judge to finish"
        )

    def release(self) -> None:
        os.close(self._handle)


def slot_directory() -> Path:
    """Where judges of this user take their slots: fixed, so all of them agree."""
    if os.geteuid() == 0 and os.path.isdir("/run"):
        return Path("/run/loopcoach-slots")
    return Path(f"/tmp/loopcoach-slots-{os.geteuid()}")


def _private_folder(folder: Path) -> None:
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700, parents=False)
    info = os.lstat(folder)
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.geteuid()
        or info.st_mode & 0o077
    ):
        raise SandboxUnavailable(
            f"{folder} must be a folder owned by uid {os.geteuid()} with mode 700; "
            "remove it and run again"
        )


class Sandbox:
    """Launches contained processes with one isolation mode and one uid."""

    def __init__(
        self,
        isolation: Isolation | None = None,
        interpreter: Interpreter | None = None,
        slot: int | None = None,
    ) -> None:
        self.interpreter = interpreter or find_interpreter()
        self._slot_lock = SlotLock() if slot is None else None
        self.slot = slot if slot is not None else self._slot_lock.slot  # type: ignore[union-attr]
        self.is_root = os.geteuid() == 0
        self.uid = SANDBOX_UID_BASE + self.slot if self.is_root else os.getuid()
        self._launched_at = 0
        self.isolation = isolation or detect_isolation(self)
        if self.isolation is Isolation.RLIMITS:
            sandbox_logger.warning(
                "no bubblewrap or user namespaces here: submissions run with resource "
                "limits only and can read what you can; install bubblewrap"
            )
        elif self.isolation is Isolation.NAMESPACES:
            sandbox_logger.warning(
                "bubblewrap is not installed: submissions run in namespaces without a "
                "network, but can read the files your user can read, reference "
                "solutions included; install bubblewrap for full isolation"
            )
        _become_subreaper()

    def close(self) -> None:
        """Give the slot back."""
        if self._slot_lock is not None:
            self._slot_lock.release()
            self._slot_lock = None

    def command(self, program: Sequence[str], limits: Limits) -> list[str]:
        """The argv that runs `program` (interpreter arguments) inside this sandbox."""
        python = [self.interpreter.executable, *program]
        if self.isolation is Isolation.BUBBLEWRAP:
            return _bubblewrap_argv(self.interpreter, limits) + python
        if self.isolation is Isolation.NAMESPACES:
            return _unshare_argv() + python
        return python

    def launch(
        self,
        program: Sequence[str],
        limits: Limits,
        *,
        stdin: int,
        pass_fds: Sequence[int] = (),
    ) -> subprocess.Popen[bytes]:
        """Start `program` contained; the caller reads its stdout and stderr pipes."""
        argv = self.command(program, limits)
        sandbox_logger.debug("launching %s sandbox as uid %d", self.isolation, self.uid)
        self._launched_at = _boot_ticks()
        return subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=tuple(pass_fds),
            preexec_fn=_Drop(self, limits),
            start_new_session=True,
            cwd="/",
            env=_sandbox_environment(),
            close_fds=True,
        )

    def destroy(self, process: subprocess.Popen[bytes], *, clean_exit: bool) -> int:
        """Kill the whole process tree of a run, reap it, and return its peak memory.

        Args:
            process: the launched sandbox.
            clean_exit: the run ended by itself; under bubblewrap its pid namespace is
                then already gone with everything in it, so the sweep is skipped.

        Returns:
            The largest resident set size of the run, in KiB.
        """
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        peak = 0
        try:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            peak = int(usage.ru_maxrss)
        except ChildProcessError:
            process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        if self.is_root:
            self._sweep(clean_exit=clean_exit)
        elif not (clean_exit and self.isolation is Isolation.BUBBLEWRAP):
            _kill_descendants(self._launched_at)
        if not self.is_root:
            _reap_orphans(self._launched_at)
        return peak

    def _sweep(self, *, clean_exit: bool) -> None:
        """Make sure no process of the slot's uid is left, then reap what was ours.

        Killing a pid namespace's first process makes the kernel kill the rest, but they
        die asynchronously; detached grandchildren outside bubblewrap need a kill of
        their own. The verdict waits until the slot's uid owns nothing.
        """
        deadline = time.monotonic() + SWEEP_SECONDS
        killed = False
        while True:
            alive, zombies = _scan(self.uid)
            _reap(zombies)
            if not alive:
                return
            if not killed or not clean_exit:
                _kill_every_process_of(self.uid)
                killed = True
            if time.monotonic() > deadline:
                sandbox_logger.error(
                    "processes of sandbox uid %d survived %.0f s of killing: %s",
                    self.uid,
                    SWEEP_SECONDS,
                    ", ".join(_describe(pid) for pid in alive[:10]),
                )
                return
            time.sleep(0.002)


def _scan(uid: int) -> tuple[list[int], list[int]]:
    """One pass over /proc: living processes of `uid`, and zombies that are ours to reap
    (they ran as that uid, or in another pid namespace)."""
    own = os.getpid()
    alive: list[int] = []
    zombies: list[int] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            owner = entry.stat().st_uid
            with open(f"{entry.path}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[-1].split()
        except OSError:
            continue
        if fields[0] == b"Z":
            if int(fields[1]) == own and (
                owner == uid or _is_foreign(Path(entry.path))
            ):
                zombies.append(int(entry.name))
        elif owner == uid:
            alive.append(int(entry.name))
    return alive, zombies


def _reap(zombies: list[int]) -> None:
    for pid in zombies:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


class _Drop:
    """The child-side setup before exec: limits first, then give up root."""

    def __init__(self, sandbox: Sandbox, limits: Limits) -> None:
        self.sandbox = sandbox
        self.limits = limits
        self.processes = limits.processes
        if not sandbox.is_root:
            # Without a uid of its own, the limit counts every process the user owns.
            self.processes += _count_processes_of(sandbox.uid)

    def __call__(self) -> None:
        limits = self.limits
        resource.setrlimit(
            resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)
        )
        resource.setrlimit(
            resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes)
        )
        resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))
        resource.setrlimit(
            resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes)
        )
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)
        )
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if self.sandbox.is_root:
            uid = self.sandbox.uid
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)


def _sandbox_environment() -> dict[str, str]:
    # Nothing of the judge's environment reaches the submission.
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}


def _bubblewrap_argv(interpreter: Interpreter, limits: Limits) -> list[str]:
    argv = [
        "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    if not interpreter.prefix.startswith("/usr"):
        argv += ["--ro-bind", interpreter.prefix, interpreter.prefix]
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        # Every writable place is a size-capped tmpfs: files there are memory the
        # process-tree limit does not see.
        "--size",
        str(limits.scratch_bytes),
        "--tmpfs",
        "/tmp",
        "--size",
        str(limits.scratch_bytes // 4),
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/tmp",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--",
    ]
    return argv


def _unshare_argv() -> list[str]:
    return [
        "unshare",
        "--user",
        "--map-root-user",
        "--net",
        "--pid",
        "--ipc",
        "--uts",
        "--mount",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "--",
    ]


def detect_isolation(sandbox: Sandbox) -> Isolation:
    """The strongest isolation that really starts here, tried as the sandbox uid."""
    limits = Limits(cpu_seconds=5, memory_bytes=512 * 1024 * 1024)
    for isolation in (Isolation.BUBBLEWRAP, Isolation.NAMESPACES):
        tool = "bwrap" if isolation is Isolation.BUBBLEWRAP else "unshare"
        if shutil.which(tool) is None:
            continue
        sandbox.isolation = isolation
        try:
            result = subprocess.run(
                sandbox.command(["-I", "-S", "-c", "print('ok')"], limits),
                capture_output=True,
                timeout=20,
                preexec_fn=_Drop(sandbox, limits),
                env=_sandbox_environment(),
                cwd="/",
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            logger.info("%s is not usable: %s", isolation, error)
            continue
        if result.stdout.strip() == b"ok":
            logger.info("sandbox isolation: %s", isolation)
            return isolation
        logger.info(
            "%s is not usable: %s",
            isolation,
            result.stderr.decode("utf-8", "replace").strip()[:300],
        )
    return Isolation.RLIMITS


def _become_subreaper() -> None:
    # Orphans of a run are re-parented to us instead of the machine's init, so they
    # can be reaped here and never pile up against the slot's process limit.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _kill_every_process_of(uid: int) -> None:
    """Kill all processes of `uid` by becoming it: kill(-1) reaches exactly those."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked child
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _boot_ticks() -> int:
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK"))


def _kill_descendants(since: int) -> None:
    """Without a uid of its own, a run's processes are found by ancestry: as the child
    subreaper, everything a run started and left behind descends from this process.
    Only processes started since the run's launch are touched."""
    deadline = time.monotonic() + SWEEP_SECONDS
    own = os.getpid()
    while time.monotonic() < deadline:
        parents: dict[int, int] = {}
        started: dict[int, int] = {}
        living: set[int] = set()
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"{entry.path}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            started[pid] = int(fields[19])
            if fields[0] != b"Z":
                living.add(pid)
        doomed = [
            pid
            for pid in living
            if started[pid] >= since and _descends_from(pid, own, parents)
        ]
        if not doomed:
            return
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        _reap_orphans(since)
        time.sleep(0.002)


def _descends_from(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    for _ in range(64):
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False


def _reap_orphans(since: int | None = None) -> None:
    """Reap zombies re-parented to us, leaving our own subprocesses' statuses alone.

    Args:
        since: also reap zombies started at or after this boot tick (a run's leftovers
            when they share our uid and pid namespace).
    """
    _reap(_zombie_children(since))


def _zombie_children(since: int | None = None) -> list[int]:
    own = os.getpid()
    zombies = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if fields[0] != "Z" or int(fields[1]) != own:
            continue
        if _is_foreign(entry) or (since is not None and int(fields[19]) >= since):
            zombies.append(int(entry.name))
    return zombies


def _is_foreign(entry: Path) -> bool:
    # A sandbox orphan ran as another uid or in another pid namespace; a zombie of our
    # own subprocess.Popen did neither, and its status belongs to that Popen.
    try:
        if entry.stat().st_uid != os.getuid():
            return True
        return os.readlink(entry / "ns" / "pid") != os.readlink("/proc/self/ns/pid")
    except OSError:
        return False


def _describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return f"{pid} (gone)"
    name = stat[stat.find("(") + 1 : stat.rfind(")")]
    fields = stat.rsplit(")", 1)[-1].split()
    return f"{pid} {name} state {fields[0]} parent {fields[1]}"


def _count_processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count
