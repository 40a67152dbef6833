"""Load content folders into validated tracks and problems.

A bad file never stops the rest from loading: every problem is collected as a
`ContentError` naming the file, line and field, and the catalog carries them.
"""

from __future__ import annotations

import ast
import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from loopcoach.catalog.behavioral import AnalyserRules, PromptSet, SimulationSet
from loopcoach.catalog.errors import ContentError
from loopcoach.catalog.models import (
    Adapter,
    CheckerName,
    Principle,
    Problem,
    ProblemKind,
    ProblemMeta,
    SampleSubmission,
    Skill,
    Stage,
    TestsFile,
    Topic,
    Track,
)
from loopcoach.catalog.yamlfile import LocatedDocument, load_yaml
from loopcoach.verdict import Verdict

logger = logging.getLogger(__name__)

SHIPPED_CONTENT = Path(__file__).resolve().parent.parent / "content"
REQUIRED_PROBLEM_FILES = (
    "problem.yaml",
    "statement.md",
    "starter.py",
    "reference.py",
    "tests.yaml",
)
Model = TypeVar("Model", bound=BaseModel)


@dataclass
class Catalog:
    """Everything that loaded, and every problem found on the way."""

    tracks: dict[str, Track] = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    track_files: dict[str, Path] = field(default_factory=dict)
    prompts: dict[str, PromptSet] = field(default_factory=dict)
    simulations: dict[str, SimulationSet] = field(default_factory=dict)
    rules: AnalyserRules | None = None
    content_files: dict[str, Path] = field(default_factory=dict)

    def problem(self, slug: str) -> Problem:
        """Return a problem by slug.

        Raises:
            KeyError: no such problem; the message lists near matches.
        """
        try:
            return self.problems[slug]
        except KeyError:
            raise KeyError(_unknown("problem", slug, self.problems)) from None

    def track(self, slug: str) -> Track:
        """Return a track by slug.

        Raises:
            KeyError: no such track.
        """
        try:
            return self.tracks[slug]
        except KeyError:
            raise KeyError(_unknown("track", slug, self.tracks)) from None


