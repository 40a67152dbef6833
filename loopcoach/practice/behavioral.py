"""Behavioral practice: prompts, the story bank, feedback, coverage, work simulations."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any

from loopcoach.catalog import Track
from loopcoach.catalog.behavioral import BehavioralPrompt, Scenario, StarPartName
from loopcoach.coach.analyser import Analyser, Feedback
from loopcoach.coach.coverage import Coverage, Match, coverage, rank_stories
from loopcoach.practice.service import Practice, PracticeError
from loopcoach.store.stories import PARTS, Stories, StoryDraft, StoryRecord

EXPORT_FORMAT = "loopcoach-stories"


class UnknownItem(PracticeError):
    """No prompt, scenario or story has the id asked for."""


@dataclass(frozen=True)
class OptionReading:
    id: str
    text: str
    rating: int
    principles: dict[str, int]
    reading: str


@dataclass(frozen=True)
class SimulationResult:
    """How a pick or a ranking of a scenario's options reads."""

    scenario: str
    score: float  # 0 (the reverse of the best order) .. 1 (the best choice or order)
    summary: str
    chosen: tuple[str, ...]
    best: tuple[str, ...]
    options: tuple[OptionReading, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "score": round(self.score, 3),
            "summary": self.summary,
            "chosen": list(self.chosen),
            "best": list(self.best),
            "options": [option.__dict__ for option in self.options],
        }


