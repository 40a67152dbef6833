"""The command line through Typer's CliRunner: output, JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loopcoach.cli import app
from loopcoach.settings import SETTINGS

runner = CliRunner()

SUBMIT_KEYS = {"problem", "verdict", "message", "time_ms", "memory_kb", "tests"}
TEST_KEYS = {"name", "verdict", "time_ms", "memory_kb", "hidden", "message"}

WRONG = "def two_sum(nums, target):\n    return [0, 0]\n"


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def solution(tmp_path: Path) -> Path:
    from loopcoach.catalog import load_catalog

    path = tmp_path / "two_sum.py"
    path.write_text(load_catalog().problems["two-sum"].reference)
    return path


def test_every_command_has_help() -> None:
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"guide", "problems", "show", "start", "run", "submit", "history"} <= set(
        commands
    )
    for command in commands:
        code, output = _invoke(command.replace("_", "-"), "--help")
        assert code == 0, command
        assert "Usage" in output


def test_guide_shows_the_track() -> None:
    code, output = _invoke("guide")
    assert code == 0
    assert "Bar Raiser" in output
    assert "Customer Obsession" in output
    assert "Checklist" in output


def test_guide_json_lists_sixteen_principles() -> None:
    code, output = _invoke("guide", "amazon-backend-engineer", "--json")
    assert code == 0
    assert len(json.loads(output)["principles"]) == 16


def test_guide_for_an_unknown_track_is_a_usage_error() -> None:
    code, output = _invoke("guide", "google-sre")
    assert code == 2
    assert "Error:" in output


def test_problems_filters_by_topic_and_difficulty() -> None:
    code, output = _invoke("problems", "--difficulty", "easy", "--json")
    assert code == 0
    listed = json.loads(output)["problems"]
    assert listed and all(p["difficulty"] == "easy" for p in listed)
    assert "two-sum" in {p["slug"] for p in listed}

    code, output = _invoke("problems", "--topic", "linked-lists", "--json")
    listed = json.loads(output)["problems"]
    assert "copy-list-with-random-pointer" in {p["slug"] for p in listed}
    assert all("linked-lists" in p["topics"] for p in listed)
    assert "two-sum" not in {p["slug"] for p in listed}


def test_problems_rejects_an_unknown_difficulty() -> None:
    code, output = _invoke("problems", "--difficulty", "brutal")
    assert code == 2
    assert "--difficulty must be easy, medium or hard, not 'brutal'" in output


def test_show_prints_the_statement_and_examples() -> None:
    code, output = _invoke("show", "two-sum", "--json")
    assert code == 0
    shown = json.loads(output)
    assert shown["examples"] and all("expected" in e for e in shown["examples"])
    assert "two_sum" in shown["starter"]


def test_show_suggests_near_matches_for_a_typo() -> None:
    code, output = _invoke("show", "two-sun")
    assert code == 2
    assert "two-sum" in output


def test_start_writes_the_starter_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = _invoke("start", "two-sum")
    assert code == 0
    assert (tmp_path / "two_sum.py").read_text().startswith("def two_sum")

    code, output = _invoke("start", "two-sum")
    assert code == 2
    assert "already exists; use --force" in output


def test_run_shows_the_first_failing_example(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(WRONG)
    code, output = _invoke("run", "two-sum", str(wrong))
    assert code == 1
    assert "wrong_answer" in output
    assert "--- expected" in output and "+++ your output" in output


def test_run_accepts_a_correct_solution(solution: Path) -> None:
    code, output = _invoke("run", "two-sum", str(solution))
    assert code == 0
    assert "accepted" in output


def test_submit_json_prints_exactly_one_object(solution: Path) -> None:
    code, output = _invoke("submit", "two-sum", str(solution), "--json")
    assert code == 0
    report = json.loads(output)
    assert set(report) >= SUBMIT_KEYS
    assert report["verdict"] == "accepted"
    assert report["tests"] and all(set(test) == TEST_KEYS for test in report["tests"])
    assert any(test["hidden"] for test in report["tests"])


def test_submit_wrong_exits_one_and_is_recorded(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(WRONG)
    code, output = _invoke("submit", "two-sum", str(wrong), "--json")
    assert code == 1
    assert json.loads(output)["verdict"] == "wrong_answer"

    code, output = _invoke("history", "--json")
    submissions = json.loads(output)["submissions"]
    assert [s["verdict"] for s in submissions] == ["wrong_answer"]

    code, output = _invoke("history", str(submissions[0]["id"]), "--json")
    assert json.loads(output)["code"] == WRONG


def test_submit_shows_a_table_and_records(solution: Path) -> None:
    code, output = _invoke("submit", "two-sum", str(solution))
    assert code == 0
    assert "accepted" in output
    assert "Recorded as submission 1" in output
    code, output = _invoke("problems", "--json")
    solved = {p["slug"] for p in json.loads(output)["problems"] if p["solved"]}
    assert solved == {"two-sum"}


def test_submit_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, output = _invoke("submit", "two-sum", str(tmp_path / "nope.py"))
    assert code == 2
    assert "does not exist" in output


def test_submit_to_an_unknown_problem_is_a_usage_error(solution: Path) -> None:
    code, _output = _invoke("submit", "no-such-problem", str(solution))
    assert code == 2


def test_submit_of_undecodable_bytes_is_a_verdict(tmp_path: Path) -> None:
    path = tmp_path / "binary.py"
    path.write_bytes(b"\xff\xfe\x00def two_sum(nums, target):\n    return [0, 1]\n")
    code, output = _invoke("submit", "two-sum", str(path), "--json")
    assert code == 1
    assert json.loads(output)["verdict"] == "compile_error"


def test_history_when_empty() -> None:
    code, output = _invoke("history")
    assert code == 0
    assert "No submissions yet" in output


def test_check_content_reports_errors_with_exit_one(tmp_path: Path) -> None:
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "bad.yaml").write_text("slug: bad\ncompany: 3\n")
    code, output = _invoke("check-content", str(tmp_path))
    assert code == 1
    assert (
        f"{tmp_path / 'tracks' / 'bad.yaml'}:2: company: Input should be a valid string"
        in output
    )


def test_extra_content_folder_from_the_global_option(tmp_path: Path) -> None:
    _code, output = _invoke("--content", str(tmp_path / "missing"), "problems")
    assert "content file(s) have errors" in output


def test_settings_are_documented() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "settings.md").read_text()
    for setting in SETTINGS:
        assert setting.environment in docs
    _code, output = _invoke("settings", "--json")
    assert {row["environment"] for row in json.loads(output)["settings"]} == {
        setting.environment for setting in SETTINGS
    }


def test_check_content_runs_the_reference_against_stated_outputs(
    tmp_path: Path,
) -> None:
    import shutil

    from loopcoach.catalog.loader import SHIPPED_CONTENT

    folder = tmp_path / "problems" / "bad-expected"
    shutil.copytree(SHIPPED_CONTENT / "problems" / "two-sum", folder)
    meta = (folder / "problem.yaml").read_text()
    meta = meta.replace("slug: two-sum", "slug: bad-expected").replace(
        "tracks: [amazon-backend-engineer]", "tracks: []"
    )
    (folder / "problem.yaml").write_text(meta[: meta.index("follow_ups:")])
    tests = (
        (folder / "tests.yaml")
        .read_text()
        .replace("expected: [0, 1]", "expected: [0, 2]", 1)
    )
    (folder / "tests.yaml").write_text(tests)

    code, output = _invoke("check-content", str(tmp_path))
    assert code == 1
    assert (
        f"{folder}/tests.yaml: test example-1: the stated expected output disagrees "
        "with reference.py: [0, 2] points at values that sum to 13, not 9"
    ) in output
