"""The story bank: versions in the store (SQLite and PostgreSQL), the CLI, coverage,
ranking, practice, work simulations, export and import."""

from __future__ import annotations

import json
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loopcoach.cli import app
from loopcoach.store import Store
from loopcoach.store.stories import StaleStory, Stories, StoryDraft

runner = CliRunner()

STORY = """Last year I was on call for the payments API. Checkout was slow and customers gave up.
My job was to bring p99 latency under 300 ms. I dug into the traces, I found a missing
connection pool, and I wrote and rolled out the fix behind a flag.
As a result, p99 latency dropped from 900 ms to 210 ms and abandoned carts fell by 12%.
"""


def _invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stories(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stories]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'stories.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = Store(url)
    bank = Stories(store)
    yield bank
    for story in bank.list():
        bank.delete(story.id)
    store.close()


def test_an_edit_from_an_old_version_is_refused(stories: Stories) -> None:
    story = stories.create(
        StoryDraft("Outage", action="I fixed it", principles=("ownership",))
    )
    first = stories.update(story.id, StoryDraft("Outage, edited"), expected_version=1)
    assert first.version == 2
    with pytest.raises(StaleStory) as refused:
        stories.update(story.id, StoryDraft("A stale edit"), expected_version=1)
    assert refused.value.current.title == "Outage, edited"
    assert stories.get(story.id).title == "Outage, edited"  # type: ignore[union-attr]


def test_simultaneous_edits_from_one_version_let_exactly_one_win(
    stories: Stories,
) -> None:
    story = stories.create(StoryDraft("Race"))
    outcomes: list[str] = []
    lock = threading.Lock()

    def edit(number: int) -> None:
        try:
            stories.update(story.id, StoryDraft(f"edit {number}"), expected_version=1)
            result = "saved"
        except StaleStory:
            result = "stale"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved"] + ["stale"] * 7
    assert stories.get(story.id).version == 2  # type: ignore[union-attr]


def test_principles_and_tags_are_queryable(stories: Stories) -> None:
    one = stories.create(
        StoryDraft("One", principles=("ownership", "dive-deep"), tags=("oncall",))
    )
    stories.create(StoryDraft("Two", principles=("ownership",)))
    assert [s.title for s in stories.list(principle="dive-deep")] == ["One"]
    assert [s.id for s in stories.list(tag="oncall")] == [one.id]
    assert stories.count_by_principle() == {"ownership": 2, "dive-deep": 1}


def test_story_add_from_free_text_splits_it(tmp_path: Path) -> None:
    source = tmp_path / "story.txt"
    source.write_text(STORY)
    code, output = _invoke(
        "story", "add", "--title", "Latency", "-p", "dive-deep", "--text", str(source)
    )
    assert code == 0, output
    code, output = _invoke("story", "show", "1", "--json")
    shown = json.loads(output)
    assert shown["result"].startswith("As a result")
    assert shown["action"] and shown["situation"]
    code, output = _invoke("story", "check", "1", "--json")
    feedback = json.loads(output)
    assert feedback["star"]["action"]["present"]
    assert "12%" in feedback["measurable"]


def test_story_add_rejects_an_unknown_principle() -> None:
    code, output = _invoke(
        "story", "add", "--title", "x", "--action", "I did it", "-p", "speed"
    )
    assert code == 2
    assert "no principle 'speed'" in output


