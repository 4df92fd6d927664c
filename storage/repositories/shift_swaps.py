"""Shift swaps in SQL: releasing and taking places (under a row lock on the shift), open shifts,
the centres' workers, and the hashed calendar links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.coop import Shift
from bot.domain.people import Person
from bot.domain.shift_swaps import ShiftRelease, TakeOutcome
from storage.models import CalendarTokenRow, ShiftAssignmentRow, ShiftReleaseRow, ShiftRow
from storage.repositories._sql import rowcount, upsert_insert
from storage.repositories.coop import SqlShiftRepository
from storage.repositories.people import SqlPeopleRepository

_RELEASE_COLUMNS = (
    ShiftReleaseRow.id,
    ShiftReleaseRow.shift_id,
    ShiftReleaseRow.person_id,
    ShiftReleaseRow.released_at,
    ShiftReleaseRow.reason,
    ShiftReleaseRow.taken_by,
    ShiftReleaseRow.taken_at,
)


def _release(row: Any) -> ShiftRelease:
    return ShiftRelease(
        id=row.id,
        shift_id=row.shift_id,
        person_id=row.person_id,
        released_at=row.released_at,
        reason=row.reason,
        taken_by=row.taken_by,
        taken_at=row.taken_at,
    )


class SqlShiftSwapRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self._shifts = SqlShiftRepository(session)

    async def _where(self, *where: ColumnElement[bool]) -> list[Shift]:
        ids = (await self._session.execute(select(ShiftRow.id).where(*where))).scalars().all()
        if not ids:
            return []
        return await self._shifts._shifts(ShiftRow.id.in_(list(ids)))

    async def unassign(self, shift_id: int, person_id: int) -> bool:
        result = await self._session.execute(
            delete(ShiftAssignmentRow).where(
                ShiftAssignmentRow.shift_id == shift_id, ShiftAssignmentRow.person_id == person_id
            )
        )
        return rowcount(result) > 0

    async def take(self, shift_id: int, person_id: int) -> TakeOutcome:
        # FOR UPDATE serialises takers of one shift on PostgreSQL; SQLite's write transactions
        # (BEGIN IMMEDIATE) are serial already, and SQLAlchemy leaves the clause out there.
        capacity = (
            await self._session.execute(
                select(ShiftRow.capacity).where(ShiftRow.id == shift_id).with_for_update()
            )
        ).scalar_one_or_none()
        if capacity is None:
            return TakeOutcome.MISSING
        people = (
            (
                await self._session.execute(
                    select(ShiftAssignmentRow.person_id).where(
                        ShiftAssignmentRow.shift_id == shift_id
                    )
                )
            )
            .scalars()
            .all()
        )
        if person_id in people:
            return TakeOutcome.ALREADY
        if len(people) >= capacity:
            return TakeOutcome.FULL
        stmt = (
            upsert_insert(self._session, ShiftAssignmentRow)
            .values(shift_id=shift_id, person_id=person_id)
            .on_conflict_do_nothing()
            .returning(ShiftAssignmentRow.shift_id)
        )
        inserted = (await self._session.execute(stmt)).scalar_one_or_none()
        return TakeOutcome.TAKEN if inserted is not None else TakeOutcome.ALREADY

    async def open_between(self, start: datetime, end: datetime) -> Sequence[Shift]:
        taken = (
            select(func.count())
            .select_from(ShiftAssignmentRow)
            .where(ShiftAssignmentRow.shift_id == ShiftRow.id)
            .scalar_subquery()
        )
        return await self._where(
            ShiftRow.starts_at >= start, ShiftRow.starts_at < end, taken < ShiftRow.capacity
        )

    async def overlapping(self, person_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        mine = select(ShiftAssignmentRow.shift_id).where(ShiftAssignmentRow.person_id == person_id)
        return await self._where(
            ShiftRow.id.in_(mine), ShiftRow.starts_at < end, ShiftRow.ends_at > start
        )

    async def at_centre(self, centre_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        return await self._where(
            ShiftRow.centre_id == centre_id, ShiftRow.starts_at >= start, ShiftRow.starts_at < end
        )

    async def centre_workers(self, centre_id: int) -> Sequence[Person]:
        ids = (
            await self._session.execute(
                select(ShiftAssignmentRow.person_id)
                .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
                .where(ShiftRow.centre_id == centre_id)
                .distinct()
                .order_by(ShiftAssignmentRow.person_id)
            )
        ).scalars()
        people = SqlPeopleRepository(self._session)
        found = [await people.get(person_id) for person_id in ids.all()]
        return [person for person in found if person is not None]

    async def add_release(self, shift_id: int, person_id: int, at: datetime) -> ShiftRelease:
        release_id = (
            await self._session.execute(
                insert(ShiftReleaseRow)
                .values(shift_id=shift_id, person_id=person_id, released_at=at)
                .returning(ShiftReleaseRow.id)
            )
        ).scalar_one()
        stored = await self.get_release(release_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def get_release(self, release_id: int) -> ShiftRelease | None:
        row = (
            await self._session.execute(
                select(*_RELEASE_COLUMNS).where(ShiftReleaseRow.id == release_id)
            )
        ).one_or_none()
        return None if row is None else _release(row)

    async def set_reason(self, release_id: int, reason: str) -> None:
        await self._session.execute(
            update(ShiftReleaseRow).where(ShiftReleaseRow.id == release_id).values(reason=reason)
        )

    async def mark_taken(self, shift_id: int, person_id: int, at: datetime) -> ShiftRelease | None:
        oldest = (
            await self._session.execute(
                select(ShiftReleaseRow.id)
                .where(ShiftReleaseRow.shift_id == shift_id, ShiftReleaseRow.taken_by.is_(None))
                .order_by(ShiftReleaseRow.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if oldest is None:
            return None
        await self._session.execute(
            update(ShiftReleaseRow)
            .where(ShiftReleaseRow.id == oldest)
            .values(taken_by=person_id, taken_at=at)
        )
        return await self.get_release(oldest)

    async def untake(self, release_id: int, person_id: int) -> bool:
        result = await self._session.execute(
            update(ShiftReleaseRow)
            .where(ShiftReleaseRow.id == release_id, ShiftReleaseRow.taken_by == person_id)
            .values(taken_by=None, taken_at=None)
        )
        return rowcount(result) > 0

    async def take_back(self, release_id: int) -> bool:
        release = await self.get_release(release_id)
        if release is None or release.taken_by is not None:
            return False
        # The same lock as `take`: a taker of the last free place and this undo are serial.
        capacity = (
            await self._session.execute(
                select(ShiftRow.capacity).where(ShiftRow.id == release.shift_id).with_for_update()
            )
        ).scalar_one_or_none()
        again = await self.get_release(release_id)
        if capacity is None or again is None or again.taken_by is not None:
            return False
        if await self.take(release.shift_id, release.person_id) is not TakeOutcome.TAKEN:
            return False
        await self._session.execute(delete(ShiftReleaseRow).where(ShiftReleaseRow.id == release_id))
        return True

    async def set_calendar_token(self, person_id: int, token_hash: str, at: datetime) -> None:
        stmt = upsert_insert(self._session, CalendarTokenRow).values(
            person_id=person_id, token_hash=token_hash, created_at=at
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[CalendarTokenRow.person_id],
                set_={"token_hash": token_hash, "created_at": at},
            )
        )

    async def person_by_calendar_token(self, token_hash: str) -> int | None:
        person_id: int | None = (
            await self._session.execute(
                select(CalendarTokenRow.person_id).where(CalendarTokenRow.token_hash == token_hash)
            )
        ).scalar_one_or_none()
        return person_id
