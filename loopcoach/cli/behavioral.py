"""Behavioral commands: the story bank, feedback, coverage, practice, work simulations."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from loopcoach.coach.analyser import Feedback
from loopcoach.practice import PracticeError
from loopcoach.practice.behavioral import Behavioral, story_markdown
from loopcoach.practice.service import Practice
from loopcoach.store.stories import PARTS, StaleStory, StoryDraft, StoryRecord

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

story_app = typer.Typer(
    help=(
        "Your STAR stories: add, edit (in $EDITOR), list, show, check for feedback, rank "
        "for a prompt, remove, export and import. Stories never leave this machine."
    ),
    no_args_is_help=True,
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON instead of tables.")
]
StoryId = Annotated[
    int,
    typer.Argument(
        help="The story's number (see `loopcoach story list`).", metavar="ID"
    ),
]


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]Error:[/bold red] {escape(message)}")
    raise typer.Exit(code)


def _coach(context: typer.Context) -> Behavioral:
    root = context.find_root()
    practice = root.obj
    assert isinstance(practice, Practice)
    return Behavioral(practice)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _story(coach: Behavioral, story_id: int) -> StoryRecord:
    story = coach.stories.get(story_id)
    if story is None:
        _fail(f"no story {story_id}; `loopcoach story list` shows your stories")
    return story


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--date must look like 2024-03-15, not {value!r}")


TEMPLATE = """# {title}

- principles: {principles}
- tags: {tags}
- occurred: {occurred}

## Situation

{situation}

## Task

{task}

## Action

{action}

## Result

{result}
"""


def _template(story: StoryRecord | StoryDraft) -> str:
    parts = {part: getattr(story, part) for part in PARTS}
    if not any(parts.values()) and story.text:
        parts["situation"] = story.text
    return TEMPLATE.format(
        title=story.title or "A title for the story",
        principles=", ".join(story.principles),
        tags=", ".join(story.tags),
        occurred=story.occurred_on.isoformat() if story.occurred_on else "",
        **parts,
    )


def _from_editor(coach: Behavioral, text: str) -> StoryDraft:
    from loopcoach.practice.behavioral import parse_markdown

    try:
        edited = click.edit(text, extension=".md", require_save=False)
    except (UnicodeDecodeError, OSError, click.ClickException) as error:
        _fail(
            f"the editor did not leave a readable story ({error}); nothing changed", 1
        )
    if edited is None:
        _fail("the editor closed without saving; nothing changed", 1)
    try:
        drafts = parse_markdown(edited)
        if len(drafts) != 1:
            raise PracticeError(
                "the edited file must hold exactly one story ('# Title')"
            )
    except PracticeError as error:
        kept = _keep_draft(coach, edited)
        _fail(f"cannot read the edited story: {error}; your text is kept in {kept}", 1)
    return drafts[0]


def _keep_draft(coach: Behavioral, text: str) -> Path:
    folder = coach.practice.settings.data_dir / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"story-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(text, encoding="utf-8")
    return path


@story_app.command("add")
def story_add(
    context: typer.Context,
    title: Annotated[
        str | None, typer.Option(help="A short name for the story.")
    ] = None,
    principle: Annotated[
        list[str] | None,
        typer.Option("--principle", "-p", help="A principle it shows; repeat."),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat.")
    ] = None,
    when: Annotated[
        str | None, typer.Option("--date", help="When it happened, YYYY-MM-DD.")
    ] = None,
    situation: Annotated[str, typer.Option(help="The situation.")] = "",
    task: Annotated[str, typer.Option(help="Your task.")] = "",
    action: Annotated[str, typer.Option(help="What you did.")] = "",
    result: Annotated[
        str, typer.Option(help="What came of it, ideally with numbers.")
    ] = "",
    text_file: Annotated[
        Path | None,
        typer.Option(
            "--text",
            help="A file with the whole story as free text ('-' reads "
            "stdin); the coach splits it into STAR parts.",
            dir_okay=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a story. With no text given, opens $EDITOR on a STAR template."""
    coach = _coach(context)
    draft = StoryDraft(
        title=title or "",
        situation=situation,
        task=task,
        action=action,
        result=result,
        principles=tuple(principle or ()),
        tags=tuple(tag or ()),
        occurred_on=_date(when),
    )
    if text_file is not None:
        text = sys.stdin.read() if str(text_file) == "-" else _read(text_file)
        draft = replace(draft, title=draft.title or _first_words(text), text=text)
    elif not draft.has_parts:
        draft = _from_editor(coach, _template(draft))
    try:
        draft = coach.complete(draft)
    except PracticeError as error:
        _fail(str(error))
    story = coach.stories.create(draft)
    if as_json:
        _print_json(story.to_json())
        return
    out.print(f"Added story {story.id}: {escape(story.title)}")
    out.print(f"  loopcoach story check {story.id}   # feedback on it")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror}")


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "") or "Untitled story"


