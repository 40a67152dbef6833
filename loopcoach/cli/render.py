"""Rich rendering for the command line. Layout only: no decisions about the data."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.syntax import Syntax
from rich.table import Table

from loopcoach.catalog import Catalog, Problem, Track
from loopcoach.judge import Judge, Progress, Report
from loopcoach.practice.service import SampleCheck, output_diff
from loopcoach.practice.views import entry_forms, examples
from loopcoach.verdict import Verdict

if TYPE_CHECKING:
    from loopcoach.store import SubmissionRecord

STYLE = {
    Verdict.ACCEPTED: "bold green",
    Verdict.WRONG_ANSWER: "bold red",
    Verdict.TIME_LIMIT: "bold yellow",
    Verdict.MEMORY_LIMIT: "bold yellow",
    Verdict.RUNTIME_ERROR: "bold red",
    Verdict.COMPILE_ERROR: "bold red",
    Verdict.OUTPUT_LIMIT: "bold yellow",
    Verdict.INTERNAL_ERROR: "bold magenta",
}


def verdict(value: Verdict | None) -> str:
    if value is None:
        return "[dim]pending[/dim]"
    return f"[{STYLE[value]}]{value.value}[/]"


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def track(console: Console, chosen: Track, catalog: Catalog) -> None:
    console.print(
        Panel(f"[bold]{chosen.company} — {chosen.role}[/bold]\n\n{chosen.summary}")
    )

    stages = Table(title="Stages", show_lines=True, expand=True)
    stages.add_column("#", justify="right")
    stages.add_column("Stage", style="bold")
    stages.add_column("Length")
    stages.add_column("What happens", ratio=1)
    for number, stage in enumerate(chosen.stages, 1):
        rounds = f"{stage.rounds} rounds, " if stage.rounds > 1 else ""
        contains = (
            f"\n[dim]Contains: {', '.join(stage.contains)}[/dim]"
            if stage.contains
            else ""
        )
        stages.add_row(
            str(number),
            stage.name,
            f"{rounds}~{stage.minutes} min",
            _escape(stage.description) + contains,
        )
    console.print(stages)

    if chosen.principles:
        principles = Table(title=f"Principles ({len(chosen.principles)})", expand=True)
        principles.add_column("Principle", style="bold")
        principles.add_column("In short", ratio=1)
        for principle in chosen.principles:
            principles.add_row(principle.name, _escape(principle.summary))
        console.print(principles)

    if chosen.skills or chosen.topics:
        known = Table(title="Skills and topics", expand=True)
        known.add_column("", style="bold")
        known.add_column("What it covers", ratio=1)
        for skill in chosen.skills:
            known.add_row(skill.name, _escape(skill.description))
        for topic in chosen.topics:
            known.add_row(
                f"{topic.name} [dim]({topic.slug})[/dim]", _escape(topic.description)
            )
        console.print(known)

    if chosen.questions:
        questions = Table(title="Questions this loop is known for", expand=True)
        questions.add_column("Kind")
        questions.add_column("Question", ratio=1)
        questions.add_column("Practise with")
        for question in chosen.questions:
            practise = (
                f"loopcoach start {question.problem}"
                if question.problem and question.problem in catalog.problems
                else ""
            )
            questions.add_row(question.kind.value, _escape(question.text), practise)
        console.print(questions)

    for area in chosen.checklist:
        items = "\n".join(f"[ ] {_escape(item)}" for item in area.items)
        console.print(Panel(items, title=f"Checklist: {area.area}", title_align="left"))
    console.print("Next: [bold]loopcoach problems[/bold] lists the judged problems.")


def problem_table(console: Console, problems: list[Problem], solved: set[str]) -> None:
    table = Table(title="Problems")
    table.add_column("Slug", style="bold", no_wrap=True)
    table.add_column("Title")
    table.add_column("Difficulty")
    table.add_column("Topics")
    table.add_column("Solved", justify="center")
    for problem in problems:
        table.add_row(
            problem.slug,
            problem.meta.title,
            problem.meta.difficulty.value,
            ", ".join(problem.meta.topics),
            "[green]yes[/green]" if problem.slug in solved else "",
        )
    console.print(table)
    console.print(
        "Next: [bold]loopcoach show SLUG[/bold] or [bold]loopcoach start SLUG[/bold]."
    )


def problem(console: Console, chosen: Problem, judge: Judge) -> None:
    meta = chosen.meta
    console.print(
        f"[bold]{meta.title}[/bold]  [dim]{meta.difficulty.value} · "
        f"{', '.join(meta.topics)} · {meta.limits.time_ms} ms per test · "
        f"{meta.limits.memory_mb} MB[/dim]"
    )
    console.print(Markdown(chosen.statement))
    console.print(f"[dim]Write: {' or '.join(entry_forms(chosen))}[/dim]")
    for example in examples(chosen, judge):
        console.print(f"\n[bold]{example['name']}[/bold]")
        console.print(f"  input:    {_compact(example['input'])}", markup=False)
        console.print(f"  expected: {_compact(example['expected'])}", markup=False)
        if example["explanation"]:
            console.print(f"  {example['explanation']}", markup=False)
    if meta.follow_ups:
        console.print("\n[bold]Follow-ups[/bold]")
        for follow_up in meta.follow_ups:
            link = (
                f" [dim](loopcoach show {follow_up.problem})[/dim]"
                if follow_up.problem
                else ""
            )
            console.print(f"  • {_escape(follow_up.text)}{link}")
    console.print(f"\nNext: [bold]loopcoach start {chosen.slug}[/bold]")


def _compact(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


class TestProgress:
    """A progress bar over a submission's test cases, on stderr."""

    def __init__(self, console: Console, title: str) -> None:
        self._progress = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[current]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task(f"Judging {title}", total=None, current="")

    def __enter__(self) -> TestProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def update(self, event: Progress) -> None:
        if event.verdict is None:
            self._progress.update(self._task, total=event.total, current=event.name)
        else:
            self._progress.update(
                self._task, completed=event.index + 1, total=event.total
            )


