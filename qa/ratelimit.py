"""Per-client token buckets: a burst of `per_minute` requests, refilled evenly over a minute."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Decides, per client key, whether a request may go ahead and how long to wait if not.

    Not thread-safe on purpose: the API calls it from async code on the event loop only, so calls
    never interleave. Idle clients' buckets are dropped once the table grows past `max_clients`,
    which bounds memory whatever the number of distinct clients.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self.clock = clock
        self.max_clients = max_clients
        self.buckets: dict[str, _Bucket] = {}

    def acquire(self, client: str) -> float:
        """Take one token for `client`: 0.0 when allowed, else the seconds until one is free."""
        now = self.clock()
        bucket = self.buckets.get(client)
        if bucket is None:
            if len(self.buckets) >= self.max_clients:
                self._forget_idle(now)
            bucket = self.buckets[client] = _Bucket(tokens=self.capacity, updated=now)
        else:
            elapsed = now - bucket.updated
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.refill_per_s)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.refill_per_s

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled completely: those clients start afresh anyway."""
        full_after = self.capacity / self.refill_per_s
        self.buckets = {
            key: bucket for key, bucket in self.buckets.items() if now - bucket.updated < full_after
        }


def retry_after_header(wait_s: float) -> str:
    """Retry-After takes whole seconds; round up so a client that obeys it is let through."""
    return str(max(1, math.ceil(wait_s)))
