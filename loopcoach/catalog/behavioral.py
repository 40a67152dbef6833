"""Validated behavioral content: prompts, work simulations, and the answer analyser's rules."""

from __future__ import annotations

import enum
import re

from pydantic import Field, field_validator, model_validator

from loopcoach.catalog.models import Slug, Strict, Text


class BehavioralPrompt(Strict):
    """A question of the kind asked against one or more principles, with probes."""

    id: Slug
    principles: list[Slug] = Field(min_length=1)
    question: Text
    follow_ups: list[Text] = Field(min_length=2, max_length=3)


class PromptSet(Strict):
    """`behavioral/<track>.yaml`: the prompts for one track."""

    track: Slug
    prompts: list[BehavioralPrompt] = Field(min_length=1)


class SimulationOption(Strict):
    id: Slug
    text: Text
    rating: int = Field(
        ge=1, le=4, description="1 reads poorly, 4 is the strongest choice"
    )
    principles: dict[Slug, int] = Field(
        default_factory=dict,
        description="how the choice reads against each principle, -2 (against) to 2 (for)",
    )
    reading: Text

    @field_validator("principles")
    @classmethod
    def _weights(cls, value: dict[str, int]) -> dict[str, int]:
        for slug, weight in value.items():
            if not -2 <= weight <= 2:
                raise ValueError(f"{slug}: a weight is from -2 to 2, not {weight}")
        return value


class Scenario(Strict):
    """A work-simulation situation with options rated against the principles."""

    id: Slug
    title: Text
    situation: Text
    question: Text
    options: list[SimulationOption] = Field(min_length=3, max_length=5)

    @model_validator(mode="after")
    def _one_best(self) -> Scenario:
        ids = [option.id for option in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        if max(option.rating for option in self.options) != 4:
            raise ValueError(
                "at least one option must be rated 4, the strongest choice"
            )
        return self


class SimulationSet(Strict):
    """`simulations/<track>.yaml`: the work-simulation scenarios for one track."""

    track: Slug
    scenarios: list[Scenario] = Field(min_length=1)


class StarPartName(enum.StrEnum):
    SITUATION = "situation"
    TASK = "task"
    ACTION = "action"
    RESULT = "result"


class StarPartRule(Strict):
    """Phrases that signal one STAR part, and the share of the answer it should take."""

    cues: list[Text] = Field(min_length=1)
    share: tuple[float, float]

    @field_validator("share")
    @classmethod
    def _range(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0 <= low <= high <= 1:
            raise ValueError("share is [low, high] with 0 <= low <= high <= 1")
        return value


class LengthRule(Strict):
    """Speaking time, in seconds, that reads as too short, ideal, or too long."""

    too_short: int = Field(gt=0)
    ideal_low: int = Field(gt=0)
    ideal_high: int = Field(gt=0)
    too_long: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> LengthRule:
        if not self.too_short <= self.ideal_low <= self.ideal_high <= self.too_long:
            raise ValueError(
                "expected too_short <= ideal_low <= ideal_high <= too_long"
            )
        return self


class AnalyserRules(Strict):
    """`coach/rules.yaml`: everything the answer analyser knows, as data."""

    words_per_minute: int = Field(ge=60, le=300)
    length: LengthRule
    star: dict[StarPartName, StarPartRule]
    measurable: list[Text] = Field(min_length=1, description="regular expressions")
    singular: list[Text] = Field(min_length=1)
    plural: list[Text] = Field(min_length=1)
    fillers: list[Text] = Field(default_factory=list)
    hedges: list[Text] = Field(default_factory=list)
    principles: dict[Slug, list[Text]] = Field(default_factory=dict)
    red_flags: list[Text] = Field(
        default_factory=list,
        description="phrases that read badly whatever else the answer shows",
    )
    advice: dict[Slug, Text] = Field(default_factory=dict)

    @field_validator("star")
    @classmethod
    def _all_parts(
        cls, value: dict[StarPartName, StarPartRule]
    ) -> dict[StarPartName, StarPartRule]:
        missing = set(StarPartName) - set(value)
        if missing:
            raise ValueError("missing STAR parts: " + ", ".join(sorted(missing)))
        return value

    @field_validator("measurable")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(
                    f"{pattern!r} is not a regular expression: {error}"
                ) from None
        return value
