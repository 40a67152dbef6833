"""The web app in-process: pages, JSON twins, the REST API, idempotency, rate limits,
the error shape, and recovery after a restart. Judging uses real worker processes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from loopcoach.judge import Isolation, SandboxUnavailable
from loopcoach.practice.ratelimit import RateLimiter
from loopcoach.settings import Settings
from loopcoach.store import Store
from loopcoach.store.models import SubmissionMode, SubmissionStatus
from loopcoach.store.queue import QueuedRequest, SubmissionQueue
from loopcoach.web import create_app
from loopcoach.web.serving import check_exposure
from tests.webclient import InProcessApp

CORRECT = """
def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
"""
WRONG = "def two_sum(nums, target):\n    return [0, 0]\n"
ERROR_KEYS = {"type", "title", "status", "code", "detail"}


def _settings(folder: Path) -> Settings:
    base = Settings.from_environment({"LOOPCOACH_DATA_DIR": str(folder)})
    cache = Path("/tmp/loopcoach-test-cache")
    return replace(base, cache_dir=cache, judge_workers=1)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessApp]:
    settings = _settings(tmp_path_factory.mktemp("web"))
    limiter = RateLimiter(capacity=1000, refill_per_second=100)
    with InProcessApp(create_app(settings, limiter=limiter)) as client:
        yield client


def _finished(body: dict[str, Any]) -> bool:
    return body["status"] == "finished"


def _submit(web: InProcessApp, code: str, mode: str = "submit", **headers: str) -> Any:
    return web.post(
        "/api/v1/submissions",
        json={"problem": "two-sum", "code": code, "mode": mode},
        headers=headers,
    )


def test_the_guide_page_shows_the_track(web: InProcessApp) -> None:
    page = web.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Bar Raiser" in page.text
    assert "Have Backbone; Disagree and Commit" in page.text
    twin = web.get("/tracks/amazon-backend-engineer.json").json()
    assert len(twin["principles"]) == 16


def test_the_problem_list_filters_and_has_a_json_twin(web: InProcessApp) -> None:
    page = web.get("/problems?difficulty=easy")
    assert page.status_code == 200
    assert "Two Sum" in page.text
    assert "LRU" not in page.text
    twin = web.get("/problems.json?difficulty=easy").json()
    api = web.get("/api/v1/problems?difficulty=easy").json()
    assert twin == api
    assert {p["difficulty"] for p in twin["problems"]} == {"easy"}

    searched = web.get("/problems.json?q=random").json()["problems"]
    assert [p["slug"] for p in searched] == ["copy-list-with-random-pointer"]
    topic = web.get("/problems.json?topic=two-pointers").json()["problems"]
    assert topic and all("two-pointers" in p["topics"] for p in topic)


def test_the_problem_page_has_statement_editor_and_history(web: InProcessApp) -> None:
    page = web.get("/problems/two-sum")
    assert page.status_code == 200
    assert 'data-editor="python"' in page.text
    assert "def two_sum" in page.text
    assert "/static/editor.js" in page.text
    assert 'hx-get="/problems/two-sum/history"' in page.text
    assert web.get("/static/editor.js").status_code == 200
    assert web.get("/static/htmx.min.js").status_code == 200
    twin = web.get("/problems/two-sum.json").json()
    assert twin == web.get("/api/v1/problems/two-sum").json()
    assert twin["examples"][0]["expected"] is not None


def test_an_accepted_submission_through_the_api(web: InProcessApp) -> None:
    created = _submit(web, CORRECT)
    assert created.status_code == 202
    assert created.headers["location"] == created.json()["url"]
    body = web.wait_for(created.json()["url"], _finished)
    assert body["verdict"] == "accepted"
    assert body["tests_passed"] == body["tests_total"] == len(body["tests"])
    assert any(test["hidden"] for test in body["tests"])


def test_a_wrong_submission_shows_the_first_failing_visible_test(
    web: InProcessApp,
) -> None:
    created = _submit(web, WRONG)
    body = web.wait_for(created.json()["url"], _finished)
    assert body["verdict"] == "wrong_answer"
    failed = body["tests"][-1]
    assert failed["verdict"] == "wrong_answer" and not failed["hidden"]
    assert failed["message"]


def test_run_judges_only_the_visible_examples(web: InProcessApp) -> None:
    created = _submit(web, CORRECT, mode="run")
    body = web.wait_for(created.json()["url"], _finished)
    assert body["verdict"] == "accepted"
    assert body["mode"] == "run"
    assert not any(test["hidden"] for test in body["tests"])
    history = web.get("/api/v1/submissions?problem=two-sum").json()["submissions"]
    assert body["id"] not in {s["id"] for s in history}


def test_the_form_post_returns_a_polling_fragment(web: InProcessApp) -> None:
    fragment = web.post(
        "/problems/two-sum/submissions",
        data={"code": CORRECT, "mode": "submit"},
        headers={"hx-request": "true"},
    )
    assert fragment.status_code == 200
    match = re.search(r'hx-get="/submissions/(\d+)" hx-trigger="every', fragment.text)
    assert match, fragment.text
    url = f"/submissions/{match.group(1)}"
    web.wait_for(url + ".json", _finished)
    final = web.get(url, headers={"hx-request": "true"})
    assert 'data-verdict="accepted"' in final.text
    assert 'hx-trigger="every' not in final.text
    assert final.headers["hx-trigger"] == "submission-finished"

    history = web.get("/problems/two-sum/history")
    assert f"?reopen={match.group(1)}" in history.text
    reopened = web.get(f"/problems/two-sum?reopen={match.group(1)}")
    assert "seen[x] = i" in reopened.text


def test_a_plain_form_post_redirects_to_the_submission(web: InProcessApp) -> None:
    response = web.post("/problems/two-sum/submissions", data={"code": WRONG})
    assert response.status_code == 303
    assert re.fullmatch(r"/submissions/\d+", response.headers["location"])


def test_history_page_and_twin(web: InProcessApp) -> None:
    _submit(web, WRONG)
    twin = web.get("/history.json").json()
    assert twin["submissions"]
    page = web.get("/history")
    assert str(twin["submissions"][0]["id"]) in page.text


def test_a_repeated_idempotency_key_returns_the_first_submission(
    web: InProcessApp,
) -> None:
    first = _submit(web, CORRECT, **{"idempotency-key": "retry-1"})
    again = _submit(web, CORRECT, **{"idempotency-key": "retry-1"})
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_rejected(web: InProcessApp) -> None:
    _submit(web, CORRECT, **{"idempotency-key": "retry-2"})
    other = _submit(web, WRONG, **{"idempotency-key": "retry-2"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_twenty_simultaneous_posts_with_one_key_judge_once(web: InProcessApp) -> None:
    before = len(web.get("/api/v1/submissions?limit=500").json()["submissions"])
    body = {"problem": "two-sum", "code": CORRECT + "# once\n"}
    responses = web.many(
        [
            (
                "POST",
                "/api/v1/submissions",
                {"json": body, "headers": {"idempotency-key": "burst"}},
            )
        ]
        * 20
    )
    assert {r.status_code for r in responses} <= {200, 202}
    assert [r.status_code for r in responses].count(202) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    after = len(web.get("/api/v1/submissions?limit=500").json()["submissions"])
    assert after == before + 1


ERROR_CASES = [
    ("GET", "/api/v1/problems/no-such-problem", {}, 404),
    ("GET", "/api/v1/submissions/999999", {}, 404),
    ("GET", "/api/v1/submissions/not-a-number", {}, 422),
    ("GET", "/api/v1/problems?difficulty=brutal", {}, 422),
    ("POST", "/api/v1/submissions", {"json": {"problem": "two-sum"}}, 422),
    (
        "POST",
        "/api/v1/submissions",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        422,
    ),
    ("POST", "/api/v1/submissions", {"json": {"problem": "nope", "code": "x"}}, 404),
    (
        "POST",
        "/api/v1/submissions",
        {"json": {"problem": "two-sum", "code": "x" * 70000}},
        422,
    ),
    (
        "POST",
        "/api/v1/submissions",
        {
            "json": {"problem": "two-sum", "code": "x"},
            "headers": {"idempotency-key": "has spaces in it"},
        },
        422,
    ),
    ("DELETE", "/api/v1/problems", {}, 405),
    ("GET", "/api/v1/nowhere", {}, 404),
    ("GET", "/problems/no-such-problem.json", {}, 404),
    ("GET", "/submissions/999999.json", {}, 404),
    ("GET", "/tracks/nope.json", {}, 404),
    ("POST", "/problems/two-sum/submissions", {"data": {"mode": "submit"}}, 422),
]


@pytest.mark.parametrize(("method", "url", "options", "status"), ERROR_CASES)
def test_every_error_has_one_shape(
    web: InProcessApp, method: str, url: str, options: dict[str, Any], status: int
) -> None:
    response = web.request(method, url, **options)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= ERROR_KEYS
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]


def test_browsers_get_errors_as_a_page(web: InProcessApp) -> None:
    response = web.get("/problems/no-such-problem", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert 'data-code="not_found"' in response.text


def test_the_openapi_document_describes_the_api(web: InProcessApp) -> None:
    document = web.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/problems",
        "/api/v1/problems/{slug}",
        "/api/v1/submissions",
        "/api/v1/submissions/{submission_id}",
    } <= set(document["paths"])
    post = document["paths"]["/api/v1/submissions"]["post"]
    assert any(p["name"] == "idempotency-key" for p in post["parameters"])


def test_submissions_are_rate_limited_per_client(tmp_path: Path) -> None:
    limiter = RateLimiter(capacity=2, refill_per_second=0.5)
    app = create_app(_settings(tmp_path), start_workers=False, limiter=limiter)
    body = {"problem": "two-sum", "code": WRONG}
    with InProcessApp(app, lifespan=False) as web:
        codes = [
            web.post("/api/v1/submissions", json=body).status_code for _ in range(3)
        ]
        limited = web.post("/api/v1/submissions", json=body)
        other_client = web.post("/api/v1/submissions", json=body, client="127.0.0.2")
    assert codes == [202, 202, 429]
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 2
    assert other_client.status_code == 202


def test_a_restart_loses_no_submission(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    queue = SubmissionQueue(Store(settings.database_url))
    queued, _ = queue.enqueue(QueuedRequest("two-sum", CORRECT, SubmissionMode.SUBMIT))
    interrupted, _ = queue.enqueue(
        QueuedRequest("two-sum", WRONG, SubmissionMode.SUBMIT)
    )
    stuck, _ = queue.enqueue(QueuedRequest("two-sum", CORRECT, SubmissionMode.SUBMIT))
    # As if a server died: one claimed once, one claimed twice already.
    assert (
        queue.claim() is not None and queue.claim() is not None
    )  # queued, interrupted
    queue.recover(max_attempts=99)  # both back to queued, attempts 1
    assert queue.claim() is not None  # queued: attempts 2 -> given up on restart
    assert queue.claim() is not None  # interrupted: attempts 2 as well
    queue.recover(max_attempts=99)
    first = queue.claim()
    assert first is not None and first.id == queued.id  # attempts 3, left running

    with InProcessApp(create_app(settings)) as web:
        results = {
            s.id: web.wait_for(f"/api/v1/submissions/{s.id}", _finished)
            for s in (queued, interrupted, stuck)
        }
    assert results[queued.id]["verdict"] == "internal_error"
    assert "server stopped while judging" in results[queued.id]["message"]
    assert results[interrupted.id]["verdict"] == "wrong_answer"
    assert results[stuck.id]["verdict"] == "accepted"
    assert queue.pending() == 0


def test_listening_beyond_loopback_needs_a_sandbox() -> None:
    assert check_exposure("127.0.0.1") is None
    assert check_exposure("::1") is None
    with pytest.raises(SandboxUnavailable, match="apt install bubblewrap"):
        check_exposure("0.0.0.0", detect=lambda: Isolation.RLIMITS)
    assert check_exposure("0.0.0.0", detect=lambda: Isolation.BUBBLEWRAP) is (
        Isolation.BUBBLEWRAP
    )


def test_queued_status_is_visible_before_a_worker_takes_it(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path), start_workers=False)
    with InProcessApp(app, lifespan=False) as web:
        created = _submit(web, CORRECT).json()
    assert created["status"] == SubmissionStatus.QUEUED.value
    assert created["verdict"] is None


def test_other_sites_cannot_write_or_read_by_another_name(web: InProcessApp) -> None:
    body = {"problem": "two-sum", "code": WRONG}
    foreign = web.post(
        "/api/v1/submissions", json=body, headers={"origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "cross_site"
    cross = web.post(
        "/problems/two-sum/submissions",
        data={"code": WRONG},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert cross.status_code == 403
    rebound = web.get("/history.json", headers={"host": "evil.example:8000"})
    assert rebound.status_code == 403
    same = web.post(
        "/api/v1/submissions", json=body, headers={"origin": "http://testserver"}
    )
    assert same.status_code == 202


def test_a_huge_body_is_refused(web: InProcessApp) -> None:
    response = web.post(
        "/api/v1/feedback",
        content=b'{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_replays_cost_no_rate_limit_tokens(tmp_path: Path) -> None:
    limiter = RateLimiter(capacity=1, refill_per_second=0.01)
    app = create_app(_settings(tmp_path), start_workers=False, limiter=limiter)
    body = {"problem": "two-sum", "code": WRONG}
    with InProcessApp(app, lifespan=False) as client:
        codes = [
            client.post(
                "/api/v1/submissions", json=body, headers={"idempotency-key": "k"}
            ).status_code
            for _ in range(5)
        ]
    assert codes == [202, 200, 200, 200, 200]
