"""The monthly message quota: pushes, multicasts and broadcasts count per recipient, replies
are free, and a request that would go past the plan's limit is refused whole with 429.

LINE counts a request to one person as one message however many message objects it carries
(up to 5); a multicast to 500 people counts 500. People who blocked the account receive nothing
and are not counted. The count starts over each month (Japan's time, the stand-in's clock).
Plans in Japan (2026): Communication 200 free messages a month, Light 5,000, Standard 30,000;
``limit`` None is a channel without a target limit (LINE's ``"type": "none"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.line.clock import Clock
from sandbox.line.errors import quota_spent

COMMUNICATION_PLAN = 200


@dataclass
class Quota:
    clock: Clock
    limit: int | None = COMMUNICATION_PLAN
    _used: dict[str, int] = field(default_factory=dict)

    @property
    def used(self) -> int:
        return self._used.get(self.clock.month(), 0)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    def spend(self, recipients: int) -> None:
        """Count a send to ``recipients`` people, or raise 429 and count nothing."""
        if self.limit is not None and self.used + recipients > self.limit:
            raise quota_spent()
        month = self.clock.month()
        self._used[month] = self._used.get(month, 0) + recipients

    def quota_body(self) -> dict[str, Any]:
        if self.limit is None:
            return {"type": "none"}
        return {"type": "limited", "value": self.limit}

    def consumption_body(self) -> dict[str, Any]:
        return {"totalUsage": self.used}

    def to_dict(self) -> dict[str, Any]:
        return {"limit": self.limit, "used": self.used, "remaining": self.remaining}