class Behavioral:
    """The behavioral coach for one track."""

    def __init__(self, practice: Practice, track: str | None = None) -> None:
        self.practice = practice
        self._track_slug = track

    @cached_property
    def track(self) -> Track:
        catalog = self.practice.catalog
        slug = self._track_slug
        if slug is None:
            with_prompts = sorted(catalog.prompts) or sorted(catalog.tracks)
            if not with_prompts:
                raise PracticeError("no track is loaded")
            slug = with_prompts[0]
        try:
            return catalog.track(slug)
        except KeyError as error:
            raise UnknownItem(str(error.args[0])) from None

    @cached_property
    def analyser(self) -> Analyser:
        rules = self.practice.catalog.rules
        if rules is None:
            raise PracticeError(
                "no analyser rules are loaded (coach/rules.yaml); run loopcoach "
                "check-content to see why"
            )
        return Analyser(rules)

    @cached_property
    def stories(self) -> Stories:
        return Stories(self.practice.store)

    # --- prompts ----------------------------------------------------------------

    def prompts(self, principle: str | None = None) -> list[BehavioralPrompt]:
        prompts = self.practice.catalog.prompts.get(self.track.slug)
        found = list(prompts.prompts) if prompts else []
        if principle is not None:
            principle = principle.strip().lower()
            self.principle_name(principle)
            found = [p for p in found if principle in p.principles]
        return found

    def prompt(self, prompt_id: str) -> BehavioralPrompt:
        for prompt in self.prompts():
            if prompt.id == prompt_id:
                return prompt
        raise UnknownItem(
            f"no behavioral prompt {prompt_id!r}; `loopcoach prompts` lists them"
        )

    def principle_name(self, slug: str) -> str:
        for principle in self.track.principles:
            if principle.slug == slug:
                return principle.name
        known = ", ".join(p.slug for p in self.track.principles)
        raise UnknownItem(
            f"no principle {slug!r} in {self.track.slug}; principles: {known}"
        )

    def draw(
        self, principle: str | None = None, rng: random.Random | None = None
    ) -> BehavioralPrompt:
        """A prompt for `principle`, or for the principle your stories cover least."""
        chosen = principle.strip().lower() if principle else self.coverage().weakest
        candidates = self.prompts(chosen)
        if not candidates:
            raise PracticeError(f"no prompt is written for {chosen!r}")
        return (rng or random.Random()).choice(candidates)

    # --- feedback and coverage -----------------------------------------------------

    def feedback(self, text: str, prompt_id: str | None = None) -> Feedback:
        targets = self.prompt(prompt_id).principles if prompt_id else []
        return self.analyser.analyse(text, principles=targets)

    def story_feedback(self, story: StoryRecord) -> Feedback:
        if story.has_parts:
            parts = {StarPartName(part): getattr(story, part) for part in PARTS}
            return self.analyser.analyse("", parts=parts, principles=story.principles)
        return self.analyser.analyse(story.text, principles=story.principles)

    def split(self, text: str) -> dict[str, str]:
        return {part.value: value for part, value in self.analyser.split(text).items()}

    def coverage(self) -> Coverage:
        return coverage(self.track, self.stories.list())

    def rank(self, prompt_id: str) -> list[Match]:
        return rank_stories(self.prompt(prompt_id), self.stories.list(), self.analyser)

    def check_principles(self, principles: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(p.strip().lower() for p in principles if p.strip())
        for slug in cleaned:
            self.principle_name(slug)
        return cleaned

    def complete(self, draft: StoryDraft) -> StoryDraft:
        """A draft ready to store: principles checked, and free text split into STAR
        parts when no part was written.

        Raises:
            UnknownItem: a principle the track does not have.
        """
        principles = self.check_principles(draft.principles)
        if draft.has_parts or not draft.text.strip():
            return replace(draft, principles=principles)
        parts = self.split(draft.text)
        return replace(
            draft,
            principles=principles,
            situation=parts["situation"],
            task=parts["task"],
            action=parts["action"],
            result=parts["result"],
        )

    # --- work simulations ---------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        found = self.practice.catalog.simulations.get(self.track.slug)
        return list(found.scenarios) if found else []

    def scenario(self, scenario_id: str) -> Scenario:
        for scenario in self.scenarios():
            if scenario.id == scenario_id:
                return scenario
        raise UnknownItem(
            f"no work simulation {scenario_id!r}; `loopcoach simulate` lists them"
        )

    def answer(self, scenario_id: str, chosen: list[str]) -> SimulationResult:
        """Read a pick (one option id) or a ranking (every option id, best first).

        Raises:
            PracticeError: ids that are not the scenario's, or a partial ranking.
        """
        scenario = self.scenario(scenario_id)
        ids = [option.id for option in scenario.options]
        unknown = [choice for choice in chosen if choice not in ids]
        if unknown or not chosen:
            raise PracticeError(
                f"choose from the options {', '.join(ids)}; not {', '.join(unknown) or 'nothing'}"
            )
        if len(chosen) > 1 and sorted(chosen) != sorted(ids):
            raise PracticeError(f"a ranking lists every option once: {', '.join(ids)}")
        by_id = {option.id: option for option in scenario.options}
        best_order = sorted(ids, key=lambda i: (-by_id[i].rating, ids.index(i)))
        if len(chosen) == 1:
            option = by_id[chosen[0]]
            score = (option.rating - 1) / 3
            summary = (
                "The strongest choice."
                if option.rating == 4
                else f"Rated {option.rating} of 4; the strongest is {best_order[0]}."
            )
        else:
            score = _order_agreement(chosen, best_order, by_id)
            summary = f"Your order agrees {score:.0%} with the strongest order."
        readings = tuple(
            OptionReading(o.id, o.text, o.rating, dict(o.principles), o.reading)
            for o in scenario.options
        )
        return SimulationResult(
            scenario.id, score, summary, tuple(chosen), tuple(best_order), readings
        )

    # --- export and import ----------------------------------------------------------

    def export_json(self) -> str:
        stories = [story.to_json() for story in self.stories.list()]
        return json.dumps(
            {"format": EXPORT_FORMAT, "version": 1, "stories": stories},
            indent=2,
            ensure_ascii=False,
        )

    def export_markdown(self) -> str:
        return "\n".join(story_markdown(story) for story in self.stories.list())

    def import_stories(self, text: str) -> list[StoryRecord]:
        """Add stories from a JSON or Markdown export; existing stories are kept.

        Raises:
            PracticeError: the text is neither format; nothing is imported.
        """
        drafts = (
            _parse_json(text) if text.lstrip().startswith("{") else parse_markdown(text)
        )
        ready = [self.complete(draft) for draft in drafts]
        return [self.stories.create(draft) for draft in ready]


def _order_agreement(
    chosen: list[str], best: list[str], by_id: dict[str, Any]
) -> float:
    # Pairs of options put in the same order as their ratings, over all pairs whose
    # ratings differ; equal ratings may go either way.
    agree = total = 0
    for first in range(len(chosen)):
        for second in range(first + 1, len(chosen)):
            high, low = by_id[chosen[first]].rating, by_id[chosen[second]].rating
            if high == low:
                continue
            total += 1
            agree += high > low
    return agree / total if total else 1.0


def story_markdown(story: StoryRecord) -> str:
    lines = [f"# {story.title}", ""]
    if story.principles:
        lines.append(f"- principles: {', '.join(story.principles)}")
    if story.tags:
        lines.append(f"- tags: {', '.join(story.tags)}")
    if story.occurred_on:
        lines.append(f"- occurred: {story.occurred_on.isoformat()}")
    for part in PARTS:
        value = getattr(story, part).strip()
        if value:
            lines += ["", f"## {part.capitalize()}", "", _escape_headings(value)]
    if story.text.strip() and not story.has_parts:
        lines += ["", "## Story", "", _escape_headings(story.text.strip())]
    return "\n".join(lines) + "\n"


def _escape_headings(text: str) -> str:
    # A line of the story that starts with "#" would read as a new story or section;
    # a backslash keeps it text, and import takes the backslash off again.
    return "\n".join(
        "\\" + line if line.lstrip().startswith(("#", "\\#")) else line
        for line in text.split("\n")
    )


def _unescape_headings(text: str) -> str:
    return "\n".join(
        line.replace("\\", "", 1) if line.lstrip().startswith("\\#") else line
        for line in text.split("\n")
    )


def _parse_json(text: str) -> list[StoryDraft]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise PracticeError(f"the file is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise PracticeError(
            f"the JSON is not a loopcoach story export (format {EXPORT_FORMAT!r})"
        )
    stories = data.get("stories")
    if not isinstance(stories, list):
        raise PracticeError("the export has no list of stories")
    return [
        _draft_from(item, f"stories[{index}]") for index, item in enumerate(stories)
    ]


def _draft_from(item: Any, where: str) -> StoryDraft:
    if not isinstance(item, dict) or not isinstance(item.get("title"), str):
        raise PracticeError(f"{where}: a story needs a title")
    fields = {}
    for name in (*PARTS, "text"):
        value = item.get(name, "")
        if not isinstance(value, str):
            raise PracticeError(f"{where}.{name}: must be text")
        fields[name] = value
    lists = {}
    for name in ("principles", "tags"):
        value = item.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PracticeError(f"{where}.{name}: must be a list of text")
        lists[name] = tuple(value)
    occurred = item.get("occurred_on")
    try:
        occurred_on = date.fromisoformat(occurred) if occurred else None
    except (TypeError, ValueError):
        raise PracticeError(f"{where}.occurred_on: not a date (YYYY-MM-DD)") from None
    return StoryDraft(
        title=item["title"],
        situation=fields["situation"],
        task=fields["task"],
        action=fields["action"],
        result=fields["result"],
        text=fields["text"],
        principles=lists["principles"],
        tags=lists["tags"],
        occurred_on=occurred_on,
    )


HEADING = re.compile(r"^#\s+(.+)$")
SECTION = re.compile(r"^##\s+(situation|task|action|result|story)\s*$", re.IGNORECASE)
META = re.compile(r"^-\s+(principles|tags|occurred):\s*(.*)$", re.IGNORECASE)


def parse_markdown(text: str) -> list[StoryDraft]:
    """Stories from the Markdown that `story_markdown` writes.

    Raises:
        PracticeError: the text holds no story, or a malformed one.
    """
    stories: list[dict[str, Any]] = []
    section = None
    for number, line in enumerate(text.splitlines(), 1):
        if heading := HEADING.match(line):
            stories.append(
                {"title": heading.group(1).strip(), "parts": {}, "line": number}
            )
            section = None
            continue
        if not stories:
            if line.strip():
                raise PracticeError(f"line {number}: a story starts with '# Title'")
            continue
        story = stories[-1]
        if match := SECTION.match(line):
            section = match.group(1).lower()
            story["parts"][section] = []
        elif section is None and (meta := META.match(line)):
            story[meta.group(1).lower()] = meta.group(2).strip()
        elif section is not None:
            story["parts"][section].append(line)
    drafts = []
    for story in stories:
        parts = {
            name: _unescape_headings("\n".join(lines).strip())
            for name, lines in story["parts"].items()
        }
        occurred = story.get("occurred")
        try:
            occurred_on = date.fromisoformat(occurred) if occurred else None
        except ValueError:
            raise PracticeError(
                f"line {story['line']}: occurred must be a date (YYYY-MM-DD)"
            ) from None
        drafts.append(
            StoryDraft(
                title=story["title"],
                situation=parts.get("situation", ""),
                task=parts.get("task", ""),
                action=parts.get("action", ""),
                result=parts.get("result", ""),
                text=parts.get("story", ""),
                principles=_split_list(story.get("principles", "")),
                tags=_split_list(story.get("tags", "")),
                occurred_on=occurred_on,
            )
        )
    if not drafts:
        raise PracticeError(
            "no stories found: expected a JSON export or '# Title' sections"
        )
    return drafts


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
