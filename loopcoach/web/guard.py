"""Requests from other sites are refused.

The app is meant for one person's machine, so two checks keep other web pages out: the
Host header must name this server (a DNS-rebinding page reaches us under its own name),
and a state-changing request must not come from a page of another origin (a form or
`fetch` on any site the candidate visits can post to 127.0.0.1).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from loopcoach.web.errors import problem_body

logger = logging.getLogger("loopcoach.security")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "testserver"})


class SameOriginGuard:
    """ASGI middleware: refuse foreign Host headers and cross-site writes with 403."""

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: frozenset[str] = frozenset(),
        max_body: int | None = None,
    ) -> None:
        self.app = app
        self.allowed = LOOPBACK_NAMES | {host.lower() for host in allowed_hosts}
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        host = _name(headers.get("host", ""))
        reason = None
        if host and host not in self.allowed:
            reason = f"this server does not answer to the name {host!r}"
        elif scope["method"] not in SAFE_METHODS:
            reason = _cross_site(headers, host)
        if reason is None:
            length = headers.get("content-length", "")
            too_large = (
                self.max_body is not None
                and length.isascii()
                and length.isdigit()
                and int(length) > self.max_body
            )
            if too_large:
                limit = (self.max_body or 0) // 1024
                await _refuse(
                    send,
                    f"the request body is larger than {limit} KiB",
                    413,
                    "too_large",
                )
                return
            await self.app(scope, receive, send)
            return
        logger.warning("refused %s %s: %s", scope["method"], scope["path"], reason)
        await _refuse(send, reason, 403, "cross_site")


def _name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _cross_site(headers: dict[str, str], host: str) -> str | None:
    if headers.get("sec-fetch-site", "") == "cross-site":
        return "a page of another site may not change anything here"
    origin = headers.get("origin")
    if origin and origin != "null":
        origin_host = _name(urlsplit(origin).netloc)
        if origin_host != host:
            return f"a page of {origin} may not change anything here"
    elif origin == "null":
        return "a page without an origin may not change anything here"
    return None


async def _refuse(send: Send, reason: str, status: int, code: str) -> None:
    body = json.dumps(problem_body(status, reason, code)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
