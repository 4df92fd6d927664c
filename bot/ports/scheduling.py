"""Scheduling as the core sees it: the store of scheduled sends and reminder choices (part of the
unit of work in `store.py`), the leader lock that lets one replica run the scheduler, and how a
reply becomes a message (the composition root passes the renderer in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.reminders import PlannedSend, ReminderPrefs, ScheduledSend, SendStatus


class ReminderRepository(Protocol):
    async def add(self, send: PlannedSend, at: datetime) -> bool:
        """Stores a planned send; False (and nothing changes) when its key exists already."""
        ...

    async def get(self, send_id: int) -> ScheduledSend | None: ...

    async def due(self, now: datetime, limit: int) -> Sequence[ScheduledSend]:
        """Pending sends due at or before `now`, earliest first."""
        ...

    async def pending(self, limit: int) -> Sequence[ScheduledSend]:
        """Every pending send, earliest first (what staff see as upcoming)."""
        ...

    async def finish(
        self,
        send_id: int,
        status: SendStatus,
        at: datetime,
        *,
        note: str | None = None,
        by: int | None = None,
    ) -> bool:
        """Settles a pending send; False (and nothing changes) if it was settled already, so of
        two runners of one send exactly one goes on to fan it out."""
        ...

    async def prefs(self, person_id: int) -> ReminderPrefs: ...
    async def put_prefs(self, prefs: ReminderPrefs, at: datetime) -> None: ...
    async def prefs_of(self, person_ids: Sequence[int]) -> dict[int, ReminderPrefs]:
        """The stored choices of these people; people who never chose are left out."""
        ...


class LeaderLock(Protocol):
    """Which replica runs the scheduler. Acquire, then check `held()` every few seconds."""

    async def acquire(self) -> bool:
        """Takes the lock if nobody holds it; False when another process does."""
        ...

    async def held(self) -> bool:
        """Still the leader? False once the lock's connection is gone."""
        ...

    async def release(self) -> None: ...
