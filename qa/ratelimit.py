"""Per-client request budgets, counted by the `limits` library: at most `per_minute` requests in
any moving minute. Counted in memory (one process) by default; in Redis
(QA_RATE_LIMIT_STORAGE=redis://host:port/db) every replica behind a load balancer draws on one
budget per client.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from qa.errors import ConfigError

logger = logging.getLogger(__name__)


class RateLimiter:
    """Decides, per client key, whether a request may go ahead and how long to wait if not.

    Async, because the API asks from the event loop and a Redis round trip must not block it.
    When the shared store cannot be reached, requests go ahead (logged): readers keep getting
    answers while Redis is down, and only the limit is lost.
    """

    def __init__(self, per_minute: int, storage_uri: str = "memory://") -> None:
        from limits import RateLimitItemPerMinute
        from limits.aio.strategies import MovingWindowRateLimiter
        from limits.errors import ConfigurationError
        from limits.storage import storage_from_string

        self.item = RateLimitItemPerMinute(per_minute)
        # The async flavour of the same store; redis-py is the Redis client the project installs.
        options: dict[str, Any] = {"wrap_exceptions": True}  # any client error: StorageError
        if storage_uri.startswith(("redis://", "rediss://", "redis+unix://")):
            options["implementation"] = "redispy"
        try:
            self.storage = storage_from_string(f"async+{storage_uri}", **options)
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(
                f"QA_RATE_LIMIT_STORAGE={storage_uri!r} is not a usable store ({exc}).",
                "Use memory:// or redis://host:port/db.",
            ) from exc
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def acquire(self, client: str) -> float:
        """Count one request for `client`: 0.0 when allowed, else the seconds until one is."""
        from limits.errors import StorageError

        try:
            if await self.strategy.hit(self.item, client):
                return 0.0
            stats = await self.strategy.get_window_stats(self.item, client)
        except StorageError as exc:
            logger.warning("rate limit store unavailable, request allowed: %s", exc.storage_error)
            return 0.0
        return max(stats.reset_time - time.time(), 0.001)


def retry_after_header(wait_s: float) -> str:
    """Retry-After takes whole seconds; round up so a client that obeys it is let through."""
    return str(max(1, math.ceil(wait_s)))
