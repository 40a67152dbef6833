"""The REST API under /api/v1. Its OpenAPI document is at /api/v1/openapi.json."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from loopcoach.practice import UnknownProblem
from loopcoach.practice.submissions import SourceTooLarge
from loopcoach.practice.views import examples, problem_detail, problem_summary
from loopcoach.store.models import SubmissionMode
from loopcoach.store.queue import IdempotencyConflict
from loopcoach.web import schemas
from loopcoach.web.data import submission_data
from loopcoach.web.deps import client_of, state, take_submission_token
from loopcoach.web.errors import ApiError

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.ProblemDetails, "description": description}
    for status, description in (
        (404, "No such problem or submission."),
        (422, "The request is invalid, or an Idempotency-Key was reused."),
        (429, "Too many submissions; see the Retry-After header."),
    )
}

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)

# Ids are 32-bit integers in every supported database.
SubmissionId = Annotated[int, Path(ge=1, le=2**31 - 1)]

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


async def problems_data(
    request: Request,
    topic: str | None = None,
    difficulty: str | None = None,
    track: str | None = None,
    solved: bool | None = None,
    search: str | None = None,
) -> list[dict[str, Any]]:
    """The problem list behind /problems, /problems.json and the API."""
    web = state(request)
    chosen = web.practice.problems(topic=topic, difficulty=difficulty, track=track)
    done = await web.solved()
    rows = [problem_summary(problem, problem.slug in done) for problem in chosen]
    if solved is not None:
        rows = [row for row in rows if row["solved"] is solved]
    if search:
        needle = search.casefold().strip()
        slugged = "-".join(needle.split())
        rows = [
            row
            for row in rows
            if needle in row["title"].casefold()
            or slugged in row["slug"]
            or any(slugged in topic for topic in row["topics"])
        ]
    return rows


async def problem_data(request: Request, slug: str) -> dict[str, Any]:
    web = state(request)
    try:
        problem = web.practice.problem(slug)
    except UnknownProblem as error:
        raise ApiError(404, str(error)) from None
    detail = web.details.get(problem.slug)
    if detail is None:
        # Expected outputs of the examples may need the reference solution run once.
        detail = await run_in_threadpool(problem_detail, problem, web.practice.judge)
        web.details[problem.slug] = detail
    return {**detail, "solved": problem.slug in await web.solved()}


@router.get("/problems", response_model=schemas.ProblemList, summary="List problems")
async def list_problems(
    request: Request,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    difficulty: Literal["easy", "medium", "hard"] | None = None,
    track: Annotated[str | None, Query(max_length=100)] = None,
    solved: bool | None = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Problems, easiest first, with whether you have solved each."""
    return {
        "problems": await problems_data(
            request, topic, difficulty, track, solved, search
        )
    }


@router.get(
    "/problems/{slug}", response_model=schemas.ProblemDetail, summary="Show a problem"
)
async def show_problem(request: Request, slug: str) -> dict[str, Any]:
    """The statement, visible examples with expected outputs, limits and starter code."""
    return await problem_data(request, slug)


@router.post(
    "/submissions",
    status_code=202,
    response_model=schemas.Submission,
    summary="Submit code for judging",
    responses={
        200: {"model": schemas.Submission, "description": "A repeated request."}
    },
)
def create_submission(
    request: Request,
    response: Response,
    body: schemas.SubmissionCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            description=(
                "Makes the request safe to retry: the same key with the same body returns "
                "the first submission and judges nothing again; with a different body it "
                "is rejected with 422. Keys are remembered for 24 hours by default."
            ),
        ),
    ] = None,
) -> dict[str, Any]:
    """Queue a submission. Follow it at the returned `url` until `status` is `finished`."""
    if idempotency_key is not None and not KEY_PATTERN.match(idempotency_key):
        raise ApiError(
            422,
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
            code="invalid_idempotency_key",
        )
    web = state(request)
    mode = SubmissionMode(body.mode)
    client = client_of(request)
    try:
        # A retry of a request already made answers from the store and costs no token.
        if idempotency_key is not None:
            replayed = web.submissions.replay(
                body.problem,
                body.code,
                mode,
                client=client,
                idempotency_key=idempotency_key,
            )
            if replayed is not None:
                response.headers["Location"] = f"/api/v1/submissions/{replayed.id}"
                response.headers["Idempotent-Replayed"] = "true"
                response.status_code = 200
                return submission_data(replayed)
        take_submission_token(request)
        record, created = web.submissions.submit(
            body.problem,
            body.code,
            mode,
            client=client,
            idempotency_key=idempotency_key,
        )
    except UnknownProblem as error:
        raise ApiError(404, str(error)) from None
    except SourceTooLarge as error:
        raise ApiError(422, str(error), code="too_large") from None
    except IdempotencyConflict as error:
        raise ApiError(422, str(error), code="idempotency_key_reused") from None
    response.headers["Location"] = f"/api/v1/submissions/{record.id}"
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return submission_data(record)


@router.get(
    "/submissions/{submission_id}",
    response_model=schemas.Submission,
    summary="Fetch a submission",
)
def get_submission(request: Request, submission_id: SubmissionId) -> dict[str, Any]:
    """A submission with its test results so far; poll until `status` is `finished`."""
    web = state(request)
    record = web.submissions.get(submission_id)
    if record is None:
        raise ApiError(404, f"no submission {submission_id}")
    if record.finished:
        web.forget_solved()
    return submission_data(record)


@router.get("/submissions", response_model=schemas.SubmissionList, summary="History")
def list_submissions(
    request: Request,
    problem: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    include_runs: bool = False,
) -> dict[str, Any]:
    """Past submissions, newest first."""
    records = state(request).practice.history.recent(
        problem=problem,
        limit=limit,
        mode=None if include_runs else SubmissionMode.SUBMIT,
    )
    return {"submissions": [submission_data(record) for record in records]}


__all__ = ["examples", "problem_data", "problems_data", "router"]
