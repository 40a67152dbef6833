"""The answer analyser on answers with known properties, and properties that always hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopcoach.catalog import load_catalog
from loopcoach.catalog.behavioral import StarPartName
from loopcoach.coach import Analyser, Feedback

RULES = load_catalog().rules
assert RULES is not None
ANALYSER = Analyser(RULES)

STRONG = """
Last year I was the on-call engineer for the payments API at a mid-size retailer. Checkout
latency had crept up and customers were abandoning their carts during the holiday sale.
My job was to find the cause and bring p99 latency back under 300 ms before the weekend.
I dug into the traces and found that every request opened a new database connection. I
wrote a patch that added a connection pool, I load-tested it against a copy of production
traffic, and I rolled it out behind a feature flag to 5% of traffic first. I set up an alert
on pool exhaustion and I wrote a runbook so the next person on call would not have to
rediscover this. I also walked the team through the change in our weekly review so that
anyone could maintain it.
As a result, p99 latency dropped from 900 ms to 210 ms, abandoned carts fell by 12%, and we
kept roughly $40,000 in sales that would otherwise have been lost that weekend.
"""

MISSING_RESULT = """
At the time our team owned the search service, and the nightly index build kept failing.
My job was to make the build reliable. I decided to split the build into smaller steps, I
wrote retries around the flaky download, and I added an alert that paged me when a step
failed twice.
"""

NO_NUMBERS = """
At the time I was working on the billing service and invoices were sometimes sent twice.
I was responsible for fixing it. I traced the duplicate sends to a retry without an
idempotency key, I added the key, and I wrote a test that replays the same request.
As a result, the duplicates stopped and the support team was much happier.
"""

ALL_WE = """
Our team was migrating the orders database. We needed to finish before the holidays. We
planned the migration together, we wrote the scripts, we ran the dry runs and we cut over
on a Sunday. In the end we finished on time and we had no downtime at all.
"""

HEDGING = """
I think at the time we maybe had some issues with the deploy pipeline, sort of. I guess my
job was probably to kind of look into it. I think I basically changed some settings and
um it was, you know, perhaps a bit better after that, hopefully.
"""


def _ids(feedback: Feedback) -> set[str]:
    return {point.id for point in feedback.points if not point.ok}


def test_a_strong_answer_is_praised() -> None:
    feedback = ANALYSER.analyse(STRONG, principles=["dive-deep"])
    assert feedback.strong, _ids(feedback)
    assert feedback.improvements == ()
    assert all(feedback.parts[part].present for part in StarPartName)
    action = feedback.parts[StarPartName.ACTION]
    assert action.share == max(finding.share for finding in feedback.parts.values())
    assert "12%" in feedback.measurable
    assert feedback.singular > feedback.plural
    assert "dive-deep" in feedback.principles


def test_a_missing_result_is_found() -> None:
    feedback = ANALYSER.analyse(MISSING_RESULT)
    assert "missing-result" in _ids(feedback)
    assert not feedback.parts[StarPartName.RESULT].present
    assert feedback.improvements[0] == RULES.advice["missing-result"]


def test_a_result_without_numbers_is_found() -> None:
    feedback = ANALYSER.analyse(NO_NUMBERS)
    assert feedback.parts[StarPartName.RESULT].present
    assert "no-measurable-result" in _ids(feedback)
    assert "missing-result" not in _ids(feedback)


def test_all_we_is_found() -> None:
    feedback = ANALYSER.analyse(ALL_WE)
    assert "too-much-we" in _ids(feedback)
    assert feedback.plural >= 6 and feedback.singular == 0


def test_far_too_long_is_found() -> None:
    long_answer = STRONG + " ".join([STRONG.split("As a result")[0]] * 5)
    feedback = ANALYSER.analyse(long_answer)
    assert "too-long" in _ids(feedback)
    assert feedback.speaking_seconds > RULES.length.too_long


def test_fillers_and_hedges_are_counted() -> None:
    feedback = ANALYSER.analyse(HEDGING)
    assert {"hedging", "fillers"} <= _ids(feedback)
    assert feedback.hedges["i think"] == 2
    assert "um" in feedback.fillers


def test_principle_evidence_names_the_phrases() -> None:
    feedback = ANALYSER.analyse(STRONG, principles=["frugality"])
    assert "no-principle-evidence" in _ids(feedback)
    owned = ANALYSER.analyse(
        STRONG.replace(
            "I dug into", "Nobody owned it, so I took ownership and dug into"
        ),
        principles=["ownership"],
    )
    assert "took ownership" in owned.principles["ownership"]
    assert "no-principle-evidence" not in _ids(owned)


def test_a_story_with_separate_parts_uses_them() -> None:
    parts = {
        StarPartName.SITUATION: "The nightly build failed often.",
        StarPartName.TASK: "",
        StarPartName.ACTION: "I rewrote the build script and added retries.",
        StarPartName.RESULT: "Failures went from 9 a week to 1.",
    }
    feedback = ANALYSER.analyse("", parts=parts)
    assert not feedback.parts[StarPartName.TASK].present
    assert feedback.parts[StarPartName.ACTION].present
    assert feedback.measurable


def test_splitting_free_text_keeps_every_sentence() -> None:
    sections = ANALYSER.split(STRONG)
    joined = " ".join(sections.values())
    assert joined.split() == " ".join(STRONG.split()).split()
    assert sections[StarPartName.RESULT].startswith("As a result")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\n\n",
        "????",
        "我负责把服务迁移到新的数据库，结果延迟降低了30%。",
        "كنت مسؤولا عن الخدمة",
        "ÅÄÖ " * 1000,
        "\x00\udcff" * 50,
        "9" * 100_000,
    ],
)
def test_odd_text_never_crashes(text: str) -> None:
    feedback = ANALYSER.analyse(text, principles=["ownership"])
    assert feedback.words >= 0
    assert isinstance(feedback.to_json(), dict)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
def test_feedback_never_crashes_and_shares_add_up(text: str) -> None:
    feedback = ANALYSER.analyse(text, principles=["customer-obsession"])
    total = sum(finding.share for finding in feedback.parts.values())
    assert feedback.words == 0 or total <= 1.0 + 1e-9
    assert len(feedback.improvements) <= 4
    assert feedback.strong is (feedback.words > 0 and not _ids(feedback))


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_huge_answers_are_handled(piece: str) -> None:
    feedback = ANALYSER.analyse(piece * 50_000)
    assert feedback.words >= 0


def test_a_number_without_a_result_is_not_praised() -> None:
    feedback = ANALYSER.analyse(
        "At the time I owned the queue. I rewrote the consumer. "
        "I left the company 2 months later, so I never found out whether it helped."
    )
    assert "measurable-ok" not in {point.id for point in feedback.points}


def test_i_e_is_not_the_first_person() -> None:
    feedback = ANALYSER.analyse(
        "We migrated the data, i.e. the orders, and we checked it."
    )
    assert feedback.singular == 0
    assert "too-much-we" in _ids(feedback)


def test_blame_and_indifference_are_not_praised() -> None:
    answer = (
        "At the time I was on call for payments. I decided it was not my job to fix the "
        "flaky alerts, so I ignored the pages for a week and I blamed the junior "
        "engineer. As a result 3 engineers quit and 40 customers churned. I learned "
        "nothing from it and I would do it again."
    )
    feedback = ANALYSER.analyse(answer, principles=["ownership"])
    assert not feedback.strong
    assert feedback.improvements[0] == RULES.advice["red-flags"]
