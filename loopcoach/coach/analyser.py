"""Offline feedback on a spoken STAR answer or a written story.

Everything the analyser knows (cue phrases, patterns, thresholds, advice) comes from the
rules file (`coach/rules.yaml`); this module only applies them. Phrases match whole words,
case-insensitively, so the analyser also copes with text in other languages: it simply
finds fewer cues there, and says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from loopcoach.catalog.behavioral import AnalyserRules, StarPartName

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*•])")
MAX_CHARACTERS = 50_000

# The order improvements are listed in: what costs an answer most comes first.
SEVERITY = (
    "red-flags",
    "no-first-person",
    "missing-action",
    "missing-result",
    "no-measurable-result",
    "thin-action",
    "too-much-we",
    "too-long",
    "too-short",
    "long-situation",
    "unbalanced-parts",
    "missing-situation",
    "missing-task",
    "no-principle-evidence",
    "hedging",
    "fillers",
)


@dataclass(frozen=True)
class PartFinding:
    """One STAR part: whether it is there, and how much of the answer it takes."""

    part: StarPartName
    words: int
    share: float
    expected: tuple[float, float]
    cues: tuple[str, ...]

    @property
    def present(self) -> bool:
        return self.words > 0


@dataclass(frozen=True)
class Point:
    """One observation, explained in plain words; `ok` points are strengths."""

    id: str
    ok: bool
    text: str


@dataclass(frozen=True)
class Feedback:
    """Everything the analyser found in one answer."""

    words: int
    speaking_seconds: int
    parts: dict[StarPartName, PartFinding]
    measurable: tuple[str, ...]
    singular: int
    plural: int
    fillers: dict[str, int]
    hedges: dict[str, int]
    principles: dict[str, tuple[str, ...]]
    points: tuple[Point, ...]
    improvements: tuple[str, ...]
    strong: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "speaking_seconds": self.speaking_seconds,
            "star": {
                part.value: {
                    "present": finding.present,
                    "words": finding.words,
                    "share": round(finding.share, 3),
                    "expected": list(finding.expected),
                    "cues": list(finding.cues),
                }
                for part, finding in self.parts.items()
            },
            "measurable": list(self.measurable),
            "ownership": {"singular": self.singular, "plural": self.plural},
            "fillers": self.fillers,
            "hedges": self.hedges,
            "principles": {
                slug: list(found) for slug, found in self.principles.items()
            },
            "points": [{"id": p.id, "ok": p.ok, "text": p.text} for p in self.points],
            "improvements": list(self.improvements),
            "strong": self.strong,
        }


@dataclass
class _Compiled:
    cues: dict[StarPartName, re.Pattern[str]]
    measurable: re.Pattern[str]
    singular: re.Pattern[str]
    plural: re.Pattern[str]
    fillers: re.Pattern[str] | None
    hedges: re.Pattern[str] | None
    red_flags: re.Pattern[str] | None
    principles: dict[str, re.Pattern[str]] = field(default_factory=dict)


def _phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(
        {p.strip().lower() for p in phrases if p.strip()}, key=len, reverse=True
    )
    if not ordered:
        return None
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    # Whole words only; "i.e." is not "I".
    return re.compile(rf"(?<![\w'’.])(?:{body})(?![\w'’]|\.\w)", re.IGNORECASE)


class Analyser:
    """Applies one set of rules; build once, analyse many answers."""

    def __init__(self, rules: AnalyserRules) -> None:
        self.rules = rules
        never = re.compile(r"(?!x)x")
        self._compiled = _Compiled(
            cues={
                part: _phrases(rule.cues) or never for part, rule in rules.star.items()
            },
            measurable=re.compile("|".join(f"(?:{p})" for p in rules.measurable), re.I),
            singular=_phrases(rules.singular) or never,
            plural=_phrases(rules.plural) or never,
            fillers=_phrases(rules.fillers),
            hedges=_phrases(rules.hedges),
            red_flags=_phrases(rules.red_flags),
            principles={
                slug: pattern
                for slug, phrases in rules.principles.items()
                if (pattern := _phrases(phrases)) is not None
            },
        )

    def analyse(
        self,
        text: str,
        *,
        parts: Mapping[StarPartName, str] | None = None,
        principles: Iterable[str] = (),
    ) -> Feedback:
        """Feedback on `text`, or on a story's separate STAR `parts` when given.

        Args:
            text: the answer as spoken or written; ignored when `parts` are given.
            parts: a story's situation, task, action and result, already separated.
            principles: the principles the answer should show (a prompt's targets).
        """
        if parts is not None:
            sections = {
                part: parts.get(part, "")[:MAX_CHARACTERS] for part in StarPartName
            }
            text = "\n\n".join(
                sections[part] for part in StarPartName if sections[part]
            )
        else:
            text = text[:MAX_CHARACTERS]
            sections = self.split(text)

        words = _count_words(text)
        counts = {part: _count_words(sections[part]) for part in StarPartName}
        findings = {
            part: PartFinding(
                part=part,
                words=counts[part],
                share=counts[part] / words if words else 0.0,
                expected=self.rules.star[part].share,
                cues=tuple(_found(self._compiled.cues[part], sections[part])),
            )
            for part in StarPartName
        }
        result_text = sections[StarPartName.RESULT] or _tail(text)
        measurable = tuple(
            dict.fromkeys(
                m.group(0).strip()
                for window in _windows(result_text)
                for m in self._compiled.measurable.finditer(window)
            )
        )
        singular = len(self._compiled.singular.findall(text))
        plural = len(self._compiled.plural.findall(text))
        fillers = _tally(self._compiled.fillers, text)
        hedges = _tally(self._compiled.hedges, text)
        evidence = {
            slug: tuple(found)
            for slug, pattern in self._compiled.principles.items()
            if (found := _found(pattern, text))
        }
        flags = tuple(_found(self._compiled.red_flags, text))
        speaking = round(words / self.rules.words_per_minute * 60)
        points = self._points(
            words,
            speaking,
            findings,
            measurable,
            singular,
            plural,
            fillers,
            hedges,
            evidence,
            list(principles),
        )
        if flags:
            points.insert(
                0,
                Point(
                    "red-flags",
                    False,
                    "Some phrases read badly to an interviewer whatever else the story "
                    "shows: " + ", ".join(f"“{flag}”" for flag in flags[:5]) + ".",
                ),
            )
        problems = [point.id for point in points if not point.ok]
        ordered = sorted(problems, key=lambda key: SEVERITY.index(key))
        improvements = tuple(self.rules.advice.get(key, key) for key in ordered[:4])
        return Feedback(
            words=words,
            speaking_seconds=speaking,
            parts=findings,
            measurable=measurable,
            singular=singular,
            plural=plural,
            fillers=fillers,
            hedges=hedges,
            principles=evidence,
            points=tuple(points),
            improvements=improvements,
            strong=words > 0 and not problems,
        )

    def evidence(self, text: str, principles: Iterable[str]) -> dict[str, list[str]]:
        """Phrases in `text` that show each of `principles`."""
        found = {}
        for slug in principles:
            pattern = self._compiled.principles.get(slug)
            phrases = _found(pattern, text[:MAX_CHARACTERS])
            if phrases:
                found[slug] = phrases
        return found

    def split(self, text: str) -> dict[StarPartName, str]:
        """Split free text into STAR parts by the cues each sentence carries.

        A sentence without cues belongs to the part before it; the opening sentences
        before any cue are the situation.
        """
        sections: dict[StarPartName, list[str]] = {part: [] for part in StarPartName}
        current = StarPartName.SITUATION
        for sentence in (s.strip() for s in SENTENCE.split(text)):
            if not sentence:
                continue
            current = self._part_of(sentence) or current
            sections[current].append(sentence)
        return {part: " ".join(found) for part, found in sections.items()}

    def _part_of(self, sentence: str) -> StarPartName | None:
        best: tuple[int, int, StarPartName] | None = None
        for part, pattern in self._compiled.cues.items():
            match = pattern.search(sentence)
            if match is None:
                continue
            # The earliest cue decides; on a tie, the later STAR part wins, since a
            # sentence that opens with "so" and reports an outcome is a result.
            rank = (match.start(), -list(StarPartName).index(part), part)
            if best is None or rank[:2] < best[:2]:
                best = rank
        return None if best is None else best[2]

    def _points(
        self,
        words: int,
        speaking: int,
        findings: dict[StarPartName, PartFinding],
        measurable: tuple[str, ...],
        singular: int,
        plural: int,
        fillers: dict[str, int],
        hedges: dict[str, int],
        evidence: dict[str, tuple[str, ...]],
        targets: list[str],
    ) -> list[Point]:
        points: list[Point] = []
        if words == 0:
            return [
                Point(
                    "missing-action", False, "There is no answer to give feedback on."
                )
            ]
        for part, finding in findings.items():
            low, high = finding.expected
            share = f"{finding.share:.0%}"
            span = f"{low:.0%}–{high:.0%}"
            if not finding.present:
                points.append(
                    Point(
                        f"missing-{part.value}",
                        False,
                        f"No {part.value} found: nothing in the answer reads as "
                        f"the {part.value} of a STAR story.",
                    )
                )
            elif part is StarPartName.ACTION and finding.share < low:
                points.append(
                    Point(
                        "thin-action",
                        False,
                        f"The action is only {share} of the answer (aim for "
                        f"{span}): it is what the interviewer scores.",
                    )
                )
            elif part is StarPartName.SITUATION and finding.share > high:
                points.append(
                    Point(
                        "long-situation",
                        False,
                        f"The situation takes {share} of the answer (aim for at "
                        f"most {high:.0%}): get to what you did sooner.",
                    )
                )
            elif not low <= finding.share <= high and part is not StarPartName.ACTION:
                points.append(
                    Point(
                        "unbalanced-parts",
                        False,
                        f"The {part.value} takes {share} of the answer (aim for {span}).",
                    )
                )
            else:
                points.append(
                    Point(
                        f"{part.value}-ok",
                        True,
                        f"The {part.value} is there and takes {share} of the "
                        f"answer (aim for {span}).",
                    )
                )

        if not findings[StarPartName.RESULT].present:
            pass  # a missing result is reported above; a number elsewhere is no result
        elif measurable:
            points.append(
                Point(
                    "measurable-ok",
                    True,
                    "The result is measurable: " + ", ".join(measurable[:4]) + ".",
                )
            )
        else:
            points.append(
                Point(
                    "no-measurable-result",
                    False,
                    "The result has no number: no percentage, time, money or "
                    "count shows what changed.",
                )
            )

        if singular == 0 and plural == 0:
            points.append(
                Point(
                    "no-first-person",
                    False,
                    "Neither “I” nor “we” appears: the interviewer cannot tell who did "
                    "what.",
                )
            )
        elif plural > singular and (plural >= 3 or singular == 0):
            points.append(
                Point(
                    "too-much-we",
                    False,
                    f"“We” ({plural}) outnumbers “I” ({singular}): the "
                    "interviewer cannot tell what you did yourself.",
                )
            )
        else:
            points.append(
                Point(
                    "ownership-ok",
                    True,
                    f"You speak for yourself: “I” {singular} times, “we” "
                    f"{plural} times.",
                )
            )

        minutes = f"{speaking // 60}:{speaking % 60:02d}"
        length = self.rules.length
        if speaking < length.too_short:
            points.append(
                Point(
                    "too-short",
                    False,
                    f"About {words} words, {minutes} when spoken: too short to "
                    "show the situation, your actions and the result.",
                )
            )
        elif speaking > length.too_long:
            points.append(
                Point(
                    "too-long",
                    False,
                    f"About {words} words, {minutes} when spoken: interviewers "
                    f"expect {length.ideal_low // 60}–{length.ideal_high // 60} "
                    "minutes and start to lose the thread after that.",
                )
            )
        else:
            points.append(
                Point("length-ok", True, f"About {words} words, {minutes} when spoken.")
            )

        filler_total = sum(fillers.values())
        if filler_total and filler_total * 100 / words >= 2:
            points.append(
                Point(
                    "fillers",
                    False,
                    f"{filler_total} filler words ({_listing(fillers)}) dilute "
                    "the answer.",
                )
            )
        hedge_total = sum(hedges.values())
        if hedge_total >= 3:
            points.append(
                Point(
                    "hedging",
                    False,
                    f"{hedge_total} hedges ({_listing(hedges)}) make you sound "
                    "unsure of your own story.",
                )
            )

        for slug in targets:
            if slug in evidence:
                points.append(
                    Point(
                        "principle-ok",
                        True,
                        f"It shows {slug}: " + ", ".join(evidence[slug][:5]) + ".",
                    )
                )
            else:
                points.append(
                    Point(
                        "no-principle-evidence",
                        False,
                        f"Nothing in the answer shows {slug}, the principle the "
                        "question is about.",
                    )
                )
        return points


def _windows(text: str, size: int = 300) -> Iterator[str]:
    """The text in pieces of at most `size` characters, cut at sentence ends or spaces.

    The measurable patterns come from a data file; on one very long run without breaks
    (a page of "1,1,1,...") a pattern can take time that grows with the square of its
    length. A number and its unit sit within a sentence, so looking at short pieces finds
    the same results in time that grows only with the text.
    """
    for sentence in SENTENCE.split(text):
        while len(sentence) > size:
            cut = sentence.rfind(" ", size // 2, size)
            cut = cut if cut > 0 else size
            yield sentence[:cut]
            sentence = sentence[cut:]
        if sentence:
            yield sentence


def _count_words(text: str) -> int:
    return sum(1 for _ in WORD.finditer(text))


def _found(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    if pattern is None or not text:
        return []
    return list(
        dict.fromkeys(
            " ".join(m.group(0).lower().split()) for m in pattern.finditer(text)
        )
    )


def _tally(pattern: re.Pattern[str] | None, text: str) -> dict[str, int]:
    if pattern is None:
        return {}
    return dict(
        Counter(" ".join(m.group(0).lower().split()) for m in pattern.finditer(text))
    )


def _tail(text: str) -> str:
    # Without a recognised result, the closing third of an answer is where one would be.
    return text[len(text) * 2 // 3 :]


def _listing(counts: dict[str, int]) -> str:
    top = sorted(counts.items(), key=lambda item: -item[1])[:4]
    return ", ".join(f"“{word}” ×{count}" for word, count in top)