@story_app.command("edit")
def story_edit(context: typer.Context, story_id: StoryId) -> None:
    """Edit a story in $EDITOR. If it changed meanwhile (say, in the web app), your edit
    is refused rather than overwriting the other one."""
    coach = _coach(context)
    story = _story(coach, story_id)
    draft = _from_editor(coach, _template(story))
    try:
        updated = coach.stories.update(
            story_id, coach.complete(draft), expected_version=story.version
        )
    except PracticeError as error:
        _fail(str(error))
    except StaleStory as error:
        _fail(str(error), 1)
    out.print(f"Saved story {updated.id} (version {updated.version}).")


@story_app.command("list")
def story_list(
    context: typer.Context,
    principle: Annotated[str | None, typer.Option("--principle", "-p")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t")] = None,
    as_json: JsonOption = False,
) -> None:
    """List your stories, optionally for one principle or tag."""
    coach = _coach(context)
    stories = coach.stories.list(principle=principle, tag=tag)
    if as_json:
        _print_json({"stories": [story.to_json() for story in stories]})
        return
    if not stories:
        out.print("No stories yet. `loopcoach story add` writes one.")
        return
    table = Table(title="Stories")
    for column in ("#", "Title", "Principles", "Tags", "When"):
        table.add_column(column)
    for story in stories:
        table.add_row(
            str(story.id),
            escape(story.title),
            escape(", ".join(story.principles)),
            escape(", ".join(story.tags)),
            story.occurred_on.isoformat() if story.occurred_on else "",
        )
    out.print(table)


@story_app.command("show")
def story_show(
    context: typer.Context, story_id: StoryId, as_json: JsonOption = False
) -> None:
    """Show one story."""
    story = _story(_coach(context), story_id)
    if as_json:
        _print_json(story.to_json())
        return
    out.print(escape(story_markdown(story)))
    out.print(f"[dim]version {story.version}[/dim]")


@story_app.command("check")
def story_check(
    context: typer.Context, story_id: StoryId, as_json: JsonOption = False
) -> None:
    """Feedback on a story: STAR parts, numbers, ownership, length, principles shown."""
    coach = _coach(context)
    feedback = _feedback(lambda: coach.story_feedback(_story(coach, story_id)))
    if as_json:
        _print_json(feedback.to_json())
        return
    render_feedback(feedback)


def _feedback(make: Any) -> Feedback:
    try:
        result: Feedback = make()
    except PracticeError as error:
        _fail(str(error), 1)
    return result


def render_feedback(feedback: Feedback) -> None:
    headline = "[bold green]A strong answer.[/bold green]" if feedback.strong else ""
    minutes = f"{feedback.speaking_seconds // 60}:{feedback.speaking_seconds % 60:02d}"
    out.print(f"{headline} {feedback.words} words, about {minutes} spoken.".strip())
    table = Table(show_header=True)
    table.add_column("Part")
    table.add_column("Share", justify="right")
    table.add_column("Aim", justify="right")
    for part, finding in feedback.parts.items():
        low, high = finding.expected
        share = f"{finding.share:.0%}" if finding.present else "[red]missing[/red]"
        table.add_row(part.value, share, f"{low:.0%}–{high:.0%}")
    out.print(table)
    for point in feedback.points:
        mark = "[green]✓[/green]" if point.ok else "[yellow]![/yellow]"
        out.print(f" {mark} {escape(point.text)}")
    if feedback.principles:
        shown = "; ".join(
            f"{slug} ({', '.join(found[:3])})"
            for slug, found in feedback.principles.items()
        )
        out.print(f"[dim]Evidence of principles: {escape(shown)}[/dim]")
    if feedback.improvements:
        out.print("\n[bold]Most useful improvements[/bold]")
        for number, advice in enumerate(feedback.improvements, 1):
            out.print(f" {number}. {escape(advice)}")


@story_app.command("rank")
def story_rank(
    context: typer.Context,
    prompt_id: Annotated[
        str, typer.Argument(help="A prompt id (see `loopcoach prompts`).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Your stories ranked by how well they answer a prompt."""
    coach = _coach(context)
    try:
        prompt = coach.prompt(prompt_id)
        matches = coach.rank(prompt_id)
    except PracticeError as error:
        _fail(str(error))
    if as_json:
        _print_json({"prompt": prompt.id, "matches": [m.to_json() for m in matches]})
        return
    out.print(f"[bold]{escape(prompt.question)}[/bold]")
    for match in matches[:10]:
        why = "; ".join(match.reasons) or "no clear link"
        out.print(
            f" {match.score:5.1f}  #{match.story.id} {escape(match.story.title)} "
            f"[dim]{escape(why)}[/dim]"
        )


@story_app.command("rm")
def story_rm(
    context: typer.Context,
    story_id: StoryId,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")
    ] = False,
) -> None:
    """Delete a story."""
    coach = _coach(context)
    story = _story(coach, story_id)
    if not yes and not typer.confirm(f"Delete story {story.id}, {story.title!r}?"):
        raise typer.Exit(1)
    try:
        coach.stories.delete(story.id, expected_version=story.version)
    except StaleStory as error:
        _fail(str(error), 1)
    out.print(f"Deleted story {story.id}.")


@story_app.command("export")
def story_export(
    context: typer.Context,
    format: Annotated[str, typer.Option(help="json or markdown.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False)
    ] = None,
) -> None:
    """Export every story as JSON or Markdown (stdout, or a file with -o)."""
    coach = _coach(context)
    if format not in ("json", "markdown"):
        _fail(f"--format must be json or markdown, not {format!r}")
    text = coach.export_json() if format == "json" else coach.export_markdown()
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"Wrote {len(coach.stories.list())} stories to {output}.")


@story_app.command("import")
def story_import(
    context: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A JSON or Markdown export.", dir_okay=False)
    ],
) -> None:
    """Add the stories of an export; your existing stories are kept."""
    coach = _coach(context)
    try:
        added = coach.import_stories(_read(file))
    except PracticeError as error:
        _fail(f"{file}: {error}; nothing was imported", 1)
    out.print(f"Imported {len(added)} stories.")


def coverage(context: typer.Context, as_json: JsonOption = False) -> None:
    """Principles against your stories: which have fewer than two, which stories are
    stretched across too many."""
    coach = _coach(context)
    found = coach.coverage()
    if as_json:
        _print_json(found.to_json())
        return
    table = Table(title=f"Coverage of {len(found.principles)} principles")
    table.add_column("Principle")
    table.add_column("Stories", justify="right")
    table.add_column("Which")
    for slug in found.principles:
        ids = found.matrix[slug]
        count = (
            f"[green]{len(ids)}[/green]" if len(ids) >= 2 else f"[red]{len(ids)}[/red]"
        )
        table.add_row(found.names[slug], count, ", ".join(f"#{i}" for i in ids))
    out.print(table)
    out.print(f"{len(found.thin)} principles have fewer than two stories.")
    if found.stretched:
        out.print(
            "Stretched across more than three principles: "
            + ", ".join(f"#{i}" for i in found.stretched)
        )
    if found.weakest:
        out.print(
            f"Next: [bold]loopcoach behavioral --principle {found.weakest}[/bold]"
        )


def prompts(
    context: typer.Context,
    principle: Annotated[str | None, typer.Option("--principle", "-p")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the behavioral prompts, optionally for one principle."""
    coach = _coach(context)
    try:
        found = coach.prompts(principle)
    except PracticeError as error:
        _fail(str(error))
    if as_json:
        _print_json({"prompts": [p.model_dump() for p in found]})
        return
    for prompt in found:
        out.print(
            f"[bold]{prompt.id}[/bold] [dim]({', '.join(prompt.principles)})[/dim]"
        )
        out.print(f"  {escape(prompt.question)}")


def behavioral(
    context: typer.Context,
    principle: Annotated[
        str | None,
        typer.Option(
            "--principle",
            "-p",
            help="Practise this principle; default: the one your stories cover least.",
        ),
    ] = None,
    answer: Annotated[
        Path | None,
        typer.Option(
            help="Read the answer from this file instead of typing it.", dir_okay=False
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Fix the prompt drawn.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Practise: draw a prompt, time your answer, get feedback, then a follow-up.

    Type the answer and end it with Ctrl-D on an empty line.
    """
    import random

    coach = _coach(context)
    try:
        prompt = coach.draw(principle, random.Random(seed))
    except PracticeError as error:
        _fail(str(error))
    names = ", ".join(coach.principle_name(p) for p in prompt.principles)
    if not as_json:
        out.print(
            f"[dim]{escape(names)}[/dim]\n[bold]{escape(prompt.question)}[/bold]\n"
        )
    started = time.monotonic()
    if answer is not None:
        text = _read(answer)
    else:
        if sys.stdin.isatty() and not as_json:
            out.print("[dim]Answer, then Ctrl-D on an empty line:[/dim]")
        text = sys.stdin.read()
    elapsed = round(time.monotonic() - started)
    feedback = _feedback(lambda: coach.feedback(text, prompt.id))
    follow_up = prompt.follow_ups[0]
    if as_json:
        _print_json(
            {
                "prompt": prompt.model_dump(),
                "answer_seconds": elapsed if answer is None else None,
                "feedback": feedback.to_json(),
                "follow_up": follow_up,
            }
        )
        return
    if answer is None:
        out.print(f"\n[dim]You took {elapsed // 60}:{elapsed % 60:02d}.[/dim]")
    render_feedback(feedback)
    out.print(f"\n[bold]Follow-up:[/bold] {escape(follow_up)}")


def simulate(
    context: typer.Context,
    scenario: Annotated[
        str | None, typer.Argument(help="A scenario id; none lists them.")
    ] = None,
    pick: Annotated[str | None, typer.Option(help="The option you choose.")] = None,
    rank: Annotated[
        str | None, typer.Option(help="Every option id, best first, comma-separated.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Work simulations: pick or rank what you would do, and learn how each choice reads."""
    coach = _coach(context)
    if scenario is None:
        found = coach.scenarios()
        if as_json:
            _print_json({"scenarios": [{"id": s.id, "title": s.title} for s in found]})
            return
        for item in found:
            out.print(f"[bold]{item.id}[/bold]  {escape(item.title)}")
        return
    try:
        chosen = coach.scenario(scenario)
    except PracticeError as error:
        _fail(str(error))
    if not as_json:
        out.print(f"[bold]{escape(chosen.title)}[/bold]\n{escape(chosen.situation)}\n")
        out.print(f"[bold]{escape(chosen.question)}[/bold]")
        for option in chosen.options:
            out.print(f"  [bold]{option.id}[/bold]  {escape(option.text)}")
    if pick is not None and rank is not None:
        _fail("give --pick or --rank, not both")
    if pick is None and rank is None:
        if not sys.stdin.isatty():
            _fail("give --pick ID or --rank ID,ID,... (or run it in a terminal)")
        pick = typer.prompt("Your choice (an option id)")
    choice = [pick] if pick else [part.strip() for part in (rank or "").split(",")]
    try:
        result = coach.answer(scenario, choice)
    except PracticeError as error:
        _fail(str(error))
    if as_json:
        _print_json(result.to_json())
        return
    out.print(f"\n[bold]{escape(result.summary)}[/bold]")
    for reading in sorted(result.options, key=lambda o: result.best.index(o.id)):
        mark = "→" if reading.id in result.chosen else " "
        weights = ", ".join(f"{k} {v:+d}" for k, v in reading.principles.items())
        out.print(
            f"{mark} [bold]{reading.id}[/bold] rated {reading.rating}/4 [dim]{weights}[/dim]"
        )
        out.print(f"    {escape(reading.reading)}")


def register(app: typer.Typer) -> None:
    app.add_typer(story_app, name="story")
    app.command()(coverage)
    app.command()(prompts)
    app.command()(behavioral)
    app.command()(simulate)
