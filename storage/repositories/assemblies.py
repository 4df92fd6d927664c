"""Assembly notices in SQL: the notices, members' answers, and who checked in on the day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.assemblies import Answer, Quorum, Rsvp
from bot.domain.coop import Assembly, NewAssembly
from storage.models import AssemblyAnswerRow, AssemblyCheckInRow, AssemblyRow
from storage.repositories._sql import rowcount, upsert_insert

_ASSEMBLY_COLUMNS = (
    AssemblyRow.id,
    AssemblyRow.title_ja,
    AssemblyRow.title_en,
    AssemblyRow.starts_at,
    AssemblyRow.place_ja,
    AssemblyRow.place_en,
    AssemblyRow.answer_by,
    AssemblyRow.agenda_ja,
    AssemblyRow.agenda_en,
    AssemblyRow.quorum_numerator,
    AssemblyRow.quorum_denominator,
    AssemblyRow.centre_id,
)
_ANSWER_COLUMNS = (
    AssemblyAnswerRow.assembly_id,
    AssemblyAnswerRow.person_id,
    AssemblyAnswerRow.rsvp,
    AssemblyAnswerRow.proxy_to,
    AssemblyAnswerRow.answered_at,
)


class SqlAssemblyRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, assembly: NewAssembly) -> Assembly:
        assembly_id = (
            await self._session.execute(
                insert(AssemblyRow)
                .values(
                    title_ja=assembly.title_ja,
                    title_en=assembly.title_en,
                    starts_at=assembly.starts_at,
                    place_ja=assembly.place_ja,
                    place_en=assembly.place_en,
                    answer_by=assembly.answer_by,
                    agenda_ja=assembly.agenda_ja,
                    agenda_en=assembly.agenda_en,
                    quorum_numerator=assembly.quorum.numerator,
                    quorum_denominator=assembly.quorum.denominator,
                    centre_id=assembly.centre_id,
                )
                .returning(AssemblyRow.id)
            )
        ).scalar_one()
        stored = await self.get(assembly_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def get(self, assembly_id: int) -> Assembly | None:
        row = (
            await self._session.execute(
                select(*_ASSEMBLY_COLUMNS).where(AssemblyRow.id == assembly_id)
            )
        ).one_or_none()
        return None if row is None else _assembly(row)

    async def upcoming(self, now: datetime, limit: int) -> Sequence[Assembly]:
        rows = await self._session.execute(
            select(*_ASSEMBLY_COLUMNS)
            .where(AssemblyRow.starts_at >= now)
            .order_by(AssemblyRow.starts_at, AssemblyRow.id)
            .limit(max(limit, 0))
        )
        return [_assembly(row) for row in rows]

    async def put_answer(self, answer: Answer) -> None:
        # Delete then insert: one statement shape on both dialects, inside the unit's transaction.
        await self._session.execute(
            delete(AssemblyAnswerRow).where(
                AssemblyAnswerRow.assembly_id == answer.assembly_id,
                AssemblyAnswerRow.person_id == answer.person_id,
            )
        )
        await self._session.execute(
            insert(AssemblyAnswerRow).values(
                assembly_id=answer.assembly_id,
                person_id=answer.person_id,
                rsvp=answer.rsvp.value,
                proxy_to=answer.proxy_to,
                answered_at=answer.answered_at,
            )
        )

    async def answer_of(self, assembly_id: int, person_id: int) -> Answer | None:
        row = (
            await self._session.execute(
                select(*_ANSWER_COLUMNS).where(
                    AssemblyAnswerRow.assembly_id == assembly_id,
                    AssemblyAnswerRow.person_id == person_id,
                )
            )
        ).one_or_none()
        return None if row is None else _answer(row)

    async def answers(self, assembly_id: int) -> Sequence[Answer]:
        rows = await self._session.execute(
            select(*_ANSWER_COLUMNS)
            .where(AssemblyAnswerRow.assembly_id == assembly_id)
            .order_by(AssemblyAnswerRow.person_id)
        )
        return [_answer(row) for row in rows]

    async def check_in(
        self, assembly_id: int, person_id: int, by: int | None, at: datetime
    ) -> bool:
        stmt = (
            upsert_insert(self._session, AssemblyCheckInRow)
            .values(
                assembly_id=assembly_id, person_id=person_id, checked_in_by=by, checked_in_at=at
            )
            .on_conflict_do_nothing()
            .returning(AssemblyCheckInRow.person_id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None

    async def checked_in(self, assembly_id: int) -> frozenset[int]:
        ids = await self._session.execute(
            select(AssemblyCheckInRow.person_id).where(
                AssemblyCheckInRow.assembly_id == assembly_id
            )
        )
        return frozenset(ids.scalars())

    async def undo_check_in(
        self, assembly_id: int, person_id: int, by: int | None, since: datetime
    ) -> bool:
        result = await self._session.execute(
            delete(AssemblyCheckInRow).where(
                AssemblyCheckInRow.assembly_id == assembly_id,
                AssemblyCheckInRow.person_id == person_id,
                AssemblyCheckInRow.checked_in_by == by,
                AssemblyCheckInRow.checked_in_at >= since,
            )
        )
        return rowcount(result) > 0

    async def update(self, assembly: Assembly) -> bool:
        # The dates are left out on purpose: members' reminders are planned from them.
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


def _assembly(row: Any) -> Assembly:
    return Assembly(
        id=row.id,
        title_ja=row.title_ja,
        title_en=row.title_en,
        starts_at=row.starts_at,
        place_ja=row.place_ja,
        place_en=row.place_en,
        answer_by=row.answer_by,
        agenda_ja=row.agenda_ja,
        agenda_en=row.agenda_en,
        quorum=Quorum(row.quorum_numerator, row.quorum_denominator),
        centre_id=row.centre_id,
    )


def _answer(row: Any) -> Answer:
    return Answer(
        assembly_id=row.assembly_id,
        person_id=row.person_id,
        rsvp=Rsvp(row.rsvp),
        proxy_to=row.proxy_to,
        answered_at=row.answered_at,
    )
