"""Judge workers: separate processes that take queued submissions and judge them.

Sandboxes are launched with `preexec_fn`, which is not safe from a threaded web server, so
judging happens in worker processes of its own. The database is the queue; a wake-up pipe
only saves the workers from polling it often.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import multiprocessing
import os
import queue as queue_module
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from loopcoach.settings import Settings

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
PR_SET_PDEATHSIG = 1


def default_worker_count() -> int:
    """One worker per core: judging is CPU-bound."""
    return max(1, len(os.sched_getaffinity(0)))


@dataclass(frozen=True)
class WorkerConfig:
    settings: Settings
    extra_content: tuple[Path, ...]


class WorkerPool:
    """A fixed number of judge worker processes."""

    def __init__(
        self,
        settings: Settings,
        *,
        size: int | None = None,
        extra_content: Sequence[Path] = (),
    ) -> None:
        self.size = size or default_worker_count()
        self._config = WorkerConfig(settings, tuple(extra_content))
        self._context = multiprocessing.get_context("spawn")
        self._wake: multiprocessing.Queue[None] = self._context.Queue()
        self._stop = self._context.Event()
        self._processes: list[SpawnProcess] = []

    def start(self) -> None:
        for number in range(self.size):
            process = self._context.Process(
                target=worker_main,
                args=(self._config, self._wake, self._stop),
                name=f"loopcoach-judge-{number}",
                daemon=True,
            )
            process.start()
            self._processes.append(process)
        logger.info("started %d judge workers", self.size)

    def notify(self) -> None:
        """Tell an idle worker there is work."""
        self._wake.put(None)

    def alive(self) -> int:
        return sum(1 for process in self._processes if process.is_alive())

    def stop(self, timeout: float = 10.0) -> None:
        """Let workers finish what they are judging, then end them."""
        self._stop.set()
        for _ in self._processes:
            self._wake.put(None)
        for process in self._processes:
            process.join(timeout)
            if process.is_alive():
                process.terminate()
                process.join(2)
        self._processes.clear()
        self._wake.close()
        self._wake.join_thread()


class ServerBusy(RuntimeError):
    """Another server is already judging from this data folder."""


class ServeLock:
    """One server per data folder: recovering interrupted submissions is only safe when
    no other server's workers could still be judging them."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "serve.lock"
        self._handle: int | None = os.open(
            self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
        )
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._handle)
            self._handle = None
            raise ServerBusy(
                f"another loopcoach serve is already using {data_dir}; stop it first, or "
                "give this one its own LOOPCOACH_DATA_DIR"
            ) from None

    def release(self) -> None:
        if self._handle is not None:
            os.close(self._handle)
            self._handle = None


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def worker_main(config: WorkerConfig, wake: Any, stop: Event) -> None:
    """A worker process: claim, judge, record, until told to stop."""
    # The server handles Ctrl-C and tells workers to stop; a worker must not die
    # mid-verdict from the terminal's signal. If the server itself dies, the worker goes
    # too: what it was judging stays `running` and the next server judges it again.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    from loopcoach.practice.judging import judge_claimed
    from loopcoach.practice.service import Practice
    from loopcoach.store.queue import SubmissionQueue

    server = os.getppid()
    practice = Practice(config.settings, extra_content=config.extra_content)
    submissions = SubmissionQueue(practice.store)
    try:
        while not stop.is_set() and os.getppid() == server:
            claimed = submissions.claim()
            if claimed is None:
                with contextlib.suppress(queue_module.Empty):
                    wake.get(timeout=POLL_SECONDS)
                continue
            judge_claimed(practice, submissions, claimed)
    finally:
        practice.close()
