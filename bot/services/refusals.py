"""Guesses at a secret in a link (a desk sign-in link, a calendar link), made cheap to refuse.

A web client that keeps guessing must cost Kyodo neither a database write per guess nor its
attention: `GuessGate` counts each client's refused guesses in memory, refuses a client that made
`limit` of them within a minute before anything is looked up, and writes one audit row per client
per minute with the client's address and how many guesses it made (the nightly purge removes the
address after the retention period: bot.domain.audit.TRACES). In memory on purpose, like the
flood guard: a restart that forgets the counts costs an attacker one more minute's `limit`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.ports.store import UnitOfWorkFactory

MINUTE = timedelta(minutes=1)
MAX_CLIENTS = 10_000  # beyond this many clients in a minute, the oldest buckets are written out


@dataclass
class _Bucket:
    """One client's refused guesses in one minute."""

    minute: datetime
    why: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.why.values())


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


class GuessGate:
    def __init__(self, action: str, limit: int = 10) -> None:
        """`action`: the audit rows' action (`desk.sign_in_refused`); `limit`: refused guesses
        a client may make in a minute before it is refused without a look."""
        self.action = action
        self.limit = limit
        self._buckets: dict[str, _Bucket] = {}
        self._done: list[tuple[str, _Bucket]] = []  # finished minutes, not yet written
        self._oldest: datetime | None = None  # the oldest minute among the buckets

    def blocked(self, client: str, now: datetime) -> bool:
        """True when `client` used up its guesses this minute (the guess is counted too)."""
        bucket = self._bucket(client, now)
        if bucket.count < self.limit:
            return False
        bucket.why["throttled"] += 1
        return True

    def refused(self, client: str, now: datetime, why: str) -> None:
        """Counts a guess that was looked up and refused (`why`: the refusal's code)."""
        self._bucket(client, now).why[why] += 1

    def due(self, now: datetime) -> bool:
        """Whether a minute of guesses is over and waits to be written (see `flush`)."""
        return bool(self._done) or (self._oldest is not None and self._oldest < _minute(now))

    async def flush(
        self, uow_factory: UnitOfWorkFactory, now: datetime, *, everything: bool = False
    ) -> int:
        """Writes one audit row per client per finished minute (every minute with `everything`, at
        shutdown); returns how many rows."""
        current = _minute(now)
        for client, bucket in list(self._buckets.items()):
            if everything or bucket.minute < current:
                self._done.append((client, bucket))
                del self._buckets[client]
        self._oldest = min((b.minute for b in self._buckets.values()), default=None)
        if not self._done:
            return 0
        done, self._done = self._done, []
        async with uow_factory() as uow:
            for client, bucket in done:
                details = {
                    "client": client,
                    "minute": bucket.minute.isoformat(),
                    "count": bucket.count,
                    "why": dict(bucket.why),
                }
                await uow.audit.add(now, None, self.action, "client", details)
            await uow.commit()
        return len(done)

    def _bucket(self, client: str, now: datetime) -> _Bucket:
        minute = _minute(now)
        bucket = self._buckets.get(client)
        if bucket is not None and bucket.minute != minute:
            self._done.append((client, bucket))
            bucket = None
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                oldest = min(self._buckets, key=lambda c: self._buckets[c].minute)
                self._done.append((oldest, self._buckets.pop(oldest)))
            bucket = self._buckets[client] = _Bucket(minute)
            if self._oldest is None or minute < self._oldest:
                self._oldest = minute
        return bucket
