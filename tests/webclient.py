"""The web app in-process, through httpx's ASGI transport, driven from synchronous tests.

An event loop runs in a helper thread (an anyio blocking portal); the app's lifespan, and
with it the judge worker processes, runs there for as long as the client is open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from types import TracebackType
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI


class InProcessApp:
    def __init__(self, app: FastAPI, *, lifespan: bool = True) -> None:
        self.app = app
        self._with_lifespan = lifespan
        self._portal_manager: AbstractContextManager[BlockingPortal] | None = None
        self._lifespan: AbstractContextManager[Any] | None = None
        self.portal: BlockingPortal

    def __enter__(self) -> InProcessApp:
        self._portal_manager = start_blocking_portal()
        self.portal = self._portal_manager.__enter__()
        if self._with_lifespan:
            self._lifespan = self.portal.wrap_async_context_manager(
                self.app.router.lifespan_context(self.app)
            )
            self._lifespan.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._lifespan is not None:
            self._lifespan.__exit__(None, None, None)
        assert self._portal_manager is not None
        self._portal_manager.__exit__(kind, error, traceback)

    def request(
        self, method: str, url: str, *, client: str = "127.0.0.1", **options: Any
    ) -> httpx.Response:
        return self.portal.call(partial(self._send, method, url, client, options))

    def get(self, url: str, **options: Any) -> httpx.Response:
        return self.request("GET", url, **options)

    def post(self, url: str, **options: Any) -> httpx.Response:
        return self.request("POST", url, **options)

    def many(
        self, calls: list[tuple[str, str, dict[str, Any]]]
    ) -> list[httpx.Response]:
        """Send requests at the same time and wait for all of them."""

        async def together() -> list[httpx.Response]:
            return list(
                await asyncio.gather(
                    *(
                        self._send(method, url, "127.0.0.1", options)
                        for method, url, options in calls
                    )
                )
            )

        return self.portal.call(together)

    async def _send(
        self, method: str, url: str, client: str, options: dict[str, Any]
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app, client=(client, 40000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            return await http.request(method, url, **options)

    def wait_for(
        self, url: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        """Poll a JSON resource until `done` says so (real judge workers take a moment)."""
        deadline = time.monotonic() + timeout
        while True:
            body: dict[str, Any] = self.get(url).json()
            if done(body):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not finish in {timeout} s: {body}")
            time.sleep(0.05)
