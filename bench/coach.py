"""How fast the behavioral coach is.

Prints the median time to analyse a 400-word answer (target under 30 ms) and to rank a bank
of 100 stories against a prompt (target under 100 ms). As a baseline measured in the same
process, it also times one pass of a plain word-splitting regular expression over the same
text, and prints the ratios.

    python bench/coach.py [--rounds N]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from loopcoach.catalog import load_catalog
from loopcoach.coach import Analyser
from loopcoach.coach.coverage import rank_stories, story_text
from loopcoach.store.stories import StoryRecord

SENTENCES = [
    "At the time I was the on-call engineer for the payments service at a retailer.",
    "Checkout latency had crept up and customers were abandoning their carts.",
    "My job was to bring p99 latency back under 300 ms before the weekend sale.",
    "I dug into the traces and found a new database connection on every request.",
    "I wrote a patch that added a connection pool and I load-tested it against copied traffic.",
    "Then I rolled it out behind a feature flag to five percent of traffic first.",
    "I set up an alert on pool exhaustion and I wrote a runbook for the next person on call.",
    "We reviewed the change together and I answered every question from the team.",
    "As a result, p99 latency dropped from 900 ms to 210 ms and abandoned carts fell by 12%.",
    "Since then the pool has handled twice the traffic without a single incident.",
]


def answer_of(words: int, rng: random.Random) -> str:
    text: list[str] = []
    while sum(len(s.split()) for s in text) < words:
        text.append(rng.choice(SENTENCES))
    return " ".join(text)


def median_ms(action: Callable[[], object], rounds: int) -> float:
    action()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=51)
    arguments = parser.parse_args()

    catalog = load_catalog()
    assert catalog.rules is not None, "coach/rules.yaml did not load"
    analyser = Analyser(catalog.rules)
    rng = random.Random(7)
    answer = answer_of(400, rng)
    principles = [p.slug for p in catalog.tracks["amazon-backend-engineer"].principles]
    now = datetime.now(UTC)
    bank = [
        StoryRecord(
            title=f"Story {number}",
            situation=answer_of(60, rng),
            task=answer_of(30, rng),
            action=answer_of(150, rng),
            result=answer_of(40, rng),
            principles=tuple(rng.sample(principles, 2)),
            id=number,
            created_at=now,
            updated_at=now,
        )
        for number in range(1, 101)
    ]
    prompt = catalog.prompts["amazon-backend-engineer"].prompts[0]
    words = re.compile(r"\w+")
    bank_text = "\n".join(story_text(story) for story in bank)

    analyse_ms = median_ms(
        lambda: analyser.analyse(answer, principles=prompt.principles), arguments.rounds
    )
    rank_ms = median_ms(lambda: rank_stories(prompt, bank, analyser), arguments.rounds)
    baseline_answer = median_ms(lambda: words.findall(answer), arguments.rounds)
    baseline_bank = median_ms(lambda: words.findall(bank_text), arguments.rounds)

    print(
        f"answer: {len(answer.split())} words; bank: {len(bank)} stories, "
        f"{len(bank_text.split())} words; {arguments.rounds} rounds"
    )
    print(
        f"analyse a 400-word answer   median {analyse_ms:7.2f} ms   "
        f"(target < 30 ms: {'met' if analyse_ms < 30 else 'MISSED'}; "
        f"{analyse_ms / baseline_answer:6.1f}x one word-splitting pass)"
    )
    print(
        f"rank 100 stories            median {rank_ms:7.2f} ms   "
        f"(target < 100 ms: {'met' if rank_ms < 100 else 'MISSED'}; "
        f"{rank_ms / baseline_bank:6.1f}x one word-splitting pass)"
    )


if __name__ == "__main__":
    main()
