"""The web app: pages with JSON twins, and the REST API under /api/v1."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt

from loopcoach.practice import Practice
from loopcoach.practice.behavioral import Behavioral
from loopcoach.practice.ratelimit import RateLimiter
from loopcoach.practice.submissions import SubmissionService
from loopcoach.practice.workers import ServeLock, WorkerPool
from loopcoach.settings import Settings
from loopcoach.web import api, behavioral_pages, errors, pages, stories_api
from loopcoach.web.deps import WebState
from loopcoach.web.guard import SameOriginGuard

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
# The largest request body: code and stories are far smaller.
MAX_BODY_BYTES = 2 * 1024 * 1024


def create_app(
    settings: Settings,
    *,
    extra_content: tuple[Path, ...] = (),
    start_workers: bool = True,
    limiter: RateLimiter | None = None,
    notify: Callable[[], None] | None = None,
    allowed_hosts: tuple[str, ...] = (),
) -> FastAPI:
    """Build the app. Workers start with the app's lifespan and stop with it.

    Args:
        settings: resolved settings.
        extra_content: content folders beyond the shipped content and settings.
        start_workers: run judge worker processes (tests may judge another way).
        limiter: the submission rate limiter; by default from settings.
        notify: what wakes a worker when start_workers is False.
        allowed_hosts: names besides loopback this server answers to (`serve --host`).
    """
    practice = Practice(settings, extra_content=extra_content)
    pool = (
        WorkerPool(settings, size=settings.judge_workers, extra_content=extra_content)
        if start_workers
        else None
    )
    wake = pool.notify if pool is not None else (notify or (lambda: None))
    state = WebState(
        practice=practice,
        submissions=SubmissionService(
            practice,
            wake,
            idempotency_lifetime=timedelta(hours=settings.idempotency_hours),
        ),
        limiter=limiter
        or RateLimiter(settings.submit_burst, settings.submit_per_minute / 60.0),
        pool=pool,
        behavioral=Behavioral(practice),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lock = ServeLock(settings.data_dir) if pool is not None else None
        requeued, _abandoned = state.submissions.queue.recover()
        if pool is not None:
            pool.start()
            for _ in requeued:
                pool.notify()
        # Everything loaded so far lives as long as the app: keeping it out of the
        # collector's generations makes full collections short, and with them the
        # slowest responses.
        gc.collect()
        gc.freeze()
        logger.info("loopcoach web app ready")
        yield
        if pool is not None:
            pool.stop()
        if lock is not None:
            lock.release()
        practice.close()

    app = FastAPI(
        # Bodies sent without a length are cut off here; the guard answers the rest.
        max_body_size=2 * MAX_BODY_BYTES,
        title="loopcoach",
        version="1",
        summary="Practise technical interview loops: problems, judged submissions, history.",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        # The interactive docs page would load its scripts from a CDN; the app fetches
        # nothing from the internet, so /api/v1/docs is a page of its own.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        SameOriginGuard, allowed_hosts=frozenset(allowed_hosts), max_body=MAX_BODY_BYTES
    )
    app.state.web = state
    app.state.templates = _templates()
    errors.install(app)
    app.include_router(api.router)
    app.include_router(stories_api.router)
    app.include_router(pages.router)
    app.include_router(behavioral_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    templates.env.filters["markdown"] = markdown.render
    templates.env.filters["without_title"] = _without_title
    return templates


def _without_title(statement: str) -> str:
    # The page shows the title with the problem's facts; a statement's own `# Title`
    # would repeat it.
    first, _, rest = statement.lstrip().partition("\n")
    return rest if first.startswith("# ") else statement
