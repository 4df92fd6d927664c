"""Centre membership in SQL: one `centre_memberships` row per (person, centre)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.people import Person, Role
from storage.models import CentreMembershipRow, PersonRoleRow
from storage.repositories._sql import rowcount, upsert_insert
from storage.repositories.people import SqlPeopleRepository

M = CentreMembershipRow


class SqlMembershipRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, person_id: int, centre_id: int) -> bool:
        stmt = upsert_insert(self._session, M).values(person_id=person_id, centre_id=centre_id)
        return rowcount(await self._session.execute(stmt.on_conflict_do_nothing())) == 1

    async def remove(self, person_id: int, centre_id: int) -> bool:
        result = await self._session.execute(
            delete(M).where(M.person_id == person_id, M.centre_id == centre_id)
        )
        return rowcount(result) == 1

    async def replace(self, person_id: int, centre_ids: Collection[int]) -> None:
        wanted = set(centre_ids)
        have = await self.centres_of(person_id)
        if have - wanted:
            await self._session.execute(
                delete(M).where(M.person_id == person_id, M.centre_id.in_(have - wanted))
            )
        for centre_id in sorted(wanted - have):
            await self.add(person_id, centre_id)

    async def centres_of(self, person_id: int) -> frozenset[int]:
        rows = await self._session.execute(select(M.centre_id).where(M.person_id == person_id))
        return frozenset(rows.scalars())

    async def members_of(self, centre_id: int, role: Role | None = None) -> Sequence[Person]:
        stmt = select(M.person_id).where(M.centre_id == centre_id).order_by(M.person_id)
        if role is not None:
            stmt = stmt.where(M.person_id.in_(_holding(role)))
        ids = (await self._session.execute(stmt)).scalars().all()
        people = SqlPeopleRepository(self._session)
        # Asked for a centre's staff (a few) or a meeting's voters: one small query each keeps
        # roles exact, as `people.page` does.
        found = [await people.get(person_id) for person_id in ids]
        return [person for person in found if person is not None]

    async def count(self, role: Role, centre_id: int | None = None) -> int:
        if centre_id is None:
            stmt = select(func.count()).select_from(_holding(role).subquery())
        else:
            stmt = (
                select(func.count())
                .select_from(M)
                .where(M.centre_id == centre_id, M.person_id.in_(_holding(role)))
            )
        return int((await self._session.execute(stmt)).scalar_one())

    async def counts(self, role: Role | None = None) -> dict[int, int]:
        stmt = select(M.centre_id, func.count()).group_by(M.centre_id)
        if role is not None:
            stmt = stmt.where(M.person_id.in_(_holding(role)))
        return {int(centre): int(n) for centre, n in await self._session.execute(stmt)}


def _holding(role: Role) -> Select[int]:
    """The ids of the people holding `role`."""
    return select(PersonRoleRow.person_id).where(PersonRoleRow.role == Role(role).value)
