"""What routes share: the app's state, who the client is, the rate limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from loopcoach.practice import Practice
from loopcoach.practice.ratelimit import RateLimiter
from loopcoach.practice.submissions import SubmissionService
from loopcoach.practice.workers import WorkerPool
from loopcoach.web.errors import ApiError


@dataclass
class WebState:
    """What every route needs, made once per app."""

    practice: Practice
    submissions: SubmissionService
    limiter: RateLimiter
    pool: WorkerPool | None
    page_cache: dict[str, str] = field(default_factory=dict)


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
