"""HTML pages. Each has a JSON twin at the same path plus `.json`, from the same data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from loopcoach.practice import UnknownProblem
from loopcoach.practice.submissions import SourceTooLarge
from loopcoach.store.models import SubmissionMode
from loopcoach.web.api import SubmissionId, problem_data, problems_data
from loopcoach.web.data import submission_data
from loopcoach.web.deps import client_of, state, take_submission_token
from loopcoach.web.errors import ApiError

router = APIRouter(include_in_schema=False)

Difficulty = Annotated[str | None, Query(pattern="^(easy|medium|hard)?$")]


def render(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """A template rendered for this request."""
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, template, context)
    return response


def _track_data(request: Request, slug: str | None) -> dict[str, Any]:
    catalog = state(request).practice.catalog
    if slug is None:
        if not catalog.tracks:
            raise ApiError(404, "no track is loaded")
        slug = sorted(catalog.tracks)[0]
    try:
        track = catalog.track(slug)
    except KeyError as error:
        raise ApiError(404, str(error.args[0])) from None
    data: dict[str, Any] = track.model_dump(mode="json", by_alias=True)
    data["problems_loaded"] = sorted(catalog.problems)
    return data


@router.get("/api/v1/docs")
async def api_docs(request: Request) -> Response:
    document = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
        }
        for path, methods in document.get("paths", {}).items()
        for method, operation in methods.items()
    ]
    return render(request, "api_docs.html", {"operations": operations})


@router.get("/favicon.ico")
async def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/.json")
async def home_json(request: Request) -> JSONResponse:
    return JSONResponse(_track_data(request, None))


@router.get("/")
async def home(request: Request) -> Response:
    return render(request, "guide.html", {"track": _track_data(request, None)})


@router.get("/tracks/{slug}.json")
async def track_json(request: Request, slug: str) -> JSONResponse:
    return JSONResponse(_track_data(request, slug))


@router.get("/tracks/{slug}")
async def track_page(request: Request, slug: str) -> Response:
    return render(request, "guide.html", {"track": _track_data(request, slug)})


async def _problem_filters(
    topic: Annotated[str | None, Query(max_length=100)] = None,
    difficulty: Difficulty = None,
    solved: Annotated[str | None, Query(pattern="^(yes|no)?$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    return {
        "topic": topic or None,
        "difficulty": difficulty or None,
        "solved": {"yes": True, "no": False}.get(solved or ""),
        "search": q or None,
    }


Filters = Annotated[dict[str, Any], Depends(_problem_filters)]


@router.get("/problems.json")
async def problems_json(request: Request, filters: Filters) -> JSONResponse:
    return JSONResponse({"problems": await problems_data(request, **filters)})


@router.get("/problems")
async def problems_page(request: Request, filters: Filters) -> Response:
    catalog = state(request).practice.catalog
    topics = sorted({t for p in catalog.problems.values() for t in p.meta.topics})
    return render(
        request,
        "problems.html",
        {
            "problems": await problems_data(request, **filters),
            "filters": filters,
            "topics": topics,
            "query": request.url.query,
        },
    )


@router.get("/problems/{slug}.json")
async def problem_json(request: Request, slug: str) -> JSONResponse:
    return JSONResponse(await problem_data(request, slug))


@router.get("/problems/{slug}")
async def problem_page(
    request: Request,
    slug: str,
    reopen: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    web = state(request)
    code = None
    if reopen is not None:
        record = await run_in_threadpool(web.submissions.get, reopen)
        if record is None or record.problem != slug:
            raise ApiError(404, f"no submission {reopen} for {slug}")
        code = record.code
    # The page is the same for everyone until content changes: render it once.
    cached = web.page_cache.get(slug) if code is None else None
    if cached is not None:
        return HTMLResponse(cached)
    data = await problem_data(request, slug)
    response = render(
        request,
        "problem.html",
        {"problem": data, "code": data["starter"] if code is None else code},
    )
    if code is None:
        web.page_cache[slug] = bytes(response.body).decode("utf-8")
    return response


@router.post(
    "/problems/{slug}/submissions", dependencies=[Depends(take_submission_token)]
)
def submit_form(
    request: Request,
    slug: str,
    code: Annotated[str, Form(max_length=1_000_000)],
    mode: Annotated[str, Form(pattern="^(submit|run)$")] = "submit",
) -> Response:
    web = state(request)
    try:
        record, _ = web.submissions.submit(
            slug, code, SubmissionMode(mode), client=client_of(request)
        )
    except UnknownProblem as error:
        raise ApiError(404, str(error)) from None
    except SourceTooLarge as error:
        raise ApiError(422, str(error), code="too_large") from None
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/submissions/{record.id}", status_code=303)
    return render(request, "_submission.html", {"submission": submission_data(record)})


@router.get("/problems/{slug}/history")
def problem_history(request: Request, slug: str) -> Response:
    web = state(request)
    records = web.practice.history.recent(problem=slug, limit=20, mode=None)
    return render(
        request,
        "_history.html",
        {"submissions": [submission_data(r) for r in records], "slug": slug},
    )


def _submission(request: Request, submission_id: SubmissionId) -> dict[str, Any]:
    record = state(request).submissions.get(submission_id)
    if record is None:
        raise ApiError(404, f"no submission {submission_id}")
    return submission_data(record)


@router.get("/submissions/{submission_id}.json")
def submission_json(request: Request, submission_id: SubmissionId) -> JSONResponse:
    return JSONResponse(_submission(request, submission_id))


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, submission_id: SubmissionId) -> Response:
    data = _submission(request, submission_id)
    if request.headers.get("hx-request"):
        response = render(request, "_submission.html", {"submission": data})
        if data["status"] == "finished":
            state(request).forget_solved()
            # Lets the page refresh its history panel once a verdict is in.
            response.headers["HX-Trigger"] = "submission-finished"
        return response
    return render(request, "submission.html", {"submission": data})


def _history(request: Request) -> list[dict[str, Any]]:
    records = state(request).practice.history.recent(limit=200)
    return [submission_data(record) for record in records]


@router.get("/history.json")
def history_json(request: Request) -> JSONResponse:
    return JSONResponse({"submissions": _history(request)})


@router.get("/history")
def history_page(request: Request) -> Response:
    return render(request, "history.html", {"submissions": _history(request)})
