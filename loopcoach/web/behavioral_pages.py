"""Behavioral pages: the story bank and coverage, practice with feedback, simulations."""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from loopcoach.practice import PracticeError
from loopcoach.practice.behavioral import Behavioral, UnknownItem
from loopcoach.store.stories import PARTS, StaleStory, StoryDraft, StoryRecord
from loopcoach.web.errors import ApiError
from loopcoach.web.pages import render
from loopcoach.web.stories_api import StoryId, coach

router = APIRouter(include_in_schema=False)

MAX_FIELD = 50_000


def _principles(behavioral: Behavioral) -> list[dict[str, str]]:
    return [{"slug": p.slug, "name": p.name} for p in behavioral.track.principles]


def _stories_data(behavioral: Behavioral) -> dict[str, Any]:
    stories = behavioral.stories.list()
    return {
        "stories": [story.to_json() for story in stories],
        "coverage": behavioral.coverage().to_json(),
    }


@router.get("/stories.json")
def stories_json(request: Request) -> JSONResponse:
    return JSONResponse(_stories_data(coach(request)))


@router.get("/stories")
def stories_page(request: Request) -> Response:
    behavioral = coach(request)
    return render(request, "stories.html", _stories_data(behavioral))


@router.get("/stories/new")
def new_story_page(request: Request) -> Response:
    behavioral = coach(request)
    return render(
        request,
        "story.html",
        {
            "story": None,
            "form": {},
            "principles": _principles(behavioral),
            "feedback": None,
        },
    )


async def _draft(
    request: Request, behavioral: Behavioral
) -> tuple[StoryDraft, FormData]:
    form = await request.form()
    values = {
        name: str(form.get(name, ""))[:MAX_FIELD]
        for name in ("title", *PARTS, "text", "tags", "occurred_on")
    }
    try:
        occurred = (
            date.fromisoformat(values["occurred_on"]) if values["occurred_on"] else None
        )
    except ValueError:
        raise ApiError(
            422, "the date must look like 2024-03-15", code="invalid_request"
        ) from None
    draft = StoryDraft(
        title=values["title"].strip() or "Untitled story",
        text=values["text"],
        principles=tuple(str(p) for p in form.getlist("principles")),
        tags=tuple(t.strip() for t in values["tags"].split(",") if t.strip()),
        occurred_on=occurred,
        **{part: values[part] for part in PARTS},
    )
    try:
        draft = await run_in_threadpool(behavioral.complete, draft)
    except UnknownItem as error:
        raise ApiError(422, str(error), code="unknown_principle") from None
    return draft, form


@router.post("/stories")
async def create_story(request: Request) -> Response:
    behavioral = coach(request)
    draft, _ = await _draft(request, behavioral)
    story = await run_in_threadpool(behavioral.stories.create, draft)
    return RedirectResponse(f"/stories/{story.id}", status_code=303)


def _story(behavioral: Behavioral, story_id: int) -> StoryRecord:
    story = behavioral.stories.get(story_id)
    if story is None:
        raise ApiError(404, f"no story {story_id}")
    return story


@router.get("/stories/{story_id}.json")
def story_json(request: Request, story_id: StoryId) -> JSONResponse:
    story = _story(coach(request), story_id)
    return JSONResponse(story.to_json(), headers={"ETag": story.etag})


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: StoryId) -> Response:
    behavioral = coach(request)
    story = _story(behavioral, story_id)
    try:
        feedback = behavioral.story_feedback(story).to_json()
    except PracticeError:
        feedback = None
    return render(
        request,
        "story.html",
        {
            "story": story.to_json(),
            "form": story.to_json(),
            "original": story.to_json(),
            "principles": _principles(behavioral),
            "feedback": feedback,
        },
    )


@router.post("/stories/{story_id}")
async def save_story(request: Request, story_id: StoryId) -> Response:
    behavioral = coach(request)
    draft, form = await _draft(request, behavioral)
    version = _version(form)
    try:
        await run_in_threadpool(
            lambda: behavioral.stories.update(
                story_id, draft, expected_version=int(version)
            )
        )
    except KeyError:
        raise ApiError(404, f"no story {story_id}") from None
    except StaleStory as error:
        # Show both: what is saved now, and the edit that was not saved, so nothing is
        # lost and the candidate decides.
        current = error.current.to_json()
        merged, clashes = _merge(form, current)
        response: HTMLResponse = render(
            request,
            "story_conflict.html",
            {
                "current": current,
                "form": merged,
                "original": current,
                "clashes": clashes,
                "message": str(error),
                "principles": _principles(behavioral),
            },
        )
        response.status_code = 412
        response.headers["ETag"] = error.current.etag
        return response
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/delete")
async def delete_story(request: Request, story_id: StoryId) -> Response:
    behavioral = coach(request)
    form = await request.form()
    version = _version(form)
    try:
        deleted = await run_in_threadpool(
            lambda: behavioral.stories.delete(story_id, expected_version=version)
        )
    except StaleStory as error:
        raise ApiError(
            412,
            f"story {story_id} changed since you opened it; it was not deleted. "
            "Open it again to see the current version",
            headers={"ETag": error.current.etag},
        ) from None
    if not deleted:
        raise ApiError(404, f"no story {story_id}")
    return RedirectResponse("/stories", status_code=303)


