"""Scheduled sends and people's reminder choices in SQL (`bot.ports.scheduling.ReminderRepository`).

Settling a send is a conditional UPDATE (`WHERE status = 'pending'`) with a row-count check: of
two runners of one send, on SQLite or PostgreSQL, exactly one sees its update take effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.reminders import (
    PlannedSend,
    ReminderPrefs,
    ScheduledSend,
    SendKind,
    SendStatus,
)
from storage.models import ReminderPrefsRow, ScheduledSendRow
from storage.repositories._sql import rowcount, upsert_insert

_COLUMNS = (
    ScheduledSendRow.id,
    ScheduledSendRow.key,
    ScheduledSendRow.kind,
    ScheduledSendRow.due_at,
    ScheduledSendRow.useful_until,
    ScheduledSendRow.subject_id,
    ScheduledSendRow.payload,
    ScheduledSendRow.status,
    ScheduledSendRow.created_at,
    ScheduledSendRow.done_at,
    ScheduledSendRow.done_by,
    ScheduledSendRow.note,
)


def _send(row: Any) -> ScheduledSend:
    return ScheduledSend(
        id=row.id,
        key=row.key,
        kind=SendKind(row.kind),
        due_at=row.due_at,
        useful_until=row.useful_until,
        subject_id=row.subject_id,
        payload=dict(row.payload or {}),
        status=SendStatus(row.status),
        created_at=row.created_at,
        done_at=row.done_at,
        done_by=row.done_by,
        note=row.note,
    )


def _bits(weekdays: frozenset[int]) -> int:
    return sum(1 << day for day in weekdays if 0 <= day <= 6)


def _weekdays(bits: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if bits & (1 << day))


class SqlReminderRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, send: PlannedSend, at: datetime) -> bool:
        stmt = (
            upsert_insert(self._session, ScheduledSendRow)
            .values(
                key=send.key,
                kind=send.kind.value,
                due_at=send.due_at,
                useful_until=send.useful_until,
                subject_id=send.subject_id,
                payload=dict(send.payload),
                status=SendStatus.PENDING.value,
                created_at=at,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(ScheduledSendRow.id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None

    async def get(self, send_id: int) -> ScheduledSend | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(ScheduledSendRow.id == send_id))
        ).first()
        return None if row is None else _send(row)

    async def due(self, now: datetime, limit: int) -> Sequence[ScheduledSend]:
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(
                ScheduledSendRow.status == SendStatus.PENDING.value,
                ScheduledSendRow.due_at <= now,
            )
            .order_by(ScheduledSendRow.due_at, ScheduledSendRow.id)
            .limit(limit)
        )
        return [_send(row) for row in rows]

    async def pending(self, limit: int) -> Sequence[ScheduledSend]:
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(ScheduledSendRow.status == SendStatus.PENDING.value)
            .order_by(ScheduledSendRow.due_at, ScheduledSendRow.id)
            .limit(limit)
        )
        return [_send(row) for row in rows]

    async def finish(
        self,
        send_id: int,
        status: SendStatus,
        at: datetime,
        *,
        note: str | None = None,
        by: int | None = None,
    ) -> bool:
        result = await self._session.execute(
            update(ScheduledSendRow)
            .where(
                ScheduledSendRow.id == send_id,
                ScheduledSendRow.status == SendStatus.PENDING.value,
            )
            .values(status=status.value, done_at=at, note=note, done_by=by)
        )
        return rowcount(result) == 1

    async def prefs(self, person_id: int) -> ReminderPrefs:
        return (await self.prefs_of([person_id])).get(person_id, ReminderPrefs(person_id))

    async def put_prefs(self, prefs: ReminderPrefs, at: datetime) -> None:
        values = {
            "all_off": prefs.all_off,
            "weekdays_off": _bits(prefs.weekdays_off),
            "updated_at": at,
        }
        stmt = upsert_insert(self._session, ReminderPrefsRow).values(
            person_id=prefs.person_id, **values
        )
        await self._session.execute(
            stmt.on_conflict_do_update(index_elements=["person_id"], set_=values)
        )

    async def prefs_of(self, person_ids: Sequence[int]) -> dict[int, ReminderPrefs]:
        found: dict[int, ReminderPrefs] = {}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), 500):  # keep each IN list well under parameter limits
            rows = await self._session.execute(
                select(
                    ReminderPrefsRow.person_id,
                    ReminderPrefsRow.all_off,
                    ReminderPrefsRow.weekdays_off,
                ).where(ReminderPrefsRow.person_id.in_(ids[start : start + 500]))
            )
            for person_id, all_off, bits in rows:
                found[person_id] = ReminderPrefs(person_id, bool(all_off), _weekdays(bits))
        return found
