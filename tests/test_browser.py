"""A real headless Chromium drives the served app: type a solution, submit, see the verdict."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CORRECT = """def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
"""
WRONG = "def two_sum(nums, target):\n    return [1, 0] if target == 9 else [0, 0]\n"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("LOOPCOACH_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "Chromium is required for the browser tests but is not installed"
            )
        pytest.skip("Chromium is not installed (apt install chromium)")
    port = _free_port()
    environment = {
        **os.environ,
        "LOOPCOACH_DATA_DIR": str(tmp_path_factory.mktemp("browser-data")),
        "LOOPCOACH_JUDGE_WORKERS": "1",
    }
    log = tmp_path_factory.mktemp("browser-log") / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "loopcoach", "serve", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the server did not start: {log.read_text()}"
                    ) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _solve(browser: object, server: str, code: str, button: str) -> object:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/problems/two-sum")
    editor = page.locator(".cm-content")
    editor.wait_for()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text types without key events, so the editor's auto-indent leaves the
    # solution's own indentation alone.
    page.keyboard.insert_text(code)
    page.get_by_role("button", name=button).click()
    page.locator(".submission[data-status='finished']").wait_for(timeout=60_000)
    return page


def test_typing_a_correct_solution_and_submitting_is_accepted(
    browser: object, server: str
) -> None:
    page = _solve(browser, server, CORRECT, "Submit")
    result = page.locator(".submission")  # type: ignore[attr-defined]
    assert result.get_attribute("data-verdict") == "accepted"
    assert "accepted" in result.locator(".headline").inner_text()
    # The history panel refreshes with the new submission.
    page.locator("#history .verdict.accepted").first.wait_for()  # type: ignore[attr-defined]


def test_a_wrong_solution_shows_the_first_failing_visible_test(
    browser: object, server: str
) -> None:
    page = _solve(browser, server, WRONG, "Run examples")
    result = page.locator(".submission")  # type: ignore[attr-defined]
    assert result.get_attribute("data-verdict") == "wrong_answer"
    failing = result.locator("tr.test[data-verdict='wrong_answer']")
    assert failing.count() == 1
    row = failing.inner_text()
    assert "example-2" in row
    assert "hidden" not in row


def test_a_concurrent_story_edit_gets_the_conflict(
    browser: object, server: str
) -> None:
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{server}/api/v1/stories",
        data=json.dumps(
            {
                "title": "Shared story",
                "action": "I fixed the deploys.",
                "principles": ["ownership"],
            }
        ).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        story = json.load(response)
    first = browser.new_page()  # type: ignore[attr-defined]
    second = browser.new_page()  # type: ignore[attr-defined]
    for page in (first, second):
        page.goto(f"{server}/stories/{story['id']}")
    first.fill("input[name=title]", "Edited in the first tab")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(f"{server}/stories/{story['id']}")
    assert first.input_value("input[name=title]") == "Edited in the first tab"

    second.fill("input[name=title]", "Edited in the second tab")
    second.get_by_role("button", name="Save").click()
    conflict = second.locator("[data-conflict='true']")
    conflict.wait_for()
    assert "changed while you edited" in conflict.inner_text()
    assert "Edited in the first tab" in conflict.inner_text()
    # The second tab's edit is still there to merge, not lost.
    assert second.input_value("input[name=title]") == "Edited in the second tab"
