"""Rules for where the server may listen."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

from loopcoach.judge import Isolation, Sandbox, SandboxUnavailable

logger = logging.getLogger("loopcoach.security")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _detect() -> Isolation:
    sandbox = Sandbox()
    try:
        return sandbox.isolation
    finally:
        sandbox.close()


def check_exposure(
    host: str, *, detect: Callable[[], Isolation] = _detect
) -> Isolation | None:
    """Refuse to listen beyond this machine unless submissions are really contained.

    Raises:
        SandboxUnavailable: `host` is reachable by others and only resource limits work.
    """
    if is_loopback(host):
        return None
    isolation = detect()
    if isolation is Isolation.RLIMITS:
        raise SandboxUnavailable(
            f"refusing to listen on {host}: other machines could run code here, and "
            "neither bubblewrap nor user namespaces work on this machine. Install "
            "bubblewrap (apt install bubblewrap) or listen on 127.0.0.1"
        )
    logger.warning("listening on %s with %s isolation", host, isolation.value)
    return isolation
