"""Queued submissions for the web: idempotent creation, reading progress, history."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from loopcoach.judge.runner import MAX_SOURCE_BYTES
from loopcoach.practice.service import Practice, PracticeError
from loopcoach.store import SubmissionRecord
from loopcoach.store.models import SubmissionMode
from loopcoach.store.queue import IdempotencyRequest, QueuedRequest, SubmissionQueue

IDEMPOTENCY_LIFETIME = timedelta(hours=24)


class SourceTooLarge(PracticeError):
    """The code is larger than the judge accepts."""


class SubmissionService:
    """Creates queued submissions and reads them back while workers judge them."""

    def __init__(
        self,
        practice: Practice,
        notify: Callable[[], None],
        *,
        idempotency_lifetime: timedelta = IDEMPOTENCY_LIFETIME,
    ) -> None:
        self.practice = practice
        self.queue = SubmissionQueue(practice.store)
        self._notify = notify
        self.idempotency_lifetime = idempotency_lifetime

    def submit(
        self,
        slug: str,
        code: str,
        mode: SubmissionMode,
        *,
        client: str,
        idempotency_key: str | None = None,
    ) -> tuple[SubmissionRecord, bool]:
        """Queue code for judging; with a key, a repeat returns the first submission.

        Returns:
            The submission and whether this call created it.

        Raises:
            UnknownProblem: no such problem.
            SourceTooLarge: the code is over the judge's size limit.
            IdempotencyConflict: the key was used for a different request.
        """
        problem = self.practice.problem(slug)
        if len(code.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
            raise SourceTooLarge(
                f"the code is larger than {MAX_SOURCE_BYTES // 1024} KiB, the judge's limit"
            )
        idempotency = None
        if idempotency_key is not None:
            idempotency = IdempotencyRequest(
                client=client,
                key=idempotency_key,
                request_hash=request_fingerprint(problem.slug, code, mode),
                lifetime=self.idempotency_lifetime,
            )
        record, created = self.queue.enqueue(
            QueuedRequest(problem.slug, code, mode), idempotency
        )
        if created:
            self._notify()
        return record, created

    def replay(
        self,
        slug: str,
        code: str,
        mode: SubmissionMode,
        *,
        client: str,
        idempotency_key: str,
    ) -> SubmissionRecord | None:
        """The submission a repeated request with this key made, if there is one.

        Raises:
            IdempotencyConflict: the key was used for a different request.
        """
        return self.queue.replay(
            IdempotencyRequest(
                client=client,
                key=idempotency_key,
                request_hash=request_fingerprint(slug, code, mode),
                lifetime=self.idempotency_lifetime,
            )
        )

    def get(self, submission_id: int) -> SubmissionRecord | None:
        return self.practice.history.get(submission_id)


def request_fingerprint(problem: str, code: str, mode: SubmissionMode) -> str:
    """What makes two requests the same for an Idempotency-Key."""
    body = json.dumps(
        {"problem": problem, "code": code, "mode": mode.value}, sort_keys=True
    )
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
