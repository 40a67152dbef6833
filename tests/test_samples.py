"""Every reference solution passes its own problem; every sample gets its declared verdict."""

from __future__ import annotations

import pytest

from loopcoach.catalog import Catalog, load_catalog
from loopcoach.judge import Judge
from loopcoach.verdict import Verdict

SHIPPED = load_catalog()
SAMPLES = [
    pytest.param(slug, sample.name, id=f"{slug}/{sample.name}")
    for slug, problem in sorted(SHIPPED.problems.items())
    for sample in problem.samples
]


def test_the_shipped_catalog_loads_without_errors(catalog: Catalog) -> None:
    assert "amazon-backend-engineer" in catalog.tracks
    assert {
        "two-sum",
        "two-sum-sorted",
        "two-sum-stream",
        "three-sum",
        "copy-list-with-random-pointer",
        "lru-cache",
        "kv-store",
    } <= set(catalog.problems)


@pytest.mark.parametrize("slug", sorted(SHIPPED.problems))
def test_reference_solution_is_accepted(
    slug: str, catalog: Catalog, judge: Judge
) -> None:
    problem = catalog.problems[slug]
    report = judge.judge(problem, problem.reference)
    assert report.verdict is Verdict.ACCEPTED, report.message
    assert len(report.tests) == report.total


@pytest.mark.parametrize(("slug", "sample"), SAMPLES)
def test_sample_gets_its_declared_verdict(
    slug: str, sample: str, catalog: Catalog, judge: Judge
) -> None:
    problem = catalog.problems[slug]
    chosen = next(s for s in problem.samples if s.name == sample)
    report = judge.judge(problem, chosen.source)
    assert report.verdict is chosen.verdict, report.message


def test_every_problem_has_an_accepted_and_a_failing_sample(catalog: Catalog) -> None:
    for problem in catalog.problems.values():
        verdicts = {sample.verdict for sample in problem.samples}
        assert Verdict.ACCEPTED in verdicts, problem.slug
        assert verdicts - {Verdict.ACCEPTED}, problem.slug


def test_two_sum_has_four_large_hidden_cases(catalog: Catalog, judge: Judge) -> None:
    cases = judge.cases(catalog.problems["two-sum"])
    large = [c for c in cases if c.hidden and len(c.input["args"][0]) == 100_000]
    assert len(large) >= 4
