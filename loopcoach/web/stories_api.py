"""The behavioral API: stories with ETag / If-Match, feedback, coverage, prompts,
work simulations."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from loopcoach.practice import PracticeError
from loopcoach.practice.behavioral import Behavioral, UnknownItem
from loopcoach.store.stories import StaleStory, StoryDraft, StoryRecord
from loopcoach.web.deps import state
from loopcoach.web.errors import ApiError
from loopcoach.web.schemas import ProblemDetails

router = APIRouter(
    prefix="/api/v1",
    tags=["behavioral"],
    responses={
        404: {
            "model": ProblemDetails,
            "description": "No such story, prompt or scenario.",
        },
        422: {"model": ProblemDetails, "description": "The request is invalid."},
    },
)

StoryId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ETAG = re.compile(r'"story-([0-9]{1,9})-v([0-9]{1,9})"', re.ASCII)
LongText = Annotated[str, Field(max_length=50_000)]


class StoryIn(BaseModel):
    # What GET returns may be sent back as it is: the read-only fields are ignored.
    model_config = ConfigDict(extra="ignore")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    situation: LongText = ""
    task: LongText = ""
    action: LongText = ""
    result: LongText = ""
    text: LongText = Field(
        default="",
        description="The whole story as free text; when no STAR part is given, the coach "
        "splits it into parts.",
    )
    principles: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=16
    )
    tags: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=30
    )
    occurred_on: date | None = None


class StoryOut(StoryIn):
    model_config = ConfigDict(extra="ignore")

    id: int
    version: int
    created_at: str | None
    updated_at: str | None


class StoryList(BaseModel):
    stories: list[StoryOut]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=200_000)]
    prompt: Annotated[str | None, Field(max_length=100)] = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Annotated[
        list[Annotated[str, Field(max_length=80)]], Field(min_length=1, max_length=5)
    ]


def coach(request: Request) -> Behavioral:
    return state(request).behavioral


def draft_from(body: StoryIn, behavioral: Behavioral) -> StoryDraft:
    """A draft from a request, splitting free text when no STAR part is given."""
    draft = StoryDraft(
        title=body.title,
        situation=body.situation,
        task=body.task,
        action=body.action,
        result=body.result,
        text=body.text,
        principles=tuple(body.principles),
        tags=tuple(body.tags),
        occurred_on=body.occurred_on,
    )
    try:
        return behavioral.complete(draft)
    except UnknownItem as error:
        raise ApiError(422, str(error), code="unknown_principle") from None


def _story_response(response: Response, story: StoryRecord) -> dict[str, Any]:
    response.headers["ETag"] = story.etag
    return story.to_json()


def _get(behavioral: Behavioral, story_id: int) -> StoryRecord:
    story = behavioral.stories.get(story_id)
    if story is None:
        raise ApiError(404, f"no story {story_id}")
    return story


def expected_version(story: StoryRecord, if_match: str | None) -> int:
    """The version an If-Match header names for this story.

    Raises:
        ApiError: 428 without the header, 412 when it names another version.
    """
    if if_match is None:
        raise ApiError(
            428,
            "send If-Match with the story's ETag, so an edit never overwrites a newer one",
            code="precondition_required",
        )
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in tags:
        return story.version
    prefix = f'"story-{story.id}-v'
    for tag in tags:
        if (
            tag.startswith(prefix)
            and tag.endswith('"')
            and tag[len(prefix) : -1].isdigit()
        ):
            return int(tag[len(prefix) : -1])
    raise _stale(story, if_match)


def _stale(current: StoryRecord, sent: str) -> ApiError:
    return ApiError(
        412,
        f"story {current.id} changed since {sent}; it is now {current.etag}. Fetch it, "
        "apply your edit again, and send the new ETag",
        code="stale_version",
        headers={"ETag": current.etag},
        extra={"current": current.to_json()},
    )


@router.get("/stories", response_model=StoryList, summary="List stories")
def list_stories(
    request: Request,
    principle: Annotated[str | None, Query(max_length=80)] = None,
    tag: Annotated[str | None, Query(max_length=80)] = None,
) -> dict[str, Any]:
    stories = coach(request).stories.list(principle=principle, tag=tag)
    return {"stories": [story.to_json() for story in stories]}


@router.post(
    "/stories", status_code=201, response_model=StoryOut, summary="Add a story"
)
def create_story(request: Request, response: Response, body: StoryIn) -> dict[str, Any]:
    behavioral = coach(request)
    story = behavioral.stories.create(draft_from(body, behavioral))
    response.headers["Location"] = f"/api/v1/stories/{story.id}"
    return _story_response(response, story)


@router.get("/stories/{story_id}", response_model=StoryOut, summary="Fetch a story")
def get_story(
    request: Request, response: Response, story_id: StoryId
) -> dict[str, Any]:
    """The story, with its version as the ETag to send back in If-Match when editing."""
    return _story_response(response, _get(coach(request), story_id))


@router.put(
    "/stories/{story_id}",
    response_model=StoryOut,
    summary="Replace a story",
    responses={
        412: {
            "model": ProblemDetails,
            "description": "The story changed; see `current`.",
        },
        428: {"model": ProblemDetails, "description": "If-Match is required."},
    },
)
def replace_story(
    request: Request,
    response: Response,
    story_id: StoryId,
    body: StoryIn,
    if_match: Annotated[
        str | None, Header(description="The ETag you last read.")
    ] = None,
) -> dict[str, Any]:
    """Optimistic concurrency: the edit applies only to the version named by If-Match; a
    stale edit gets 412 with the current story, never a silent overwrite."""
    behavioral = coach(request)
    story = _get(behavioral, story_id)
    version = expected_version(story, if_match)
    try:
        updated = behavioral.stories.update(
            story_id, draft_from(body, behavioral), expected_version=version
        )
    except StaleStory as error:
        raise _stale(error.current, if_match or "") from None
    except KeyError:
        raise ApiError(404, f"no story {story_id}") from None
    return _story_response(response, updated)


@router.delete(
    "/stories/{story_id}",
    status_code=204,
    summary="Delete a story",
    responses={412: {"model": ProblemDetails}, 428: {"model": ProblemDetails}},
)
def delete_story(
    request: Request,
    story_id: StoryId,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    behavioral = coach(request)
    story = _get(behavioral, story_id)
    version = expected_version(story, if_match)
    try:
        behavioral.stories.delete(story_id, expected_version=version)
    except StaleStory as error:
        raise _stale(error.current, if_match or "") from None
    return Response(status_code=204)


@router.get("/stories/{story_id}/feedback", summary="Feedback on a story")
def story_feedback(request: Request, story_id: StoryId) -> dict[str, Any]:
    behavioral = coach(request)
    return _feedback(
        lambda: behavioral.story_feedback(_get(behavioral, story_id)).to_json()
    )


def _feedback(make: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = make()
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    except PracticeError as error:
        raise ApiError(503, str(error)) from None
    return result


@router.post("/feedback", summary="Feedback on an answer")
def answer_feedback(request: Request, body: FeedbackIn) -> dict[str, Any]:
    """STAR parts, measurable results, ownership, length, fillers and principles shown."""
    behavioral = coach(request)
    return _feedback(lambda: behavioral.feedback(body.text, body.prompt).to_json())


@router.get("/coverage", summary="Principles against stories")
def get_coverage(request: Request) -> dict[str, Any]:
    return _feedback(lambda: coach(request).coverage().to_json())


@router.get("/prompts", summary="Behavioral prompts")
def list_prompts(
    request: Request, principle: Annotated[str | None, Query(max_length=80)] = None
) -> dict[str, Any]:
    found = _feedback(lambda: {"prompts": coach(request).prompts(principle)})
    return {"prompts": [prompt.model_dump() for prompt in found["prompts"]]}


@router.get("/prompts/{prompt_id}/stories", summary="Stories ranked for a prompt")
def rank_for_prompt(
    request: Request, prompt_id: Annotated[str, Path(max_length=100)]
) -> dict[str, Any]:
    matches = _feedback(lambda: {"matches": coach(request).rank(prompt_id)})
    return {"prompt": prompt_id, "matches": [m.to_json() for m in matches["matches"]]}


@router.get("/simulations", summary="Work simulations")
def list_simulations(request: Request) -> dict[str, Any]:
    scenarios = coach(request).scenarios()
    return {"scenarios": [{"id": s.id, "title": s.title} for s in scenarios]}


@router.get("/simulations/{scenario_id}", summary="A work simulation")
def get_simulation(
    request: Request, scenario_id: Annotated[str, Path(max_length=100)]
) -> dict[str, Any]:
    scenario = _feedback(lambda: {"s": coach(request).scenario(scenario_id)})["s"]
    return {
        "id": scenario.id,
        "title": scenario.title,
        "situation": scenario.situation,
        "question": scenario.question,
        "options": [{"id": o.id, "text": o.text} for o in scenario.options],
    }


@router.post("/simulations/{scenario_id}/answers", summary="Answer a work simulation")
def answer_simulation(
    request: Request, scenario_id: Annotated[str, Path(max_length=100)], body: AnswerIn
) -> dict[str, Any]:
    """`choice` is one option id (a pick) or every option id, best first (a ranking)."""
    behavioral = coach(request)
    try:
        return behavioral.answer(scenario_id, body.choice).to_json()
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    except PracticeError as error:
        raise ApiError(422, str(error), code="invalid_choice") from None
