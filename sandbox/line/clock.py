"""The stand-in's clock: wall time plus an offset that tests and the control API move forward.

Reply tokens expire, retry keys are forgotten and the monthly quota starts over by this clock,
so a test can let a minute or a month pass without waiting for it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9))


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the stand-in sees them."""
        return time.time() + self.offset

    def millis(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds

    def month(self) -> str:
        """The month LINE counts the quota in (Japan's time), as ``YYYY-MM``."""
        return datetime.fromtimestamp(self.now(), UTC).astimezone(JST).strftime("%Y-%m")
