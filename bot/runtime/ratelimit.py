"""Telegram's sending limits, held on our side so that 429s stay the exception.

Pure bookkeeping on a time in seconds given by the caller (no clock, no sleeping), so the
sender decides when to wait and tests decide what time it is.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass


class TokenBucket:
    """The global limit: at most `rate` messages in any one second, and a steady flow.

    Telegram counts messages per second, so the hard rule is a sliding window: never more than
    `rate` in any second. Inside it, a token bucket of `capacity` (half a second's worth by
    default) spaces the messages out, and lets the sender catch up after a stall (a slow
    transaction, a busy machine) instead of losing that time for good: with a tenth of a
    second's burst, every longer pause cost throughput, and the achieved rate fell 5-10% short.

    `margin` widens the window: at most `rate` messages in any `window + margin` seconds. The
    server counts arrivals, and requests that left evenly arrive bunched (the network, both
    event loops): if no two requests' delays differ by more than the margin, no second of
    arrivals holds more than `rate`. It costs a steady flow `margin / (window + margin)` of the
    rate (7% for the sender's 0.08 s: the price of never meeting a 429 from such a server).
    """

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        window: float = 1.0,
        margin: float = 0.0,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if margin < 0:
            raise ValueError("margin must not be negative")
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate / 2)
        self.window = window + margin
        self.window_count = max(1, math.floor(rate * window))
        self._tokens = self.capacity
        self._at: float | None = None
        self._recent: deque[float] = deque()  # times of the takes in the last window

    def _refill(self, now: float) -> None:
        if self._at is not None and now > self._at:
            self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        if self._at is None or now > self._at:
            self._at = now
        while self._recent and self._recent[0] <= now - self.window:
            self._recent.popleft()

    def wait_time(self, now: float) -> float:
        """Seconds until one message may go (0: now)."""
        self._refill(now)
        # A token refilled by float arithmetic may come to 0.999999...: count it as whole.
        wait = 0.0 if self._tokens >= 1 - 1e-9 else (1 - self._tokens) / self.rate
        if len(self._recent) >= self.window_count:
            wait = max(wait, self._recent[0] + self.window - now, 1e-6)
        return wait

    def take(self, now: float) -> bool:
        if self.wait_time(now) > 0:
            return False
        self._tokens -= 1
        self._recent.append(now)
        return True

    def restamp(self, taken_at: float, left_at: float) -> None:
        """A message taken at `taken_at` actually left at `left_at`: the window counts it from
        then. Requests of one burst leave one after another (each is encoded and written by the
        same event loop), and a window that counted them all at the burst's instant let the
        next ones follow too closely for a server counting arrivals."""
        if left_at <= taken_at:
            return
        try:
            self._recent.remove(taken_at)
        except ValueError:
            return  # already out of the window
        bisect.insort(self._recent, left_at)


@dataclass(frozen=True)
class ChatLimits:
    private_interval: float = 1.0  # one message a second to one person
    group_count: int = 20  # twenty messages ...
    group_window: float = 60.0  # ... a minute to one group


class ChatLimiter:
    """Per-chat limits: when may the next message to this chat go?"""

    def __init__(self, limits: ChatLimits | None = None) -> None:
        self.limits = limits or ChatLimits()
        self._sent: dict[int, deque[float]] = {}

    def ready_at(self, chat_id: int, is_group: bool, now: float) -> float:
        """The earliest time (same scale as `now`) a message to this chat is allowed."""
        history = self._sent.get(chat_id)
        if not history:
            return now
        if is_group:
            while history and history[0] <= now - self.limits.group_window:
                history.popleft()
            if len(history) < self.limits.group_count:
                return now
            return max(now, history[0] + self.limits.group_window)
        return max(now, history[-1] + self.limits.private_interval)

    def record(self, chat_id: int, now: float) -> None:
        history = self._sent.setdefault(chat_id, deque())
        history.append(now)
        if len(history) > self.limits.group_count:
            history.popleft()

    def forget_idle(self, now: float) -> None:
        """Drops chats whose history no longer limits anything (bounds memory in a broadcast)."""
        horizon = max(self.limits.private_interval, self.limits.group_window)
        idle = [c for c, h in self._sent.items() if not h or h[-1] <= now - horizon]
        for chat_id in idle:
            del self._sent[chat_id]