def _merge(form: FormData, current: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge of a stale edit: a field the editor left as it was takes the saved
    value; a field they changed keeps their text. Returns the merge and the fields both
    sides changed."""
    merged: dict[str, Any] = {}
    clashes = []
    for name in ("title", *PARTS, "text", "occurred_on", "tags", "principles"):
        known = f"original_{name}" in form
        if name == "principles":
            mine: Any = sorted(str(p) for p in form.getlist("principles"))
            original: Any = sorted(
                p for p in str(form.get("original_principles", "")).split(",") if p
            )
            saved: Any = sorted(current["principles"])
        elif name == "tags":
            mine = str(form.get("tags", ""))
            original = str(form.get("original_tags", ""))
            saved = ", ".join(current["tags"])
        else:
            mine = str(form.get(name, ""))
            original = str(form.get(f"original_{name}", ""))
            saved = current[name] or ""
        if not known:
            # Without what the form started from, the editor's text is kept as it is.
            original = None
        merged[name] = saved if mine == original else mine
        if known and mine != original and saved != original and mine != saved:
            clashes.append(name)
    return merged, clashes


def _version(form: FormData) -> int:
    version = str(form.get("version", ""))
    if not re.fullmatch(r"[0-9]{1,9}", version, re.ASCII):
        raise ApiError(422, "the form lost the story's version; reload the page")
    return int(version)


def _practice_data(
    behavioral: Behavioral, principle: str | None, prompt: str | None
) -> dict[str, Any]:
    try:
        chosen = (
            behavioral.prompt(prompt)
            if prompt
            else behavioral.draw(principle or None, random.Random())
        )
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    except PracticeError as error:
        raise ApiError(422, str(error)) from None
    return {
        "prompt": chosen.model_dump(),
        "names": [behavioral.principle_name(p) for p in chosen.principles],
        "principles": _principles(behavioral),
        "weakest": behavioral.coverage().weakest,
        "chosen": principle,
    }


@router.get("/behavioral.json")
def behavioral_json(
    request: Request,
    principle: Annotated[str | None, Query(max_length=80)] = None,
    prompt: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    return JSONResponse(_practice_data(coach(request), principle, prompt))


@router.get("/behavioral")
def behavioral_page(
    request: Request,
    principle: Annotated[str | None, Query(max_length=80)] = None,
    prompt: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    return render(
        request, "behavioral.html", _practice_data(coach(request), principle, prompt)
    )


@router.post("/behavioral/feedback")
async def behavioral_feedback(request: Request) -> Response:
    behavioral = coach(request)
    form = await request.form()
    prompt_id = str(form.get("prompt", ""))[:100]
    text = str(form.get("answer", ""))[:200_000]
    seconds = str(form.get("seconds", ""))
    try:
        prompt = behavioral.prompt(prompt_id)
        feedback = await run_in_threadpool(behavioral.feedback, text, prompt_id)
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    except PracticeError as error:
        raise ApiError(503, str(error)) from None
    return render(
        request,
        "_feedback.html",
        {
            "feedback": feedback.to_json(),
            "follow_up": prompt.follow_ups[0],
            "seconds": int(seconds) if seconds.isdigit() else None,
        },
    )


@router.get("/simulations.json")
def simulations_json(request: Request) -> JSONResponse:
    scenarios = coach(request).scenarios()
    return JSONResponse(
        {"scenarios": [{"id": s.id, "title": s.title} for s in scenarios]}
    )


@router.get("/simulations")
def simulations_page(request: Request) -> Response:
    return render(
        request, "simulations.html", {"scenarios": coach(request).scenarios()}
    )


@router.get("/simulations/{scenario_id}.json")
def simulation_json(request: Request, scenario_id: str) -> JSONResponse:
    try:
        scenario = coach(request).scenario(scenario_id)
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    return JSONResponse(
        {
            "id": scenario.id,
            "title": scenario.title,
            "situation": scenario.situation,
            "question": scenario.question,
            "options": [{"id": o.id, "text": o.text} for o in scenario.options],
        }
    )


@router.get("/simulations/{scenario_id}")
def simulation_page(request: Request, scenario_id: str) -> Response:
    try:
        scenario = coach(request).scenario(scenario_id)
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    return render(request, "simulation.html", {"scenario": scenario})


@router.post("/simulations/{scenario_id}")
async def answer_simulation(request: Request, scenario_id: str) -> Response:
    form = await request.form()
    choice = [str(form.get("choice", ""))]
    try:
        result = coach(request).answer(scenario_id, choice)
    except UnknownItem as error:
        raise ApiError(404, str(error)) from None
    except PracticeError as error:
        raise ApiError(422, str(error), code="invalid_choice") from None
    return render(request, "_simulation_result.html", {"result": result.to_json()})
