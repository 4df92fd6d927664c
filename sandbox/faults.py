"""Faults injected on demand: the next N calls of a method fail the way Telegram can fail.

Kinds: ``"429"`` (flood wait with ``retry_after``), ``"500"`` (internal server error), ``"403"``
(the user blocked the bot), ``"timeout"`` (the request is accepted and never answered, or
answered only after ``delay`` seconds). Users who blocked the bot are kept here too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FaultKind = Literal["429", "500", "403", "timeout"]
KINDS: frozenset[str] = frozenset({"429", "500", "403", "timeout"})


@dataclass
class Fault:
    kind: FaultKind
    method: str | None = None  # None: any method
    remaining: int = 1
    retry_after: int = 1
    delay: float | None = None  # "timeout" only: None hangs until the client gives up

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)
    blocked_users: set[int] = field(default_factory=set)

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        delay: float | None = None,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if count < 1 or retry_after < 1:
            raise ValueError("count and retry_after must be at least 1")
        fault = Fault(kind, method, count, retry_after, delay)  # type: ignore[arg-type]
        self.faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """The fault that applies to this call of ``method``, consuming one of its uses."""
        for fault in self.faults:
            if fault.method is None or fault.method == method:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
