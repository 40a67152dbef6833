"""Property-based requests generated from the OpenAPI document: the API never answers 5xx,
and every error it gives has the one problem-details shape."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from loopcoach.practice.ratelimit import RateLimiter
from loopcoach.settings import Settings
from loopcoach.web import create_app

_DATA = Path(tempfile.mkdtemp(prefix="loopcoach-fuzz-"))
_SETTINGS = replace(
    Settings.from_environment({"LOOPCOACH_DATA_DIR": str(_DATA)}),
    cache_dir=Path("/tmp/loopcoach-test-cache"),
)
# Workers stay off: generated submissions are queued, which is all the API promises.
APP = create_app(
    _SETTINGS,
    start_workers=False,
    limiter=RateLimiter(capacity=1_000_000, refill_per_second=1_000),
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


def _error_shape(response: Any, case: Any) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    assert {"type", "title", "status", "code", "detail"} <= set(body), body
    assert body["status"] == response.status_code


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_never_fails_with_a_server_error(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    _error_shape(response, case)
