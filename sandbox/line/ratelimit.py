"""LINE's rate limits per channel, as token buckets, one per endpoint.

LINE's documentation: push, reply and most endpoints 2,000 requests a second; multicast 200
requests a second (of up to 500 people each); broadcast and narrowcast 60 requests an hour. A
bucket holds one second's worth (broadcast: one hour's), so a burst from rest is allowed up to
the rate. A request beyond a limit is answered 429 and costs nothing. This is the stand-in's own
small model, independent of the Telegram sandbox's flood limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LineRateLimits:
    enabled: bool = True
    per_second: float = 2000.0
    multicast_per_second: float = 200.0
    broadcast_per_hour: float = 60.0

    @classmethod
    def disabled(cls) -> LineRateLimits:
        return cls(enabled=False)

    def bucket_for(self, operation_id: str) -> tuple[float, float]:
        """(tokens per second, capacity) of an endpoint's bucket."""
        if operation_id == "multicast":
            return self.multicast_per_second, self.multicast_per_second
        if operation_id in {"broadcast", "narrowcast"}:
            return self.broadcast_per_hour / 3600.0, self.broadcast_per_hour
        return self.per_second, self.per_second


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    updated: float


@dataclass
class LineRateLimiter:
    limits: LineRateLimits = field(default_factory=LineRateLimits)
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, operation_id: str) -> bool:
        """Take a token from the endpoint's bucket; False (nothing taken) if it is empty."""
        if not self.limits.enabled:
            return True
        now = self.clock()
        bucket = self._buckets.get(operation_id)
        if bucket is None:
            rate, capacity = self.limits.bucket_for(operation_id)
            bucket = self._buckets[operation_id] = _Bucket(rate, capacity, capacity, now)
        bucket.tokens = min(bucket.capacity, bucket.tokens + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True