def _unknown(kind: str, slug: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = [name for name in names if slug in name or name in slug]
    hint = close or names
    return f"no {kind} named {slug!r}; known: {', '.join(hint) or 'none'}"


def load_catalog(extra_dirs: Sequence[Path] = (), *, shipped: bool = True) -> Catalog:
    """Load the shipped content, then each extra folder in order (later wins)."""
    catalog = Catalog()
    roots = ([SHIPPED_CONTENT] if shipped else []) + [Path(d) for d in extra_dirs]
    for root in roots:
        if not root.is_dir():
            catalog.errors.append(
                ContentError(root, 1, "", "content folder does not exist")
            )
            continue
        _load_root(root, catalog)

    _check_references(catalog)
    logger.info(
        "loaded %d tracks and %d problems (%d content errors)",
        len(catalog.tracks),
        len(catalog.problems),
        len(catalog.errors),
    )
    return catalog


def _load_root(root: Path, catalog: Catalog) -> None:
    for path in sorted((root / "tracks").glob("*.yaml")):
        try:
            track = load_track(path)
        except ContentError as error:
            catalog.errors.extend(error.all())
            continue
        catalog.tracks[track.slug] = track
        catalog.track_files[track.slug] = path

    for folder in sorted((root / "problems").glob("*")):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        try:
            problem = load_problem(folder)
        except ContentError as error:
            catalog.errors.extend(error.all())
            continue
        catalog.problems[problem.slug] = problem

    load_behavioral(root, catalog)


def validate(document: LocatedDocument, model: type[Model]) -> Model:
    """A document as `model`, or every mistake in it as located ContentErrors.

    Raises:
        ContentError: the first mistake, with the others in `others`.
    """
    if not isinstance(document.data, dict):
        raise ContentError(document.path, 1, "", "expected a mapping of fields")
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        found = [_located(document, item) for item in error.errors()]
        first, *others = found
        raise ContentError(
            first.path, first.line, first.field, first.message, tuple(others)
        ) from None


def _located(document: LocatedDocument, item: Any) -> ContentError:
    location = tuple(item["loc"])
    field_name = ".".join(str(step) for step in location)
    message = str(item["msg"]).removeprefix("Value error, ")
    return ContentError(document.path, document.line_of(location), field_name, message)


def load_track(path: Path) -> Track:
    """Load and validate one track file.

    Raises:
        ContentError: the file is malformed.
    """
    document = load_yaml(path)
    track = validate(document, Track)
    for location, message in _track_problems(track, path):
        raise ContentError(path, document.line_of(location), _dotted(location), message)
    return track


def _dotted(location: tuple[int | str, ...]) -> str:
    return ".".join(str(step) for step in location)


def _track_problems(
    track: Track, path: Path
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if track.slug != path.stem:
        yield ("slug",), f"must match the file name {path.stem!r}"
    named: tuple[tuple[str, Sequence[Stage | Principle | Skill | Topic]], ...] = (
        ("stages", track.stages),
        ("principles", track.principles),
        ("skills", track.skills),
        ("topics", track.topics),
    )
    for name, items in named:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.slug in seen:
                yield (name, index, "slug"), f"duplicate slug {item.slug!r}"
            seen.add(item.slug)

    topics = {topic.slug for topic in track.topics}
    principles = {principle.slug for principle in track.principles}
    for index, question in enumerate(track.questions):
        for position, slug in enumerate(question.topics):
            if slug not in topics:
                yield (
                    ("questions", index, "topics", position),
                    f"unknown topic {slug!r}; declare it under topics",
                )
        for position, slug in enumerate(question.principles):
            if slug not in principles:
                yield (
                    ("questions", index, "principles", position),
                    f"unknown principle {slug!r}; declare it under principles",
                )


def load_problem(folder: Path) -> Problem:
    """Load and validate one problem folder.

    Raises:
        ContentError: a file is missing or malformed.
    """
    for name in REQUIRED_PROBLEM_FILES:
        if not (folder / name).is_file():
            raise ContentError(folder / name, 1, "", "required file is missing")

    meta_document = load_yaml(folder / "problem.yaml")
    meta = validate(meta_document, ProblemMeta)
    for location, message in _meta_problems(meta, folder):
        raise ContentError(
            meta_document.path,
            meta_document.line_of(location),
            _dotted(location),
            message,
        )

    tests_document = load_yaml(folder / "tests.yaml")
    tests = validate(tests_document, TestsFile)
    generator_path = folder / "generator.py"
    generator = _read_text(generator_path) if generator_path.is_file() else None
    for location, message in _tests_problems(meta, tests, generator):
        raise ContentError(
            tests_document.path,
            tests_document.line_of(location),
            _dotted(location),
            message,
        )

    reference = _read_text(folder / "reference.py")
    _check_python(folder / "reference.py", reference)
    if generator is not None:
        _check_python(folder / "generator.py", generator)

    return Problem(
        meta=meta,
        folder=folder,
        statement=_read_text(folder / "statement.md"),
        starter=_read_text(folder / "starter.py"),
        reference=reference,
        tests=tests,
        generator=generator,
        samples=_load_samples(folder / "submissions"),
        fingerprint=_fingerprint(folder),
    )


def _meta_problems(
    meta: ProblemMeta, folder: Path
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if meta.slug != folder.name:
        yield ("slug",), f"must match the folder name {folder.name!r}"
    if meta.kind is ProblemKind.FUNCTION:
        if not (meta.entry.function or meta.entry.method):
            yield ("entry",), "a function problem names a function or a method"
        if meta.checker is CheckerName.OPERATIONS:
            yield ("checker",), "operations is the checker for kind design only"
    else:
        if not meta.entry.class_name:
            yield ("entry",), "a design problem names its class"
        if meta.checker is not CheckerName.OPERATIONS:
            yield ("checker",), "a design problem is checked by operations"
    if (meta.checker is CheckerName.DEEP_COPY) != (meta.adapter is Adapter.RANDOM_LIST):
        yield ("checker",), "deep-copy and adapter random-list go together"


def _tests_problems(
    meta: ProblemMeta, tests: TestsFile, generator: str | None
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    names: set[str] = set()
    for group in ("examples", "hidden"):
        for index, case in enumerate(getattr(tests, group)):
            if case.name in names:
                yield (group, index, "name"), f"duplicate test name {case.name!r}"
            names.add(case.name)
            if meta.kind is ProblemKind.FUNCTION and case.args is None:
                yield (group, index), "a function problem's case has args"
            if meta.kind is ProblemKind.DESIGN:
                if case.operations is None:
                    yield (group, index), "a design problem's case has operations"
                elif case.operations[0][0] != meta.entry.class_name:
                    yield (
                        (group, index, "operations", 0),
                        f"the first operation constructs {meta.entry.class_name}",
                    )

    defined = _function_names(generator) if generator is not None else set()
    for index, spec in enumerate(tests.generated):
        if generator is None:
            yield ("generated", index), "generated cases need generator.py"
        elif spec.function not in defined:
            yield (
                ("generated", index, "function"),
                f"generator.py defines no function {spec.function!r}",
            )


def _function_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _check_python(path: Path, source: str) -> None:
    try:
        ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise ContentError(
            path, error.lineno or 1, "", f"syntax error: {error.msg}"
        ) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, 1, "", "required file is missing") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(path, 1, "", f"cannot read file: {error}") from error


def _load_samples(folder: Path) -> list[SampleSubmission]:
    samples = []
    for path in sorted(folder.glob("*.py")):
        source = _read_text(path)
        first_line = source.split("\n", 1)[0].strip()
        marker = "# verdict:"
        if not first_line.startswith(marker):
            raise ContentError(
                path, 1, "verdict", "the first line must be '# verdict: <verdict>'"
            )
        word = first_line.removeprefix(marker).strip()
        try:
            verdict = Verdict(word)
        except ValueError:
            allowed = ", ".join(v.value for v in Verdict)
            raise ContentError(
                path, 1, "verdict", f"unknown verdict {word!r}; one of {allowed}"
            ) from None
        samples.append(
            SampleSubmission(name=path.stem, path=path, verdict=verdict, source=source)
        )
    return samples


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _check_references(catalog: Catalog) -> None:
    check_behavioral(catalog)
    for problem in catalog.problems.values():
        for index, track_slug in enumerate(problem.meta.tracks):
            track = catalog.tracks.get(track_slug)
            if track is None:
                document = load_yaml(problem.folder / "problem.yaml")
                catalog.errors.append(
                    ContentError(
                        document.path,
                        document.line_of(("tracks", index)),
                        f"tracks.{index}",
                        f"unknown track {track_slug!r}",
                    )
                )
                continue
            topics = {topic.slug for topic in track.topics}
            for position, topic in enumerate(problem.meta.topics):
                if topic not in topics:
                    document = load_yaml(problem.folder / "problem.yaml")
                    catalog.errors.append(
                        ContentError(
                            document.path,
                            document.line_of(("topics", position)),
                            f"topics.{position}",
                            f"track {track_slug!r} has no topic {topic!r}",
                        )
                    )

    for track in catalog.tracks.values():
        for index, question in enumerate(track.questions):
            if question.problem and question.problem not in catalog.problems:
                document = load_yaml(catalog.track_files[track.slug])
                location = ("questions", index, "problem")
                catalog.errors.append(
                    ContentError(
                        document.path,
                        document.line_of(location),
                        _dotted(location),
                        f"no problem named {question.problem!r}",
                    )
                )


# Imported last: the behavioral loader uses `validate` from this module.
from loopcoach.catalog.behavioral_loader import check_behavioral, load_behavioral  # noqa: E402
