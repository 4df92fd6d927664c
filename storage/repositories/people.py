"""People and their roles in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.people import NewPerson, Person, Role
from storage.models import PersonChatRow, PersonRoleRow, PersonRow
from storage.repositories._sql import rowcount, upsert_insert


class SqlPeopleRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def get(self, person_id: int) -> Person | None:
        return await self._one(PersonRow.id == person_id)

    async def by_telegram_id(self, telegram_user_id: int) -> Person | None:
        return await self._one(PersonRow.telegram_user_id == telegram_user_id)

    async def with_role(self, role: Role) -> Sequence[Person]:
        ids = (
            await self._session.execute(
                select(PersonRoleRow.person_id)
                .where(PersonRoleRow.role == Role(role).value)
                .order_by(PersonRoleRow.person_id)
            )
        ).scalars()
        # One query per person: role holders asked for this way are few (staff, admins).
        people = [await self.get(person_id) for person_id in ids.all()]
        return [person for person in people if person is not None]

    async def page(self, role: Role | None, after: int, limit: int) -> Sequence[Person]:
        stmt = select(PersonRow.id).where(PersonRow.id > after).order_by(PersonRow.id).limit(limit)
        if role is not None:
            stmt = stmt.where(
                PersonRow.id.in_(
                    select(PersonRoleRow.person_id).where(PersonRoleRow.role == Role(role).value)
                )
            )
        ids = (await self._session.execute(stmt)).scalars().all()
        # A page is at most a few dozen people: one small query each keeps roles exact.
        people = [await self.get(person_id) for person_id in ids]
        return [person for person in people if person is not None]

    async def count_by_role(self) -> dict[Role, int]:
        rows = await self._session.execute(
            select(PersonRoleRow.role, func.count()).group_by(PersonRoleRow.role)
        )
        return {Role(role): int(count) for role, count in rows}

    async def add(self, person: NewPerson) -> Person:
        person_id = (
            await self._session.execute(
                insert(PersonRow)
                .values(
                    telegram_user_id=person.telegram_user_id,
                    display_name=person.display_name,
                    locale=person.locale,
                    telegram_language=person.telegram_language,
                    unreachable=False,
                    created_at=person.created_at,
                )
                .returning(PersonRow.id)
            )
        ).scalar_one()
        for role in person.roles:
            await self.add_role(person_id, role)
        stored = await self.get(person_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def set_locale(self, person_id: int, locale: str | None) -> None:
        await self._update(PersonRow.id == person_id, locale=locale)

    async def set_telegram_language(self, person_id: int, language: str | None) -> None:
        await self._update(PersonRow.id == person_id, telegram_language=language)

    async def add_role(self, person_id: int, role: Role) -> None:
        stmt = upsert_insert(self._session, PersonRoleRow).values(
            person_id=person_id, role=Role(role).value
        )
        await self._session.execute(stmt.on_conflict_do_nothing())

    async def remove_role(self, person_id: int, role: Role) -> None:
        await self._session.execute(
            delete(PersonRoleRow).where(
                PersonRoleRow.person_id == person_id, PersonRoleRow.role == Role(role).value
            )
        )

    async def mark_unreachable(self, telegram_user_id: int, unreachable: bool) -> None:
        await self._update(PersonRow.telegram_user_id == telegram_user_id, unreachable=unreachable)

    async def attach(
        self, person_id: int, telegram_user_id: int, telegram_language: str | None
    ) -> bool:
        # Conditional, as an invite's use: of two accounts racing for one person, one wins.
        result = await self._session.execute(
            update(PersonRow)
            .where(PersonRow.id == person_id, PersonRow.telegram_user_id.is_(None))
            .values(telegram_user_id=telegram_user_id, telegram_language=telegram_language)
        )
        return rowcount(result) == 1

    async def rename(self, person_id: int, display_name: str) -> None:
        await self._update(PersonRow.id == person_id, display_name=display_name)

    async def remove_placeholder(self, person_id: int) -> None:
        await self._session.execute(delete(PersonRow).where(PersonRow.id == person_id))

    async def _update(self, where: ColumnElement[bool], **values: object) -> None:
        await self._session.execute(update(PersonRow).where(where).values(**values))

    async def of_chat(self, chat_id: int) -> Person | None:
        # The person whose first chat it is, else who linked it as a further chat: one
        # statement on the inbox worker's path, where two lookups cost a round trip each.
        linked = select(PersonChatRow.person_id).where(PersonChatRow.chat_id == chat_id)
        found = await self._people(
            or_(PersonRow.telegram_user_id == chat_id, PersonRow.id.in_(linked))
        )
        first = [p for p in found if p.telegram_user_id == chat_id]
        return (first or found)[0] if found else None

    async def _one(self, where: ColumnElement[bool]) -> Person | None:
        found = await self._people(where)
        return found[0] if found else None

    async def _people(self, where: ColumnElement[bool]) -> list[Person]:
        """The people matching `where`, each with their roles, in one statement."""
        rows = await self._session.execute(
            select(
                PersonRow.id,
                PersonRow.telegram_user_id,
                PersonRow.display_name,
                PersonRow.locale,
                PersonRow.telegram_language,
                PersonRow.unreachable,
                PersonRow.created_at,
                PersonRoleRow.role,
            )
            .outerjoin(PersonRoleRow, PersonRoleRow.person_id == PersonRow.id)
            .where(where)
            .order_by(PersonRow.id)
        )
        people: dict[int, tuple[Any, set[Role]]] = {}
        for row in rows:
            _, roles = people.setdefault(row.id, (row, set()))
            if row.role is not None:
                roles.add(Role(row.role))
        return [
            Person(
                id=row.id,
                telegram_user_id=row.telegram_user_id,
                display_name=row.display_name,
                locale=row.locale,
                telegram_language=row.telegram_language,
                roles=frozenset(roles),
                created_at=row.created_at,
                unreachable=row.unreachable,
            )
            for row, roles in people.values()
        ]
