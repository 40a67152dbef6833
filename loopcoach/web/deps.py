"""What routes share: the app's state, who the client is, the rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from loopcoach.practice import Practice
from loopcoach.practice.behavioral import Behavioral
from loopcoach.practice.ratelimit import RateLimiter
from loopcoach.practice.submissions import SubmissionService
from loopcoach.practice.workers import WorkerPool
from loopcoach.web.errors import ApiError

SOLVED_SECONDS = 1.0


@dataclass
class WebState:
    """What every route needs, made once per app."""

    practice: Practice
    submissions: SubmissionService
    limiter: RateLimiter
    pool: WorkerPool | None
    behavioral: Behavioral
    page_cache: dict[str, str] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic
    _solved: frozenset[str] | None = None
    _solved_at: float = 0.0
    _refreshing: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def solved(self) -> frozenset[str]:
        """Slugs of solved problems, read from the store at most about once a second.

        The problem list is the busiest read. A verdict reaches it within a second, and at
        once when this server sees the verdict (see `forget_solved`). While one request
        refreshes the set, the others use the one they have instead of all querying.
        """
        if self._solved is None:
            async with self._refreshing:
                if self._solved is None:
                    await self._refresh()
        elif (
            self.clock() - self._solved_at > SOLVED_SECONDS
            and not self._refreshing.locked()
        ):
            async with self._refreshing:
                await self._refresh()
        assert self._solved is not None
        return self._solved

    async def _refresh(self) -> None:
        started = self.clock()
        self._solved = frozenset(await run_in_threadpool(self.practice.history.solved))
        self._solved_at = started

    def forget_solved(self) -> None:
        self._solved = None


def state(request: Request) -> WebState:
    web = request.app.state.web
    assert isinstance(web, WebState)
    return web


def client_of(request: Request) -> str:
    """Who a request is from, for rate limits and idempotency keys: its address."""
    return request.client.host if request.client is not None else "unknown"


def take_submission_token(request: Request) -> None:
    """Spend one of the client's submission tokens, or refuse with 429."""
    decision = state(request).limiter.take(client_of(request))
    if not decision.allowed:
        raise ApiError(
            429,
            f"too many submissions; try again in {decision.retry_after} s",
            headers={"Retry-After": str(decision.retry_after)},
        )
