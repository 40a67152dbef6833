"""The behavioral web app in-process: stories with ETag / If-Match, feedback, coverage,
prompts and simulations, and their pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from loopcoach.settings import Settings
from loopcoach.web import create_app
from tests.webclient import InProcessApp

STORY = {
    "title": "Latency",
    "principles": ["dive-deep"],
    "situation": "Checkout was slow during the sale.",
    "action": "I dug into the traces and I added a connection pool.",
    "result": "p99 latency fell from 900 ms to 210 ms.",
}


@pytest.fixture
def web(tmp_path: Path) -> Iterator[InProcessApp]:
    settings = replace(
        Settings.from_environment({"LOOPCOACH_DATA_DIR": str(tmp_path)}),
        cache_dir=Path("/tmp/loopcoach-test-cache"),
    )
    with InProcessApp(
        create_app(settings, start_workers=False), lifespan=False
    ) as client:
        yield client


def _create(web: InProcessApp, body: dict[str, Any] | None = None) -> Any:
    response = web.post("/api/v1/stories", json=body or STORY)
    assert response.status_code == 201, response.text
    return response


def test_a_story_round_trips_with_its_etag(web: InProcessApp) -> None:
    created = _create(web)
    etag = created.headers["etag"]
    assert created.headers["location"] == f"/api/v1/stories/{created.json()['id']}"
    fetched = web.get(created.headers["location"])
    assert fetched.headers["etag"] == etag
    assert fetched.json()["title"] == "Latency"


def test_an_edit_with_the_current_etag_is_saved(web: InProcessApp) -> None:
    created = _create(web)
    url = created.headers["location"]
    edited = web.request(
        "PUT",
        url,
        json={**STORY, "title": "Faster checkout"},
        headers={"if-match": created.headers["etag"]},
    )
    assert edited.status_code == 200
    assert edited.headers["etag"] != created.headers["etag"]
    assert edited.json()["version"] == 2


def test_a_stale_edit_gets_412_with_the_current_story(web: InProcessApp) -> None:
    created = _create(web)
    url, first_etag = created.headers["location"], created.headers["etag"]
    web.request(
        "PUT",
        url,
        json={**STORY, "title": "Saved first"},
        headers={"if-match": first_etag},
    )
    stale = web.request(
        "PUT",
        url,
        json={**STORY, "title": "Saved second"},
        headers={"if-match": first_etag},
    )
    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "stale_version"
    assert body["current"]["title"] == "Saved first"
    assert stale.headers["etag"] == f'"story-{body["current"]["id"]}-v2"'
    assert web.get(url).json()["title"] == "Saved first"


def test_an_edit_without_if_match_is_refused(web: InProcessApp) -> None:
    url = _create(web).headers["location"]
    response = web.request("PUT", url, json=STORY)
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"


def test_delete_needs_the_current_version(web: InProcessApp) -> None:
    created = _create(web)
    url, etag = created.headers["location"], created.headers["etag"]
    web.request("PUT", url, json=STORY, headers={"if-match": etag})
    assert web.request("DELETE", url, headers={"if-match": etag}).status_code == 412
    current = web.get(url).headers["etag"]
    assert web.request("DELETE", url, headers={"if-match": current}).status_code == 204
    assert web.get(url).status_code == 404


def test_free_text_is_split_into_star_parts(web: InProcessApp) -> None:
    text = (
        "At the time our builds were slow. My job was to speed them up. "
        "I decided to cache dependencies and I split the test suite. "
        "As a result, builds went from 40 minutes to 9 minutes."
    )
    story = _create(web, {"title": "Builds", "text": text}).json()
    assert story["result"].startswith("As a result")
    assert story["action"].startswith("I decided")


def test_unknown_principles_are_rejected(web: InProcessApp) -> None:
    response = web.post("/api/v1/stories", json={**STORY, "principles": ["speed"]})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_principle"


def test_feedback_coverage_prompts_and_ranking(web: InProcessApp) -> None:
    _create(web)
    feedback = web.post(
        "/api/v1/feedback", json={"text": "We did things.", "prompt": "ownership-1"}
    )
    assert feedback.status_code == 200
    assert "no-principle-evidence" in {p["id"] for p in feedback.json()["points"]}
    coverage = web.get("/api/v1/coverage").json()
    assert len(coverage["principles"]) == 16
    prompts = web.get("/api/v1/prompts?principle=dive-deep").json()["prompts"]
    assert len(prompts) >= 3
    ranked = web.get(f"/api/v1/prompts/{prompts[0]['id']}/stories").json()
    assert ranked["matches"][0]["title"] == "Latency"


def test_simulations_through_the_api(web: InProcessApp) -> None:
    scenarios = web.get("/api/v1/simulations").json()["scenarios"]
    assert len(scenarios) >= 10
    shown = web.get(f"/api/v1/simulations/{scenarios[0]['id']}").json()
    assert "rating" not in shown["options"][0]  # the ratings are the answer
    answer = web.post(
        f"/api/v1/simulations/{shown['id']}/answers",
        json={"choice": [shown["options"][0]["id"]]},
    ).json()
    assert 0 <= answer["score"] <= 1
    assert all(option["reading"] for option in answer["options"])
    bad = web.post(
        f"/api/v1/simulations/{shown['id']}/answers", json={"choice": ["nope"]}
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("method", "url", "options", "status"),
    [
        ("GET", "/api/v1/stories/424242", {}, 404),
        ("GET", "/api/v1/stories/0", {}, 422),
        ("POST", "/api/v1/stories", {"json": {"title": ""}}, 422),
        (
            "PUT",
            "/api/v1/stories/424242",
            {"json": STORY, "headers": {"if-match": "*"}},
            404,
        ),
        ("GET", "/api/v1/prompts/no-such-prompt/stories", {}, 404),
        ("GET", "/api/v1/simulations/no-such-scenario", {}, 404),
        ("POST", "/api/v1/feedback", {"json": {"text": 3}}, 422),
        ("GET", "/stories/424242.json", {}, 404),
    ],
)
def test_behavioral_errors_have_the_one_shape(
    web: InProcessApp, method: str, url: str, options: dict[str, Any], status: int
) -> None:
    response = web.request(method, url, **options)
    assert response.status_code == status, response.text
    body = response.json()
    assert {"type", "title", "status", "code", "detail"} <= set(body)


def test_story_pages_and_the_conflict_page(web: InProcessApp) -> None:
    created = web.post(
        "/stories",
        data={
            "title": "From the form",
            "action": "I wrote it.",
            "principles": ["ownership"],
        },
    )
    assert created.status_code == 303
    url = created.headers["location"]
    page = web.get(url)
    assert 'name="version" value="1"' in page.text
    assert "Feedback" in page.text

    saved = web.post(
        url, data={"title": "First save", "action": "I wrote it.", "version": "1"}
    )
    assert saved.status_code == 303
    conflict = web.post(
        url, data={"title": "My unsaved edit", "action": "Mine.", "version": "1"}
    )
    assert conflict.status_code == 412
    assert 'data-conflict="true"' in conflict.text
    assert "My unsaved edit" in conflict.text  # nothing typed is lost
    assert "First save" in conflict.text
    assert 'name="version" value="2"' in conflict.text

    listing = web.get("/stories")
    assert "First save" in listing.text
    assert web.get("/stories.json").json()["coverage"]["principles"]


def test_practice_page_and_feedback_fragment(web: InProcessApp) -> None:
    page = web.get("/behavioral?principle=ownership")
    match = re.search(r'data-prompt="([a-z0-9-]+)"', page.text)
    assert match
    fragment = web.post(
        "/behavioral/feedback",
        data={
            "prompt": match.group(1),
            "answer": "I took ownership of the flaky deploys. As a result failures fell 80%.",
            "seconds": "75",
        },
    )
    assert fragment.status_code == 200
    assert "Follow-up" in fragment.text
    assert "You took 1:15" in fragment.text


def test_simulation_pages(web: InProcessApp) -> None:
    listing = web.get("/simulations")
    first = re.search(r'href="/simulations/([a-z0-9-]+)"', listing.text)
    assert first
    page = web.get(f"/simulations/{first.group(1)}")
    option = re.search(r'name="choice" value="([a-z0-9-]+)"', page.text)
    assert option
    result = web.post(
        f"/simulations/{first.group(1)}", data={"choice": option.group(1)}
    )
    assert "rated" in result.text


def test_saving_over_a_conflict_keeps_the_other_edits(web: InProcessApp) -> None:
    created = web.post(
        "/stories",
        data={
            "title": "Shared",
            "task": "old task",
            "action": "old action",
            "principles": ["ownership"],
        },
    )
    url = created.headers["location"]
    original = {
        "original_title": "Shared",
        "original_task": "old task",
        "original_action": "old action",
        "original_situation": "",
        "original_result": "",
        "original_text": "",
        "original_occurred_on": "",
        "original_tags": "",
        "original_principles": "ownership",
    }
    first = {
        **original,
        "title": "Shared",
        "task": "new task from tab one",
        "action": "old action",
        "principles": ["ownership"],
        "version": "1",
    }
    assert web.post(url, data=first).status_code == 303
    second = {
        **original,
        "title": "Shared",
        "task": "old task",
        "action": "new action from tab two",
        "principles": ["ownership"],
        "version": "1",
    }
    conflict = web.post(url, data=second)
    assert conflict.status_code == 412
    assert "new task from tab one" in conflict.text.split("Your edit")[1]
    assert "new action from tab two" in conflict.text.split("Your edit")[1]