def _editor(tmp_path: Path, replacement: str) -> str:
    """A real editor program: it rewrites the title line of the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "lines = path.read_text().splitlines()\n"
        f"lines[0] = {('# ' + replacement)!r}\n"
        "lines = [l if not l.startswith('- principles:') else '- principles: ownership' "
        "for l in lines]\n"
        "path.write_text('\\n'.join(lines) + '\\n')\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{sys.executable} {script}"


def test_story_edit_goes_through_the_editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _invoke("story", "add", "--title", "Before", "--action", "I rewrote the job.")
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "After"))
    code, output = _invoke("story", "edit", "1")
    assert code == 0, output
    shown = json.loads(_invoke("story", "show", "1", "--json")[1])
    assert shown["title"] == "After"
    assert shown["principles"] == ["ownership"]
    assert shown["action"] == "I rewrote the job."
    assert shown["version"] == 2


def test_story_list_rm_and_coverage() -> None:
    _invoke("story", "add", "--title", "A", "--action", "I did A", "-p", "ownership")
    _invoke(
        "story",
        "add",
        "--title",
        "B",
        "--action",
        "I did B",
        "-p",
        "ownership",
        "-p",
        "dive-deep",
        "-p",
        "frugality",
        "-p",
        "think-big",
    )
    coverage = json.loads(_invoke("coverage", "--json")[1])
    by_slug = {row["slug"]: row for row in coverage["principles"]}
    assert by_slug["ownership"]["enough"] is True
    assert "dive-deep" in coverage["thin"]
    assert coverage["stretched"] == [2]
    assert len(coverage["principles"]) == 16

    code, _output = _invoke("story", "rm", "2", "--yes")
    assert code == 0
    listed = json.loads(_invoke("story", "list", "--json")[1])["stories"]
    assert [s["title"] for s in listed] == ["A"]


def test_export_and_import_round_trip(tmp_path: Path) -> None:
    _invoke(
        "story",
        "add",
        "--title",
        "Latency",
        "-p",
        "dive-deep",
        "-t",
        "oncall",
        "--date",
        "2024-03-15",
        "--situation",
        "Slow checkout.",
        "--action",
        "I added a pool.",
        "--result",
        "p99 fell by 70%.",
    )
    exports = []
    for fmt in ("json", "markdown"):
        exported = tmp_path / f"stories.{fmt}"
        code, _ = _invoke("story", "export", "--format", fmt, "-o", str(exported))
        assert code == 0
        exports.append(exported)
    for exported in exports:
        code, output = _invoke("story", "import", str(exported))
        assert code == 0, output
    listed = json.loads(_invoke("story", "list", "--json")[1])["stories"]
    assert len(listed) == 3
    keys = (
        "title",
        "situation",
        "task",
        "action",
        "result",
        "principles",
        "tags",
        "occurred_on",
    )
    first = {key: listed[0][key] for key in keys}
    assert all({key: s[key] for key in keys} == first for s in listed[1:])


def test_import_of_a_broken_file_imports_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"format": "loopcoach-stories", "stories": [{"title": "ok"}, {"x": 1}]}'
    )
    code, output = _invoke("story", "import", str(broken))
    assert code == 1
    assert "stories[1]: a story needs a title; nothing was imported" in " ".join(
        output.split()
    )
    assert json.loads(_invoke("story", "list", "--json")[1])["stories"] == []


def test_ranking_puts_the_fitting_story_first() -> None:
    _invoke("story", "add", "--title", "Team lunch", "--action", "I booked a table.")
    _invoke(
        "story",
        "add",
        "--title",
        "Latency",
        "-p",
        "dive-deep",
        "--action",
        "I dug into the traces and the metrics to find the root cause.",
    )
    ranked = json.loads(_invoke("story", "rank", "dive-deep-1", "--json")[1])
    assert ranked["matches"][0]["title"] == "Latency"
    assert ranked["matches"][0]["score"] > ranked["matches"][1]["score"]


def test_behavioral_practice_gives_feedback_and_a_follow_up(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(STORY)
    code, output = _invoke(
        "behavioral", "--principle", "dive-deep", "--answer", str(answer), "--json"
    )
    assert code == 0, output
    practised = json.loads(output)
    assert "dive-deep" in practised["prompt"]["principles"]
    assert practised["follow_up"] in practised["prompt"]["follow_ups"]
    assert practised["feedback"]["star"]["result"]["present"]


def test_behavioral_draws_the_weakest_principle_by_default() -> None:
    for slug in ("customer-obsession", "customer-obsession"):
        _invoke("story", "add", "--title", "x", "--action", "I did it", "-p", slug)
    practised = json.loads(
        _invoke("behavioral", "--seed", "3", "--json", input=STORY)[1]
    )
    # Every principle but customer-obsession has no story; the first of those is drawn.
    assert practised["prompt"]["principles"][0] == "ownership"


def test_simulation_pick_and_rank() -> None:
    listed = json.loads(_invoke("simulate", "--json")[1])["scenarios"]
    assert len(listed) >= 10
    scenario = listed[0]["id"]
    code, _output = _invoke("simulate", scenario, "--json", "--pick", "x-not-an-option")
    assert code == 2
    from loopcoach.catalog import load_catalog

    options = load_catalog().simulations["amazon-backend-engineer"].scenarios[0].options
    best = max(options, key=lambda o: o.rating)
    picked = json.loads(_invoke("simulate", scenario, "--json", "--pick", best.id)[1])
    assert picked["score"] == 1.0
    assert all(option["reading"] for option in picked["options"])
    worst_first = sorted(options, key=lambda o: o.rating)
    ranked = json.loads(
        _invoke(
            "simulate",
            scenario,
            "--json",
            "--rank",
            ",".join(o.id for o in worst_first),
        )[1]
    )
    assert ranked["score"] == 0.0
