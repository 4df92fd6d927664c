"""Business centres, and shifts with the people assigned to them, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.contact import OfficeHours, parse_office_hours
from bot.domain.coop import BusinessCentre, NewShift, Shift, WorkKind
from bot.domain.people import Person
from storage.models import CentreRow, ShiftAssignmentRow, ShiftRow
from storage.repositories._sql import rowcount, upsert_insert
from storage.repositories.people import SqlPeopleRepository

_SHIFT_COLUMNS = (
    ShiftRow.id,
    ShiftRow.centre_id,
    ShiftRow.starts_at,
    ShiftRow.ends_at,
    ShiftRow.kind,
    ShiftRow.capacity,
    ShiftRow.for_volunteers,
)


_CENTRE_COLUMNS = (
    CentreRow.id,
    CentreRow.name_ja,
    CentreRow.name_en,
    CentreRow.phone,
    CentreRow.kinds,
    CentreRow.areas,
    CentreRow.closed_at,
    CentreRow.office_hours,
    CentreRow.is_office,
    CentreRow.office_id,
)


class SqlCentreRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, name_ja: str, name_en: str) -> BusinessCentre:
        centre_id = (
            await self._session.execute(
                insert(CentreRow)
                .values(name_ja=name_ja, name_en=name_en, kinds=[], areas=[])
                .returning(CentreRow.id)
            )
        ).scalar_one()
        return BusinessCentre(id=centre_id, name_ja=name_ja, name_en=name_en)

    async def all(self) -> Sequence[BusinessCentre]:
        rows = await self._session.execute(select(*_CENTRE_COLUMNS).order_by(CentreRow.id))
        return [_centre(row) for row in rows]

    async def get(self, centre_id: int) -> BusinessCentre | None:
        row = (
            await self._session.execute(select(*_CENTRE_COLUMNS).where(CentreRow.id == centre_id))
        ).one_or_none()
        return None if row is None else _centre(row)

    async def update(self, centre: BusinessCentre) -> bool:
        result = await self._session.execute(
            update(CentreRow)
            .where(CentreRow.id == centre.id)
            .values(
                name_ja=centre.name_ja,
                name_en=centre.name_en,
                phone=centre.phone,
                kinds=sorted(kind.value for kind in centre.kinds),
                areas=list(centre.areas),
                closed_at=centre.closed_at,
                office_hours="; ".join(span.code() for span in centre.office_hours) or None,
                is_office=centre.is_office,
                office_id=centre.office_id,
            )
        )
        return rowcount(result) == 1


def _centre(row: Any) -> BusinessCentre:
    return BusinessCentre(
        id=row.id,
        name_ja=row.name_ja,
        name_en=row.name_en,
        phone=row.phone,
        kinds=frozenset(WorkKind(code) for code in row.kinds or ()),
        areas=tuple(row.areas or ()),
        closed_at=row.closed_at,
        office_hours=_hours(row.office_hours),
        is_office=bool(row.is_office),
        office_id=row.office_id,
    )


def _hours(code: str | None) -> tuple[OfficeHours, ...]:
    """A centre's office hours as stored (written by `update`, so always readable)."""
    return () if not code else parse_office_hours(code)


class SqlShiftRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, shift: NewShift) -> Shift:
        shift_id = (
            await self._session.execute(
                insert(ShiftRow)
                .values(
                    centre_id=shift.centre_id,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    kind=WorkKind(shift.kind).value,
                    capacity=shift.capacity,
                    for_volunteers=shift.for_volunteers,
                )
                .returning(ShiftRow.id)
            )
        ).scalar_one()
        stored = await self.get(shift_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def get(self, shift_id: int) -> Shift | None:
        shifts = await self._shifts(ShiftRow.id == shift_id)
        return shifts[0] if shifts else None

    async def assign(self, shift_id: int, person_id: int) -> bool:
        stmt = (
            upsert_insert(self._session, ShiftAssignmentRow)
            .values(shift_id=shift_id, person_id=person_id)
            .on_conflict_do_nothing()
            .returning(ShiftAssignmentRow.shift_id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None

    async def for_person(self, person_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        mine = select(ShiftAssignmentRow.shift_id).where(ShiftAssignmentRow.person_id == person_id)
        return await self._shifts(
            ShiftRow.id.in_(mine), ShiftRow.starts_at >= start, ShiftRow.starts_at < end
        )

    async def on_shift(self, shift_id: int) -> Sequence[Person]:
        ids = (
            await self._session.execute(
                select(ShiftAssignmentRow.person_id)
                .where(ShiftAssignmentRow.shift_id == shift_id)
                .order_by(ShiftAssignmentRow.person_id)
            )
        ).scalars()
        # One query per person: a shift has a handful of people.
        people = SqlPeopleRepository(self._session)
        found = [await people.get(person_id) for person_id in ids.all()]
        return [person for person in found if person is not None]

    async def update(self, shift: Shift) -> bool:
        result = await self._session.execute(
            update(ShiftRow)
            .where(ShiftRow.id == shift.id)
            .values(
                centre_id=shift.centre_id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                kind=shift.kind.value,
                capacity=shift.capacity,
                for_volunteers=shift.for_volunteers,
            )
        )
        return rowcount(result) == 1

    async def _shifts(self, *where: ColumnElement[bool]) -> list[Shift]:
        rows = (
            await self._session.execute(
                select(*_SHIFT_COLUMNS).where(*where).order_by(ShiftRow.starts_at, ShiftRow.id)
            )
        ).all()
        if not rows:
            return []
        assigned: dict[int, set[int]] = {row.id: set() for row in rows}
        pairs = await self._session.execute(
            select(ShiftAssignmentRow.shift_id, ShiftAssignmentRow.person_id).where(
                ShiftAssignmentRow.shift_id.in_(list(assigned))
            )
        )
        for shift_id, person_id in pairs:
            assigned[shift_id].add(person_id)
        return [_shift(row, assigned[row.id]) for row in rows]


def _shift(row: Any, assigned: set[int]) -> Shift:
    return Shift(
        id=row.id,
        centre_id=row.centre_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        kind=WorkKind(row.kind),
        capacity=row.capacity,
        assigned=frozenset(assigned),
        for_volunteers=bool(row.for_volunteers),
    )
