"""What the stand-in saw: every call, every violation of LINE's API, and counters.

A violation is a request that broke the Messaging API (a bug in the bot), or a webhook body
the stand-in itself would have sent against ``webhook.yml`` (a bug in the stand-in). Tests fail
on either (``tests/fixtures/line.py``).
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Violation:
    operation: str
    description: str
    body: Any
    spec: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Call:
    """One Messaging API request as the stand-in answered it."""

    operation: str
    status: int
    body: Any
    retry_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Record:
    calls: deque[Call] = field(default_factory=lambda: deque(maxlen=10_000))
    violations: list[Violation] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)

    def call(self, call: Call) -> None:
        self.calls.append(call)
        self.stats["requests"] += 1
        if call.status >= 400:
            self.stats[f"errors_{call.status}"] += 1

    def violation(self, violation: Violation) -> None:
        self.violations.append(violation)
        self.stats["violations"] += 1
        log.warning(
            "LINE API violation in %s: %s (%s)",
            violation.operation,
            violation.description,
            violation.spec,
        )
