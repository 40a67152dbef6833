"""Latency and memory of the served web app, measured over loopback with wrk.

Starts `loopcoach serve` on a free loopback port with a fresh data folder, reads the
server's resident memory while idle, then drives the problem page and the problem-list API
with 50 concurrent connections for a bounded time each, and prints p50 and p99 latency and
requests per second. Targets on a 2-core machine: p99 under 50 ms for pages, and the server
process under 150 MB resident while idle.

    python bench/web.py [--seconds N] [--connections N]

Needs wrk (apt install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TARGETS = {
    "problem page": "/problems/two-sum",
    "problem list API": "/api/v1/problems",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per URL (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="default 50")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/web.py needs wrk: apt install wrk")

    with tempfile.TemporaryDirectory() as data:
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "loopcoach", "serve", "--port", str(port)],
            env={**os.environ, "LOOPCOACH_DATA_DIR": data},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, server)
            for path in TARGETS.values():
                urllib.request.urlopen(base + path).read()
            time.sleep(2)
            server_mb = _rss_mb(server.pid)
            workers_mb = sum(_rss_mb(pid) for pid in _children(server.pid))

            print(
                f"server resident memory, idle   {server_mb:7.1f} MB   "
                f"(target < 150 MB: {'met' if server_mb < 150 else 'MISSED'})"
            )
            print(
                f"judge workers' memory, idle    {workers_mb:7.1f} MB   "
                f"({len(_children(server.pid))} processes)"
            )
            print(
                f"load: wrk, 1 thread, {arguments.connections} connections, "
                f"{arguments.seconds} s per URL, loopback"
            )
            print(f"{'':18} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>9} {'requests':>9}")
            for name, path in TARGETS.items():
                p50, p99, rate, total = _wrk(base + path, arguments)
                verdict = ""
                if name == "problem page":
                    verdict = (
                        f"  (p99 target < 50 ms: {'met' if p99 < 50 else 'MISSED'})"
                    )
                print(
                    f"{name:18} {p50:8.1f} {p99:8.1f} {rate:9.0f} {total:9d}{verdict}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=1).read()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.1)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _wrk(url: str, arguments: argparse.Namespace) -> tuple[float, float, float, int]:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{arguments.connections}",
            f"-d{arguments.seconds}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return _ms(percentiles["50"]), _ms(percentiles["99"]), rate, total


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


if __name__ == "__main__":
    main()
