"""Which principles a story bank covers, and which stories best answer a prompt."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from loopcoach.catalog import Track
from loopcoach.catalog.behavioral import BehavioralPrompt
from loopcoach.coach.analyser import Analyser
from loopcoach.store.stories import PARTS, StoryRecord

STORIES_PER_PRINCIPLE = 2
MAX_PRINCIPLES_PER_STORY = 3
WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
# Words too common in any story to say which one fits a question.
COMMON = frozenset(
    [
        "the",
        "and",
        "was",
        "were",
        "that",
        "this",
        "with",
        "have",
        "had",
        "for",
        "from",
        "you",
        "your",
        "about",
        "what",
        "when",
        "time",
        "tell",
        "how",
        "did",
        "their",
        "they",
        "them",
        "there",
        "then",
        "than",
        "which",
        "who",
        "would",
        "could",
        "should",
        "our",
    ]
)


@dataclass(frozen=True)
class Coverage:
    """Principles against stories."""

    principles: tuple[str, ...]
    names: dict[str, str]
    matrix: dict[str, tuple[int, ...]]  # principle -> ids of stories tagged with it
    thin: tuple[str, ...]  # principles with fewer than two stories
    stretched: tuple[int, ...]  # stories tagged with too many principles
    weakest: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "principles": [
                {
                    "slug": slug,
                    "name": self.names[slug],
                    "stories": list(self.matrix[slug]),
                    "enough": len(self.matrix[slug]) >= STORIES_PER_PRINCIPLE,
                }
                for slug in self.principles
            ],
            "thin": list(self.thin),
            "stretched": list(self.stretched),
            "weakest": self.weakest,
            "stories_per_principle": STORIES_PER_PRINCIPLE,
            "max_principles_per_story": MAX_PRINCIPLES_PER_STORY,
        }


def coverage(track: Track, stories: Sequence[StoryRecord]) -> Coverage:
    """The coverage matrix of a track's principles by the stories' own tags."""
    slugs = tuple(principle.slug for principle in track.principles)
    matrix = {
        slug: tuple(story.id for story in stories if slug in story.principles)
        for slug in slugs
    }
    thin = tuple(slug for slug in slugs if len(matrix[slug]) < STORIES_PER_PRINCIPLE)
    stretched = tuple(
        story.id
        for story in stories
        if len([p for p in story.principles if p in matrix]) > MAX_PRINCIPLES_PER_STORY
    )
    # The weakest principle: fewest stories; ties go to the track's order.
    weakest = min(slugs, key=lambda slug: len(matrix[slug])) if slugs else None
    return Coverage(
        principles=slugs,
        names={principle.slug: principle.name for principle in track.principles},
        matrix=matrix,
        thin=thin,
        stretched=stretched,
        weakest=weakest,
    )


@dataclass(frozen=True)
class Match:
    """A story's fit for a prompt, with the reasons for its score."""

    story: StoryRecord
    score: float
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "story": self.story.id,
            "title": self.story.title,
            "score": round(self.score, 3),
            "reasons": list(self.reasons),
        }


def story_text(story: StoryRecord) -> str:
    parts = [getattr(story, part) for part in PARTS]
    return "\n".join([story.title, *parts, story.text])


def rank_stories(
    prompt: BehavioralPrompt, stories: Sequence[StoryRecord], analyser: Analyser
) -> list[Match]:
    """Stories ordered by how well they answer `prompt`, best first.

    A story scores for the prompt's principles it is tagged with (most), for phrases that
    show those principles in its text, and for sharing the question's less common words.
    """
    texts = [story_text(story) for story in stories]
    tokens = [Counter(_words(text)) for text in texts]
    documents = len(stories) or 1
    frequency = Counter(word for counts in tokens for word in counts)
    question = set(_words(prompt.question))

    matches = []
    for story, text, counts in zip(stories, texts, tokens, strict=True):
        score = 0.0
        reasons = []
        tagged = [p for p in prompt.principles if p in story.principles]
        if tagged:
            score += 3.0 * len(tagged)
            reasons.append("tagged " + ", ".join(tagged))
        evidence = analyser.evidence(text, prompt.principles)
        shown = sorted({phrase for found in evidence.values() for phrase in found})
        if shown:
            score += min(2.0, 0.5 * len(shown))
            reasons.append("shows it: " + ", ".join(shown[:4]))
        shared = [word for word in question if word in counts]
        if shared:
            weight = sum(math.log(1 + documents / frequency[word]) for word in shared)
            score += min(2.0, 0.4 * weight)
            reasons.append("shares " + ", ".join(sorted(shared)[:5]))
        matches.append(Match(story, score, tuple(reasons)))
    matches.sort(key=lambda match: (-match.score, match.story.id))
    return matches


def _words(text: str) -> list[str]:
    return [
        w for w in (m.group(0).lower() for m in WORD.finditer(text)) if w not in COMMON
    ]
