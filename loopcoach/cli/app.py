"""`loopcoach` commands. Each parses its arguments, calls the practice service, renders."""

from __future__ import annotations

import json
import logging
import socket
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from loopcoach.catalog import load_catalog
from loopcoach.cli import render
from loopcoach.errors import StoreError
from loopcoach.judge import Progress, SandboxUnavailable
from loopcoach.practice import Practice, PracticeError, starter_filename
from loopcoach.practice.service import decode_source
from loopcoach.practice.views import problem_detail, problem_summary
from loopcoach.settings import SETTINGS, Settings
from loopcoach.verdict import Verdict

EXIT_ACCEPTED = 0
EXIT_NOT_ACCEPTED = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="loopcoach",
    help=(
        "Practise a company's technical interview loop: judged coding problems, the loop's "
        "stages and principles, behavioral stories, and a history of your work.\n\n"
        "Start with **loopcoach guide**, pick a problem with **loopcoach problems**, then "
        "**loopcoach start two-sum**, edit the file, **loopcoach run** it on the examples "
        "and **loopcoach submit** it for a verdict. **loopcoach serve** opens the same in "
        "a browser."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object instead of tables.")
]
SlugArgument = Annotated[
    str, typer.Argument(help="The problem's slug, e.g. two-sum.", metavar="SLUG")
]
FileArgument = Annotated[
    Path,
    typer.Argument(
        help="Your solution, a Python file.", dir_okay=False, metavar="FILE"
    ),
]


def main() -> None:
    """Entry point of the `loopcoach` script."""
    app()


