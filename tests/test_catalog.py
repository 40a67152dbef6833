"""Content validation: every mistake names its file, line and field; the rest loads."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from loopcoach.catalog import load_catalog
from loopcoach.catalog.loader import SHIPPED_CONTENT

Edit = Callable[[Path], None]


def _replace(file: str, old: str, new: str) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / file
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    return edit


def _write(file: str, text: str) -> Edit:
    def edit(folder: Path) -> None:
        (folder / file).write_text(text)

    return edit


def _make_problem(root: Path, slug: str, edit: Edit | None = None) -> Path:
    """A copy of the shipped two-sum under another slug, standing alone."""
    folder = root / "problems" / slug
    shutil.copytree(SHIPPED_CONTENT / "problems" / "two-sum", folder)
    meta = (folder / "problem.yaml").read_text()
    meta = meta.replace("slug: two-sum", f"slug: {slug}")
    meta = meta.replace("tracks: [amazon-backend-engineer]", "tracks: []")
    (folder / "problem.yaml").write_text(meta[: meta.index("follow_ups:")])
    if edit is not None:
        edit(folder)
    return folder


CASES: list[tuple[str, Edit, str]] = [
    (
        "bad-difficulty",
        _replace("problem.yaml", "difficulty: easy", "difficulty: impossible"),
        "problem.yaml:3: difficulty: Input should be 'easy', 'medium' or 'hard'",
    ),
    (
        "bad-time",
        _replace("problem.yaml", "time_ms: 1000", "time_ms: 5"),
        "problem.yaml:13: limits.time_ms: Input should be greater than or equal to 10",
    ),
    (
        "unknown-field",
        lambda folder: (folder / "problem.yaml").write_text(
            (folder / "problem.yaml").read_text() + "colour: blue\n"
        ),
        "problem.yaml:15: colour: Extra inputs are not permitted",
    ),
    (
        "bad-yaml",
        _write("tests.yaml", "examples:\n  - name: a\n    args: [1, 2\n"),
        "tests.yaml:4: invalid YAML: ",
    ),
    (
        "example-without-args",
        _write("tests.yaml", "examples:\n  - name: a\n    expected: [0, 1]\n"),
        "tests.yaml:2: examples.0: a test case has exactly one of args or operations",
    ),
    (
        "no-reference",
        lambda folder: (folder / "reference.py").unlink(),
        "reference.py:1: required file is missing",
    ),
    (
        "reference-syntax",
        _write("reference.py", "def two_sum(nums, target):\n    return [\n"),
        "reference.py:2: syntax error: '[' was never closed",
    ),
    (
        "sample-without-verdict",
        _write(
            "submissions/accepted_hash_map.py",
            "def two_sum(a, b):\n    return [0, 1]\n",
        ),
        "submissions/accepted_hash_map.py:1: verdict: the first line must be "
        "'# verdict: <verdict>'",
    ),
]


@pytest.mark.parametrize(("slug", "edit", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_problem_is_reported_and_the_rest_loads(
    tmp_path: Path, slug: str, edit: Edit, message: str
) -> None:
    _make_problem(tmp_path, "fine")
    _make_problem(tmp_path, slug, edit)

    catalog = load_catalog([tmp_path], shipped=False)

    # libyaml and PyYAML word syntax errors differently; the place is what matters.
    exact = not message.endswith("invalid YAML: ")
    reported = [str(error) for error in catalog.errors]
    assert len(reported) == 1
    expected = f"{tmp_path / 'problems' / slug}/{message}"
    assert reported[0] == expected if exact else reported[0].startswith(expected)
    assert sorted(catalog.problems) == ["fine"]


def test_a_track_naming_a_missing_problem_is_reported_with_its_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "tracks").mkdir()
    track = tmp_path / "tracks" / "acme.yaml"
    track.write_text(
        "slug: acme\ncompany: Acme\nrole: Engineer\nsummary: A loop.\n"
        "stages:\n  - slug: s\n    name: S\n    kind: onsite\n    minutes: 60\n"
        "    description: One round.\n"
        "questions:\n  - text: Solve it.\n    kind: coding\n    problem: nowhere\n"
    )

    catalog = load_catalog([tmp_path], shipped=False)

    assert [str(error) for error in catalog.errors] == [
        f"{track}:14: questions.0.problem: no problem named 'nowhere'"
    ]


def test_a_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    catalog = load_catalog([missing])
    assert [str(error) for error in catalog.errors] == [
        f"{missing}:1: content folder does not exist"
    ]
    assert "two-sum" in catalog.problems


def test_a_user_folder_replaces_a_shipped_problem(tmp_path: Path) -> None:
    folder = _make_problem(tmp_path, "two-sum")
    _replace("problem.yaml", "title: Two Sum", "title: My Two Sum")(folder)
    catalog = load_catalog([tmp_path])
    assert catalog.errors == []
    assert catalog.problems["two-sum"].meta.title == "My Two Sum"


def test_the_track_has_what_the_loop_needs() -> None:
    track = load_catalog().tracks["amazon-backend-engineer"]
    assert len(track.principles) == 16
    assert "Have Backbone; Disagree and Commit" in {p.name for p in track.principles}
    kinds = [stage.kind.value for stage in track.stages]
    assert kinds == ["assessment", "phone-screen", "onsite", "bar-raiser"]
    topics = {topic.slug for topic in track.topics}
    assert {
        "rest-grpc-design",
        "indexing-and-transactions",
        "caching-and-queues",
        "consistency-and-cap",
        "idempotency",
    } <= topics
    assert len(track.skills) >= 5
    assert any(q.kind.value == "behavioral" for q in track.questions)
    assert {q.problem for q in track.questions if q.problem} >= {
        "two-sum",
        "lru-cache",
        "copy-list-with-random-pointer",
        "kv-store",
    }


def test_every_mistake_in_a_file_is_reported(tmp_path: Path) -> None:
    def edit(folder: Path) -> None:
        meta = (folder / "problem.yaml").read_text()
        meta = meta.replace("difficulty: easy", "difficulty: impossible")
        meta = meta.replace("time_ms: 1000", "time_ms: 5")
        (folder / "problem.yaml").write_text(meta)

    folder = _make_problem(tmp_path, "two-mistakes", edit)
    catalog = load_catalog([tmp_path], shipped=False)
    assert [str(error) for error in catalog.errors] == [
        f"{folder}/problem.yaml:3: difficulty: Input should be 'easy', 'medium' or 'hard'",
        f"{folder}/problem.yaml:13: limits.time_ms: Input should be greater than or equal to 10",
    ]


def test_a_key_given_twice_is_reported(tmp_path: Path) -> None:
    def edit(folder: Path) -> None:
        meta = (folder / "problem.yaml").read_text()
        (folder / "problem.yaml").write_text(meta + "difficulty: hard\n")

    folder = _make_problem(tmp_path, "twice", edit)
    catalog = load_catalog([tmp_path], shipped=False)
    assert [str(error) for error in catalog.errors] == [
        f"{folder}/problem.yaml:15: difficulty: appears twice in the same mapping"
    ]
