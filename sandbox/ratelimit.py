"""Telegram's flood limits for sending messages, enforced per bot with token buckets.

Telegram documents "about 30 messages per second" overall, "no more than one message per second"
to one chat and 20 per minute to one group, and tolerates short bursts in practice. The sandbox
models each limit as a token bucket: its capacity is the burst allowed from rest, and it refills
at the sustained rate. Defaults: global 30/s with a burst of 30; a private chat 1/s with a burst
of 3; a group 20/min with a burst of 20. A call beyond a limit gets 429 with ``retry_after`` (whole
seconds, at least 1); a call that arrives while an earlier ``retry_after`` is still running is
counted as "sent too early" (a client that does not honour 429 is a bug).

``strict_window`` (opt-in) replaces the global bucket by what a strict server does: it counts
the bot's messages per sliding second as they arrive and refuses the one that would make more
than ``global_rate`` in any second, with no burst at all. ``arrival_jitter`` models the way
there: each call is counted as arriving up to that many seconds after the sandbox received it
(uniformly, from a seeded generator), so calls that left evenly arrive bunched, as they do on
a real network. A client that sends exactly ``global_rate`` a second by its own clock then gets
429s; one that keeps a margin does not (bot/runtime/ratelimit.py).
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimits:
    """Limits per bot. ``enabled=False`` turns the buckets off (429 windows still apply)."""

    enabled: bool = True
    global_rate: float = 30.0
    global_burst: float = 30.0
    private_rate: float = 1.0
    private_burst: float = 3.0
    group_rate: float = 20.0 / 60.0
    group_burst: float = 20.0
    strict_window: bool = False  # count arrivals per sliding second instead of a global bucket
    arrival_jitter: float = 0.0  # seconds a call may take to "arrive" (strict_window only)
    jitter_seed: int = 13

    @classmethod
    def disabled(cls) -> RateLimits:
        return cls(enabled=False)


@dataclass
class TokenBucket:
    rate: float
    capacity: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; return 0.0, or the seconds to wait if none is left (nothing taken)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass
class SlidingWindow:
    """Arrival times of the last seconds; refuses one that makes more than `limit` in any
    `window` (closed at the end, open at the start: (e - window, e])."""

    limit: int
    window: float = 1.0
    arrivals: list[float] = field(default_factory=list)  # sorted

    def admit(self, at: float) -> bool:
        """Counts an arrival at `at` if no window holding it would exceed the limit."""
        arrivals = self.arrivals
        # Arrivals long before any window holding `at` or a later one are gone for good (a
        # jittered arrival is never more than the jitter before the newest one).
        horizon = at - 2 * self.window
        drop = bisect.bisect_right(arrivals, horizon)
        if drop:
            del arrivals[:drop]
        position = bisect.bisect_right(arrivals, at)
        candidate = [*arrivals[:position], at, *arrivals[position:]]
        # Windows that hold `at` end at `at` or at a later arrival less than a window after it.
        for end_index in range(position, len(candidate)):
            end = candidate[end_index]
            if end >= at + self.window:
                break
            start_index = bisect.bisect_right(candidate, end - self.window)
            if end_index + 1 - start_index > self.limit:
                return False
        arrivals.insert(position, at)
        return True


@dataclass
class Verdict:
    """The outcome of one call: allowed, or refused with ``retry_after`` seconds."""

    retry_after: int = 0
    too_early: bool = False
    strict: bool = False  # refused by the strict sliding second (RateLimits.strict_window)

    @property
    def allowed(self) -> bool:
        return self.retry_after == 0


@dataclass
class RateLimiter:
    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[int, str], TokenBucket] = field(default_factory=dict)
    # (bot id, chat key or "*") -> monotonic time until which a 429 answered earlier holds.
    _windows: dict[tuple[int, str], float] = field(default_factory=dict)
    _strict: dict[int, SlidingWindow] = field(default_factory=dict)
    _jitter: random.Random | None = None

    def _arrival(self, now: float) -> float:
        if self.limits.arrival_jitter <= 0:
            return now
        if self._jitter is None:
            # A model of the network, seeded so that a run can be repeated: not cryptography.
            self._jitter = random.Random(self.limits.jitter_seed)  # noqa: S311
        return now + self._jitter.uniform(0.0, self.limits.arrival_jitter)

    def _bucket(self, key: tuple[int, str], rate: float, burst: float, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(rate, burst, burst, now)
        return bucket

    def window(self, bot_id: int, chat_key: str | None) -> int:
        """Seconds left of a 429 answered earlier to this bot (for this chat), else 0."""
        now = self.clock()
        left = max(
            self._windows.get((bot_id, "*"), 0.0) - now,
            self._windows.get((bot_id, chat_key), 0.0) - now if chat_key else 0.0,
        )
        return math.ceil(left) if left > 0 else 0

    def open_window(self, bot_id: int, chat_key: str | None, retry_after: int) -> None:
        key = (bot_id, chat_key or "*")
        self._windows[key] = max(self._windows.get(key, 0.0), self.clock() + retry_after)

    def check(self, bot_id: int, chat_key: str | None, is_group: bool) -> Verdict:
        """Account one message sent by ``bot_id`` to a chat and say whether it may go."""
        left = self.window(bot_id, chat_key)
        if left:
            return Verdict(retry_after=left, too_early=True)
        if not self.limits.enabled:
            return Verdict()
        now = self.clock()
        limits = self.limits
        waits = []
        if not limits.strict_window:
            waits.append(self._bucket((bot_id, "*"), limits.global_rate, limits.global_burst, now))
        if chat_key is not None:
            rate, burst = (
                (limits.group_rate, limits.group_burst)
                if is_group
                else (limits.private_rate, limits.private_burst)
            )
            waits.append(self._bucket((bot_id, chat_key), rate, burst, now))
        # Take from every bucket only when all have a token, so a refusal costs nothing.
        snapshot = [(b.tokens, b.updated) for b in waits]
        needed = [b.take(now) for b in waits]
        if needed and max(needed) > 0:
            for bucket, (tokens, updated) in zip(waits, snapshot, strict=True):
                bucket.tokens, bucket.updated = tokens, updated
            retry_after = max(1, math.ceil(max(needed)))
            key = chat_key if chat_key is not None and needed[-1] > 0 and len(waits) > 1 else None
            self.open_window(bot_id, key, retry_after)
            return Verdict(retry_after=retry_after)
        if limits.strict_window:
            window = self._strict.get(bot_id)
            if window is None:
                window = self._strict[bot_id] = SlidingWindow(math.floor(limits.global_rate))
            if not window.admit(self._arrival(now)):
                # Counted by the chat's bucket already: give its token back.
                for bucket, (tokens, updated) in zip(waits, snapshot, strict=True):
                    bucket.tokens, bucket.updated = tokens, updated
                self.open_window(bot_id, None, 1)
                return Verdict(retry_after=1, strict=True)
        return Verdict()
