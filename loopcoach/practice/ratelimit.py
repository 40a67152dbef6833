"""A token bucket per client: bursts up to a capacity, then a steady refill rate.

Each client's bucket holds up to `capacity` tokens and gains `refill_per_second` tokens a
second. A request takes one token; with none left it is refused, and the caller is told
how long until a token is back (the `Retry-After` of a 429).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0
    remaining: int = 0


class RateLimiter:
    """Token buckets keyed by client, safe to share between threads."""

    def __init__(
        self,
        capacity: int,
        refill_per_second: float,
        *,
        clock: Clock = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        if capacity < 1 or refill_per_second <= 0:
            raise ValueError("a rate limit needs a capacity >= 1 and a refill rate > 0")
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> Decision:
        """Take one token for `client` if there is one."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(client)
            if bucket is None:
                self._forget_full_buckets(now)
                bucket = self._buckets[client] = _Bucket(float(self.capacity), now)
            self._refill(bucket, now)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return Decision(True, remaining=int(bucket.tokens))
            wait = (1 - bucket.tokens) / self.refill_per_second
            return Decision(False, retry_after=max(1, math.ceil(wait)))

    def _refill(self, bucket: _Bucket, now: float) -> None:
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(
            self.capacity, bucket.tokens + elapsed * self.refill_per_second
        )
        bucket.updated = now

    def _forget_full_buckets(self, now: float) -> None:
        # A bucket that has refilled to capacity says nothing a new one would not, so
        # memory stays bounded however many clients pass by.
        if len(self._buckets) < self._max_clients:
            return
        for client, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.capacity:
                del self._buckets[client]
