"""Loading behavioral prompts, work simulations and the analyser's rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from loopcoach.catalog.behavioral import AnalyserRules, PromptSet, SimulationSet
from loopcoach.catalog.errors import ContentError
from loopcoach.catalog.yamlfile import load_yaml

if TYPE_CHECKING:
    from loopcoach.catalog.loader import Catalog

RULES_FILE = Path("coach") / "rules.yaml"
Model = TypeVar("Model", bound=BaseModel)


def load_behavioral(root: Path, catalog: Catalog) -> None:
    """Load `behavioral/*.yaml`, `simulations/*.yaml` and `coach/rules.yaml` under root."""
    for path, prompts in _each(root / "behavioral", PromptSet, catalog):
        catalog.prompts[prompts.track] = prompts
        catalog.content_files[f"behavioral:{prompts.track}"] = path
    for path, simulations in _each(root / "simulations", SimulationSet, catalog):
        catalog.simulations[simulations.track] = simulations
        catalog.content_files[f"simulations:{simulations.track}"] = path
    rules_path = root / RULES_FILE
    for path, rules in _each(
        rules_path.parent, AnalyserRules, catalog, rules_path.name
    ):
        catalog.rules = rules
        catalog.content_files["rules"] = path


def _each(
    folder: Path, model: type[Model], catalog: Catalog, pattern: str = "*.yaml"
) -> Iterator[tuple[Path, Model]]:
    """The valid files of a folder; the mistakes of the others go to the catalog."""
    from loopcoach.catalog.loader import validate

    for path in sorted(folder.glob(pattern)):
        try:
            yield path, validate(load_yaml(path), model)
        except ContentError as error:
            catalog.errors.extend(error.all())


def check_behavioral(catalog: Catalog) -> None:
    """Every track and principle a prompt or scenario names must exist."""
    for track_slug, prompts in list(catalog.prompts.items()):
        path = catalog.content_files[f"behavioral:{track_slug}"]
        track = catalog.tracks.get(track_slug)
        if track is None:
            _report(catalog, path, ("track",), f"unknown track {track_slug!r}")
            del catalog.prompts[track_slug]
            continue
        principles = {principle.slug for principle in track.principles}
        seen: set[str] = set()
        for index, prompt in enumerate(prompts.prompts):
            if prompt.id in seen:
                _report(
                    catalog,
                    path,
                    ("prompts", index, "id"),
                    f"duplicate id {prompt.id!r}",
                )
            seen.add(prompt.id)
            for position, slug in enumerate(prompt.principles):
                if slug not in principles:
                    _report(
                        catalog,
                        path,
                        ("prompts", index, "principles", position),
                        f"track {track_slug!r} has no principle {slug!r}",
                    )

    for track_slug, simulations in list(catalog.simulations.items()):
        path = catalog.content_files[f"simulations:{track_slug}"]
        track = catalog.tracks.get(track_slug)
        if track is None:
            _report(catalog, path, ("track",), f"unknown track {track_slug!r}")
            del catalog.simulations[track_slug]
            continue
        principles = {principle.slug for principle in track.principles}
        for index, scenario in enumerate(simulations.scenarios):
            for number, option in enumerate(scenario.options):
                for slug in option.principles:
                    if slug not in principles:
                        _report(
                            catalog,
                            path,
                            ("scenarios", index, "options", number, "principles", slug),
                            f"track {track_slug!r} has no principle {slug!r}",
                        )


def _report(
    catalog: Catalog, path: Path, location: tuple[int | str, ...], message: str
) -> None:
    document = load_yaml(path)
    field_name = ".".join(str(step) for step in location)
    catalog.errors.append(
        ContentError(path, document.line_of(location), field_name, message)
    )