def _tests_table(report: Report) -> Table:
    table = Table()
    table.add_column("Test")
    table.add_column("Verdict")
    table.add_column("Time", justify="right")
    table.add_column("Memory", justify="right")
    table.add_column("Message", overflow="fold")
    for test in report.tests:
        name = f"{test.name} [dim](hidden)[/dim]" if test.hidden else test.name
        table.add_row(
            name,
            verdict(test.verdict),
            f"{test.time_ms:.1f} ms",
            f"{test.memory_kb / 1024:.1f} MB",
            _escape(test.message),
        )
    return table


def _headline(report: Report) -> str:
    return (
        f"{verdict(report.verdict)}  {_escape(report.message)}  [dim]"
        f"{sum(t.verdict is Verdict.ACCEPTED for t in report.tests)}/{report.total} tests · "
        f"{report.time_ms:.0f} ms · {report.memory_kb / 1024:.1f} MB · "
        f"{report.isolation.value}[/dim]"
    )


def _first_failure(console: Console, report: Report) -> None:
    failed = next((t for t in report.tests if t.verdict is not Verdict.ACCEPTED), None)
    if failed is None or failed.hidden or failed.input is None:
        return
    console.print(
        f"\n[bold]{failed.name}[/bold] input: {_escape(_compact(failed.input))}"
    )
    if failed.verdict is Verdict.WRONG_ANSWER:
        lines = output_diff(_pretty(failed.expected), _pretty(failed.output))
        if lines:
            body = "\n".join(lines)
            console.print(
                Syntax(body, "diff", theme="ansi_dark", background_color="default")
            )


def _program_output(console: Console, report: Report) -> None:
    for name, text in (("stdout", report.stdout), ("stderr", report.stderr)):
        if text.strip():
            shown = text if len(text) < 4000 else text[:4000] + "\n..."
            console.print(
                Panel(shown, title=f"your program's {name}", title_align="left"),
                markup=False,
            )


def run_report(console: Console, report: Report) -> None:
    console.print(_tests_table(report))
    _first_failure(console, report)
    _program_output(console, report)
    console.print(_headline(report))
    if report.verdict is Verdict.ACCEPTED:
        console.print(
            f"Next: [bold]loopcoach submit {report.problem} FILE[/bold] "
            "runs the hidden tests too."
        )


def submit_report(console: Console, report: Report, submission_id: int) -> None:
    console.print(_tests_table(report))
    _first_failure(console, report)
    _program_output(console, report)
    console.print(_headline(report))
    console.print(
        f"[dim]Recorded as submission {submission_id} "
        f"(loopcoach history {submission_id}).[/dim]"
    )


def history_table(console: Console, records: list[SubmissionRecord]) -> None:
    table = Table(title="Submissions")
    table.add_column("#", justify="right")
    table.add_column("When")
    table.add_column("Problem", no_wrap=True)
    table.add_column("Verdict")
    table.add_column("Tests", justify="right")
    table.add_column("Time", justify="right")
    for record in records:
        table.add_row(
            str(record.id),
            record.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            record.problem,
            verdict(record.verdict),
            f"{record.tests_passed}/{record.tests_total}",
            f"{record.time_ms:.0f} ms",
        )
    console.print(table)


def submission(console: Console, record: SubmissionRecord) -> None:
    console.print(
        f"[bold]Submission {record.id}[/bold] to {record.problem}, "
        f"{record.created_at.astimezone():%Y-%m-%d %H:%M}: {verdict(record.verdict)} "
        f"{_escape(record.message)}"
    )
    console.print(Syntax(record.code, "python", line_numbers=True))
    for test in record.tests:
        hidden = " (hidden)" if test.hidden else ""
        console.print(
            f"  {test.name}{hidden}: {verdict(test.verdict)} {test.time_ms:.1f} ms "
            f"{_escape(test.message)}"
        )


def sample_line(console: Console) -> Callable[[SampleCheck], None]:
    def show(check: SampleCheck) -> None:
        mark = "[green]ok[/green]" if check.ok else "[red]MISMATCH[/red]"
        console.print(
            f"{mark} {check.problem}/{check.sample}: wants {check.wanted.value}, "
            f"got {verdict(check.got)} [dim]{check.time_ms:.0f} ms {_escape(check.message[:80])}[/dim]"
        )

    return show


def settings_table(console: Console, rows: list[dict[str, str]]) -> None:
    table = Table(title="Settings")
    for column in ("Setting", "Environment variable", "Value now", "Help"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["environment"], row["value"], row["help"])
    console.print(table)