@app.callback()
def configure(
    context: typer.Context,
    content: Annotated[
        list[Path] | None,
        typer.Option(
            "--content",
            help=(
                "An extra content folder (tracks/ and problems/), loaded after the shipped "
                "content; repeat for more. See docs/content-format.md."
            ),
            file_okay=False,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what loopcoach does to stderr.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    context.obj = Practice(
        Settings.from_environment(), extra_content=tuple(content or ())
    )
    context.call_on_close(context.obj.close)


def _practice(context: typer.Context) -> Practice:
    practice = context.obj
    assert isinstance(practice, Practice)
    return practice


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err.print(f"[bold red]Error:[/bold red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _content_warnings(practice: Practice) -> None:
    errors = practice.catalog.errors
    if errors:
        err.print(
            f"[yellow]{len(errors)} content file(s) have errors and were skipped; "
            "run `loopcoach check-content` for details.[/yellow]"
        )


@app.command()
def guide(
    context: typer.Context,
    track: Annotated[
        str | None,
        typer.Argument(help="The track's slug; the only track when there is one."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a track: its stages, principles, skills, topics, known questions, checklist."""
    practice = _practice(context)
    catalog = practice.catalog
    if track is None:
        if len(catalog.tracks) != 1:
            names = ", ".join(sorted(catalog.tracks)) or "(none loaded)"
            _fail(f"name a track: loopcoach guide TRACK (tracks: {names})")
        track = next(iter(catalog.tracks))
    try:
        chosen = catalog.track(track)
    except KeyError as error:
        _fail(str(error.args[0]))
    if as_json:
        _print_json(chosen.model_dump(mode="json", by_alias=True))
        return
    _content_warnings(practice)
    render.track(out, chosen, catalog)


@app.command()
def problems(
    context: typer.Context,
    topic: Annotated[
        str | None, typer.Option(help="Only problems tagged with this topic slug.")
    ] = None,
    difficulty: Annotated[
        str | None,
        typer.Option(help="Only problems of this difficulty: easy, medium, hard."),
    ] = None,
    track: Annotated[
        str | None, typer.Option(help="Only problems of this track.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the judged problems, easiest first, with what you have solved."""
    practice = _practice(context)
    if difficulty is not None and difficulty not in ("easy", "medium", "hard"):
        _fail(f"--difficulty must be easy, medium or hard, not {difficulty!r}")
    chosen = practice.problems(topic=topic, difficulty=difficulty, track=track)
    solved = _solved(practice)
    if as_json:
        _print_json(
            {
                "problems": [
                    problem_summary(problem, problem.slug in solved)
                    for problem in chosen
                ]
            }
        )
        return
    _content_warnings(practice)
    if not chosen:
        known = sorted(
            {t for p in practice.catalog.problems.values() for t in p.meta.topics}
        )
        tracks = ", ".join(sorted(practice.catalog.tracks))
        _fail(
            f"no problem matches those filters; topics: {', '.join(known)}; "
            f"tracks: {tracks}",
            EXIT_NOT_ACCEPTED,
        )
    render.problem_table(out, chosen, solved)


def _solved(practice: Practice) -> set[str]:
    try:
        return practice.history.solved()
    except StoreError as error:
        err.print(f"[yellow]history unavailable: {error}[/yellow]")
        return set()


@app.command()
def show(
    context: typer.Context, slug: SlugArgument, as_json: JsonOption = False
) -> None:
    """Show a problem: statement, examples, limits and follow-ups."""
    practice = _practice(context)
    problem = _problem(practice, slug)
    if as_json:
        _print_json(problem_detail(problem, practice.judge))
        return
    render.problem(out, problem, practice.judge)


def _problem(practice: Practice, slug: str) -> Any:
    try:
        return practice.problem(slug)
    except PracticeError as error:
        _fail(str(error))


@app.command()
def start(
    context: typer.Context,
    slug: SlugArgument,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write; default: the slug as a .py file here.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the file if it exists.")
    ] = False,
) -> None:
    """Write the problem's starter code to a file, ready to edit."""
    practice = _practice(context)
    problem = _problem(practice, slug)
    target = output or Path(starter_filename(problem))
    if target.exists() and not force:
        _fail(
            f"{target} already exists; use --force to overwrite it or -o to pick another"
        )
    try:
        target.write_text(problem.starter, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror}", EXIT_NOT_ACCEPTED)
    out.print(f"Wrote {target}. Edit it, then:")
    out.print(f"  loopcoach run {slug} {target}      # the visible examples")
    out.print(f"  loopcoach submit {slug} {target}   # every test, for a verdict")


def _read_source(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(f"{path} does not exist; `loopcoach start SLUG` writes a starter file")
    except IsADirectoryError:
        _fail(f"{path} is a folder; give the solution's .py file")
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror}")
    return decode_source(data)


@app.command()
def run(
    context: typer.Context,
    slug: SlugArgument,
    file: FileArgument,
    as_json: JsonOption = False,
) -> None:
    """Run your solution on the visible examples only, showing what differed.

    Nothing is recorded. Exit status: 0 when every example passes, 1 otherwise,
    2 for a usage error.
    """
    practice = _practice(context)
    _problem(practice, slug)
    source = _read_source(file)
    report = _judged(lambda: practice.run(slug, source))
    if as_json:
        _print_json(report.to_json())
    else:
        render.run_report(out, report)
    raise typer.Exit(
        EXIT_ACCEPTED if report.verdict is Verdict.ACCEPTED else EXIT_NOT_ACCEPTED
    )


def _judged(action: Any) -> Any:
    try:
        return action()
    except SandboxUnavailable as error:
        _fail(f"the judge cannot start: {error}", EXIT_NOT_ACCEPTED)
    except StoreError as error:
        _fail(str(error), EXIT_NOT_ACCEPTED)


@app.command()
def submit(
    context: typer.Context,
    slug: SlugArgument,
    file: FileArgument,
    as_json: JsonOption = False,
) -> None:
    """Judge your solution on every test, hidden ones included, and record it.

    The run stops at the first failing test. A hidden test never shows its input or
    expected output. Your program's printed output is capped at 1 MiB per stream.

    Exit status: 0 when accepted, 1 for any other verdict, 2 for a usage error.
    With --json, exactly one JSON object is printed: problem, verdict, message, time_ms,
    memory_kb, tests (each name, verdict, time_ms, memory_kb, hidden, message), and the
    submission's id in history.
    """
    practice = _practice(context)
    problem = _problem(practice, slug)
    source = _read_source(file)
    # The store first: a verdict that cannot be recorded should not cost a judging.
    _judged(lambda: practice.history)
    if as_json:
        report, record = _judged(lambda: practice.submit(slug, source))
        _print_json({**report.to_json(), "submission": record.id})
    else:
        with render.TestProgress(err, problem.title) as progress:

            def step(event: Progress) -> None:
                progress.update(event)

            report, record = _judged(lambda: practice.submit(slug, source, step))
        render.submit_report(out, report, record.id)
    raise typer.Exit(
        EXIT_ACCEPTED if report.verdict is Verdict.ACCEPTED else EXIT_NOT_ACCEPTED
    )


@app.command()
def history(
    context: typer.Context,
    submission: Annotated[
        int | None,
        typer.Argument(help="Show one submission in full, with its code and tests."),
    ] = None,
    problem: Annotated[
        str | None,
        typer.Option("--problem", "-p", help="Only this problem's submissions."),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="How many to list, newest first.")
    ] = 20,
    as_json: JsonOption = False,
) -> None:
    """List your past submissions, newest first, or show one in full."""
    practice = _practice(context)
    try:
        if submission is not None:
            record = practice.history.get(submission)
            if record is None:
                _fail(f"no submission {submission}; `loopcoach history` lists them")
            if as_json:
                _print_json(record.to_json(with_code=True))
            else:
                render.submission(out, record)
            return
        records = practice.history.recent(problem=problem, limit=limit)
    except StoreError as error:
        _fail(str(error), EXIT_NOT_ACCEPTED)
    if as_json:
        _print_json({"submissions": [record.to_json() for record in records]})
        return
    if not records:
        out.print(
            "No submissions yet. `loopcoach submit SLUG FILE` judges and records one."
        )
        return
    render.history_table(out, records)


@app.command("check-content")
def check_content(
    context: typer.Context,
    folders: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Content folders to check with the shipped content; default: all loaded.",
            file_okay=False,
        ),
    ] = None,
    samples: Annotated[
        bool,
        typer.Option(
            "--samples",
            help="Also judge every sample submission against the verdict it declares.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate content files, reporting each mistake as path:line: field: message.

    Also builds every problem's test cases (running its generator and reference
    solution) and checks stated expected outputs against the reference. Exit status:
    0 when everything is valid, 1 when anything is not.
    """
    practice = _practice(context)
    if folders:
        practice = Practice(
            practice.settings,
            catalog=load_catalog([*practice.settings.content_dirs, *folders]),
        )
        context.call_on_close(practice.close)
    catalog = practice.catalog
    broken = _judged(lambda: practice.verify_problems())
    checks = []
    if samples:
        checks = _judged(
            lambda: practice.check_samples(
                None if as_json else render.sample_line(out), skip=set(broken)
            )
        )
    failed = [check for check in checks if not check.ok]
    if as_json:
        _print_json(
            {
                "errors": [str(error) for error in catalog.errors]
                + list(broken.values()),
                "tracks": sorted(catalog.tracks),
                "problems": sorted(catalog.problems),
                "samples": [
                    {
                        "problem": c.problem,
                        "sample": c.sample,
                        "wanted": c.wanted.value,
                        "got": c.got.value,
                        "ok": c.ok,
                    }
                    for c in checks
                ],
            }
        )
    else:
        for line in [*map(str, catalog.errors), *broken.values()]:
            out.print(line, markup=False, soft_wrap=True)
        out.print(
            f"{len(catalog.tracks)} tracks, {len(catalog.problems)} problems, "
            f"{len(catalog.errors) + len(broken)} errors"
            + (
                f", {len(checks) - len(failed)}/{len(checks)} samples as declared"
                if checks
                else ""
            )
        )
    if catalog.errors or broken or failed:
        raise typer.Exit(EXIT_NOT_ACCEPTED)


@app.command()
def serve(
    context: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Anything but loopback needs a working sandbox."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on.")
    ] = 8000,
) -> None:
    """Serve the web app: problems, an editor, live verdicts, history, and the REST API.

    Judging runs in worker processes (LOOPCOACH_JUDGE_WORKERS, one per core by default).
    The API's documentation is at /api/v1/docs. Ctrl-C stops the server.
    """
    import uvicorn

    from loopcoach.practice.workers import ServeLock, ServerBusy
    from loopcoach.web import create_app
    from loopcoach.web.serving import check_exposure, is_loopback

    practice = _practice(context)
    try:
        check_exposure(host)
        ServeLock(practice.settings.data_dir).release()
    except (SandboxUnavailable, ServerBusy) as error:
        _fail(str(error), EXIT_NOT_ACCEPTED)
    names = () if is_loopback(host) else (host, socket.gethostname(), socket.getfqdn())
    web = create_app(
        practice.settings, extra_content=practice.extra_content, allowed_hosts=names
    )
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        _fail(f"cannot listen on {host}:{port}: {error.strerror}; try another --port")
    shown = f"[{host}]" if ":" in host else host
    err.print(
        f"loopcoach is serving on [bold]http://{shown}:{listener.getsockname()[1]}/[/bold]"
        " — open it in a browser. Ctrl-C stops it."
    )
    config = uvicorn.Config(web, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


@app.command()
def settings(as_json: JsonOption = False) -> None:
    """Show every setting, the environment variable that sets it, and its value now."""
    current = Settings.from_environment()
    rows = [
        {
            "name": setting.name,
            "environment": setting.environment,
            "value": _setting_value(current, setting.name),
            "default": setting.default,
            "help": setting.help,
        }
        for setting in SETTINGS
    ]
    if as_json:
        _print_json({"settings": rows})
        return
    render.settings_table(out, rows)


def _setting_value(current: Settings, name: str) -> str:
    value = getattr(current, name)
    if isinstance(value, tuple):
        return ":".join(str(part) for part in value)
    return str(value)


from loopcoach.cli import behavioral as _behavioral  # noqa: E402

_behavioral.register(app)
