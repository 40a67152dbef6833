"""A throwaway PostgreSQL cluster on a loopback port, for tests that need the real thing."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_postgres_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_cluster(folder: Path) -> Iterator[str]:
    """Start a cluster in `folder` and yield its SQLAlchemy URL; stop it afterwards."""
    binaries = find_postgres_bin()
    assert binaries is not None, (
        "no PostgreSQL server binaries (initdb) on this machine"
    )
    data = folder / "cluster"
    data.mkdir(parents=True)
    preexec = None
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        account = pwd.getpwnam("postgres")
        for path in (folder, data):
            os.chown(path, account.pw_uid, account.pw_gid)

        def preexec() -> None:
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)

    port = _free_port()
    initdb = subprocess.run(
        [
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "loopcoach",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        check=False,
    )
    if initdb.returncode != 0:
        raise RuntimeError(f"initdb failed: {initdb.stderr.strip()}")
    server = subprocess.Popen(
        [
            str(binaries / "postgres"),
            "-D",
            str(data),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-k",
            str(folder),
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=preexec,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.05)
        yield f"postgresql+psycopg://loopcoach@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(timeout=30)
