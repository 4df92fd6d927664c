"""The staff web desk's part of the store in SQL: sign-in links, sessions, and the keyset-paged
lists its pages read (pending hours, people, the audit log), each served by an index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.coop import Assembly, Shift
from bot.domain.desk import AuditEntry, AuditQuery, DeskLogin, DeskSession
from bot.domain.hours import HourReport, ReportStatus
from bot.domain.people import Person, Role
from storage.models import (
    AssemblyRow,
    AuditRow,
    DeskLoginRow,
    DeskSessionRow,
    HourReportRow,
    PersonRoleRow,
    PersonRow,
    ShiftRow,
)
from storage.repositories._sql import rowcount
from storage.repositories.hours import _COLUMNS as REPORT_COLUMNS
from storage.repositories.hours import _report
from storage.repositories.people import SqlPeopleRepository


def _session(row: Any) -> DeskSession:
    return DeskSession(
        id_hash=row.id_hash,
        person_id=row.person_id,
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        ended_at=row.ended_at,
    )


class SqlDeskRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self._people = SqlPeopleRepository(session)

    async def add_login(self, login: DeskLogin) -> None:
        await self._session.execute(
            insert(DeskLoginRow).values(
                token_hash=login.token_hash,
                person_id=login.person_id,
                created_at=login.created_at,
                expires_at=login.expires_at,
                used_at=login.used_at,
            )
        )

    async def get_login(self, token_hash: str) -> DeskLogin | None:
        row = (
            await self._session.execute(
                select(
                    DeskLoginRow.token_hash,
                    DeskLoginRow.person_id,
                    DeskLoginRow.created_at,
                    DeskLoginRow.expires_at,
                    DeskLoginRow.used_at,
                ).where(DeskLoginRow.token_hash == token_hash)
            )
        ).one_or_none()
        if row is None:
            return None
        return DeskLogin(row.token_hash, row.person_id, row.created_at, row.expires_at, row.used_at)

    async def use_login(self, token_hash: str, at: datetime) -> bool:
        # The WHERE re-checks "unused" at write time: of two tabs opening one link, one wins.
        result = await self._session.execute(
            update(DeskLoginRow)
            .where(DeskLoginRow.token_hash == token_hash, DeskLoginRow.used_at.is_(None))
            .values(used_at=at)
        )
        return rowcount(result) == 1

    async def add_session(self, session: DeskSession) -> None:
        await self._session.execute(
            insert(DeskSessionRow).values(
                id_hash=session.id_hash,
                person_id=session.person_id,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                ended_at=session.ended_at,
            )
        )

    async def get_session(self, id_hash: str) -> DeskSession | None:
        row = (
            await self._session.execute(
                select(
                    DeskSessionRow.id_hash,
                    DeskSessionRow.person_id,
                    DeskSessionRow.csrf_token,
                    DeskSessionRow.created_at,
                    DeskSessionRow.last_seen_at,
                    DeskSessionRow.ended_at,
                ).where(DeskSessionRow.id_hash == id_hash)
            )
        ).one_or_none()
        return None if row is None else _session(row)

    async def touch_session(self, id_hash: str, at: datetime) -> None:
        await self._session.execute(
            update(DeskSessionRow).where(DeskSessionRow.id_hash == id_hash).values(last_seen_at=at)
        )

    async def end_session(self, id_hash: str, at: datetime) -> None:
        await self._session.execute(
            update(DeskSessionRow)
            .where(DeskSessionRow.id_hash == id_hash, DeskSessionRow.ended_at.is_(None))
            .values(ended_at=at)
        )

    def _pending(
        self, centre_id: int | None, exclude_person: int | None
    ) -> list[ColumnElement[bool]]:
        where = [HourReportRow.status == ReportStatus.PENDING.value]
        if centre_id is not None:
            where.append(HourReportRow.centre_id == centre_id)
        if exclude_person is not None:
            where.append(HourReportRow.person_id != exclude_person)
        return where

    async def pending_hours(
        self, centre_id: int | None, exclude_person: int | None, after: int, limit: int
    ) -> Sequence[HourReport]:
        stmt = (
            select(*REPORT_COLUMNS)
            .where(*self._pending(centre_id, exclude_person), HourReportRow.id > after)
            .order_by(HourReportRow.id)
            .limit(limit)
        )
        return [_report(row) for row in await self._session.execute(stmt)]

    async def count_pending_hours(self, centre_id: int | None, exclude_person: int | None) -> int:
        # All pending ones are counted from an index alone (status, centre, id: 0012); the staff
        # member's own few, found by person, are taken away. Filtering "not mine" row by row
        # instead read every pending row of the table: 0.5 s a page with a million reports.
        total = select(func.count()).where(*self._pending(centre_id, None))
        count = int((await self._session.execute(total)).scalar_one())
        if exclude_person is None:
            return count
        own = select(func.count()).where(
            *self._pending(centre_id, None), HourReportRow.person_id == exclude_person
        )
        return count - int((await self._session.execute(own)).scalar_one())

    async def people(self, role: Role | None, after: int, limit: int) -> Sequence[Person]:
        stmt = select(PersonRow.id).where(PersonRow.id > after).order_by(PersonRow.id).limit(limit)
        if role is not None:
            stmt = stmt.where(
                PersonRow.id.in_(
                    select(PersonRoleRow.person_id).where(PersonRoleRow.role == Role(role).value)
                )
            )
        ids = (await self._session.execute(stmt)).scalars().all()
        # A page is at most a few dozen people: one small query each keeps roles exact.
        people = [await self._people.get(person_id) for person_id in ids]
        return [person for person in people if person is not None]

    async def count_by_role(self) -> dict[Role, int]:
        rows = await self._session.execute(
            select(PersonRoleRow.role, func.count()).group_by(PersonRoleRow.role)
        )
        return {Role(role): int(count) for role, count in rows}

    async def audit(
        self, query: AuditQuery, before: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        where: list[ColumnElement[bool]] = []
        if before is not None:
            where.append(AuditRow.id < before)
        if query.subject:
            where.append(AuditRow.subject == query.subject)
        if query.actor_person_id is not None:
            where.append(AuditRow.actor_person_id == query.actor_person_id)
        if query.action:
            if query.action.endswith("."):
                where.append(AuditRow.action.startswith(query.action, autoescape=True))
            else:
                where.append(AuditRow.action == query.action)
        if query.since is not None:
            where.append(AuditRow.at >= query.since)
        if query.until is not None:
            where.append(AuditRow.at < query.until)
        stmt = (
            select(
                AuditRow.id,
                AuditRow.at,
                AuditRow.actor_person_id,
                AuditRow.action,
                AuditRow.subject,
                AuditRow.details,
            )
            .where(*where)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        return [
            AuditEntry(
                row.id,
                row.at,
                row.actor_person_id,
                row.action,
                row.subject,
                dict(row.details) if row.details else None,
            )
            for row in await self._session.execute(stmt)
        ]

    async def update_shift(self, shift: Shift) -> bool:
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

    async def update_assembly(self, assembly: Assembly) -> bool:
        result = await self._session.execute(
            update(AssemblyRow)
            .where(AssemblyRow.id == assembly.id)
            .values(
                title_ja=assembly.title_ja,
                title_en=assembly.title_en,
                place_ja=assembly.place_ja,
                place_en=assembly.place_en,
                agenda_ja=assembly.agenda_ja,
                agenda_en=assembly.agenda_en,
                quorum_numerator=assembly.quorum.numerator,
                quorum_denominator=assembly.quorum.denominator,
            )
        )
        return rowcount(result) == 1
