"""In-memory scheduled sends and reminder choices, with the SQL store's semantics (part of
tests/fakes/memory_store)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.reminders import PlannedSend, ReminderPrefs, ScheduledSend, SendStatus
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


class MemoryReminderRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(self, send: PlannedSend, at: datetime) -> bool:
        if len(send.key) > 120:
            raise ValueError("key longer than the SQL column")  # SQL: String(120)
        if any(s.key == send.key for s in self._s.scheduled_sends.values()):
            return False
        stored = ScheduledSend(
            id=self._ids.take("scheduled_sends"),
            key=send.key,
            kind=send.kind,
            due_at=utc(send.due_at),
            useful_until=utc(send.useful_until),
            subject_id=send.subject_id,
            payload=copy.deepcopy(dict(send.payload)),
            status=SendStatus.PENDING,
            created_at=utc(at),
        )
        self._s.scheduled_sends[stored.id] = stored
        return True

    async def get(self, send_id: int) -> ScheduledSend | None:
        return self._s.scheduled_sends.get(send_id)

    def _pending(self) -> list[ScheduledSend]:
        pending = [s for s in self._s.scheduled_sends.values() if s.status is SendStatus.PENDING]
        return sorted(pending, key=lambda s: (s.due_at, s.id))

    async def due(self, now: datetime, limit: int) -> Sequence[ScheduledSend]:
        return [s for s in self._pending() if s.due_at <= now][:limit]

    async def pending(self, limit: int) -> Sequence[ScheduledSend]:
        return self._pending()[:limit]

    async def finish(
        self,
        send_id: int,
        status: SendStatus,
        at: datetime,
        *,
        note: str | None = None,
        by: int | None = None,
    ) -> bool:
        send = self._s.scheduled_sends.get(send_id)
        if send is None or send.status is not SendStatus.PENDING:
            return False
        self._s.scheduled_sends[send_id] = replace(
            send, status=status, done_at=utc(at), note=note, done_by=by
        )
        return True

    async def prefs(self, person_id: int) -> ReminderPrefs:
        return self._s.reminder_prefs.get(person_id, ReminderPrefs(person_id))

    async def put_prefs(self, prefs: ReminderPrefs, at: datetime) -> None:
        if prefs.person_id not in self._s.people:
            raise ValueError(f"no person {prefs.person_id}")  # SQL: foreign key
        self._s.reminder_prefs[prefs.person_id] = prefs

    async def prefs_of(self, person_ids: Sequence[int]) -> dict[int, ReminderPrefs]:
        return {i: self._s.reminder_prefs[i] for i in person_ids if i in self._s.reminder_prefs}
