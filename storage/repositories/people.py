"""People and their roles in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.people import NewPerson, Person, Role
from storage.models import PersonChatRow, PersonRoleRow, PersonRow
from storage.repositories._sql import Prepared, rowcount, upsert_insert, writes_to

_P = PersonRow.__table__
_R = PersonRoleRow.__table__
_C = PersonChatRow.__table__
_TABLES = ("people", "person_roles", "person_chats")


# A person and one of their roles (or none) a row: what `_people_of` reads.
_PERSON_COLUMNS = (
    _P.c.id,
    _P.c.telegram_user_id,
    _P.c.display_name,
    _P.c.locale,
    _P.c.telegram_language,
    _P.c.unreachable,
    _P.c.created_at,
    _R.c.role,
)


def _people_where(where: ColumnElement[bool]) -> Select[Any]:
    """The people matching `where`, a row for each of their roles (or one without)."""
    return (
        select(*_PERSON_COLUMNS)
        .outerjoin(_R, _R.c.person_id == _P.c.id)
        .where(where)
        .order_by(_P.c.id)
    )


# The lookups of every update (who is writing) and of most services: built once (Prepared).
_BY_ID = Prepared(lambda _dialect: _people_where(_P.c.id == bindparam("id")))
_BY_TELEGRAM_ID = Prepared(
    lambda _dialect: _people_where(_P.c.telegram_user_id == bindparam("chat_id"))
)
# The person whose first chat it is, else who linked it as a further chat: one statement on
# the inbox worker's path, where two lookups cost a round trip each.
_OF_CHAT = Prepared(
    lambda _dialect: _people_where(
        or_(
            _P.c.telegram_user_id == bindparam("chat_id"),
            _P.c.id.in_(select(_C.c.person_id).where(_C.c.chat_id == bindparam("chat_id"))),
        )
    )
)


# The people of many chats, for a batch of updates: each row says which asked-for chat it is
# the first chat of (telegram_user_id) or a linked one (linked_chat).
_OF_CHATS = Prepared(
    lambda _dialect: (
        select(*_PERSON_COLUMNS, _C.c.chat_id.label("linked_chat"))
        .select_from(_P)
        .outerjoin(_R, _R.c.person_id == _P.c.id)
        .outerjoin(
            _C,
            (_C.c.person_id == _P.c.id) & _C.c.chat_id.in_(bindparam("chats", expanding=True)),
        )
        .where(
            or_(
                _P.c.telegram_user_id.in_(bindparam("chats", expanding=True)),
                _C.c.chat_id.is_not(None),
            )
        )
        .order_by(_P.c.id)
    )
)


class SqlPeopleRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        # Read ahead for a batch of updates (read_ahead): each answer serves one `of_chat`;
        # any write to people, their roles or chats (through any repository) drops them all.
        self._ahead: dict[int, Person | None] = {}
        self._written = 0

    async def read_ahead(self, chat_ids: Sequence[int]) -> None:
        chats = sorted(set(chat_ids))
        if not chats:
            return
        rows = list(await self._session.execute(_OF_CHATS.of(self._session), {"chats": chats}))
        people = {person.id: person for person in _people_of(rows)}
        first: dict[int, Person] = {}
        linked: dict[int, Person] = {}
        for row in rows:  # by person id: of two linking one chat, the lower, as of_chat
            if row.telegram_user_id is not None:
                first[row.telegram_user_id] = people[row.id]
            if row.linked_chat is not None:
                linked.setdefault(row.linked_chat, people[row.id])
        self._ahead = {chat: first.get(chat) or linked.get(chat) for chat in chats}
        self._written = writes_to(self._session, _TABLES)

    async def get(self, person_id: int) -> Person | None:
        found = await self._run(_BY_ID.of(self._session), {"id": person_id})
        return found[0] if found else None

    async def by_telegram_id(self, telegram_user_id: int) -> Person | None:
        found = await self._run(_BY_TELEGRAM_ID.of(self._session), {"chat_id": telegram_user_id})
        return found[0] if found else None

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
        self._ahead.clear()
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
        self._ahead.clear()
        stmt = upsert_insert(self._session, PersonRoleRow).values(
            person_id=person_id, role=Role(role).value
        )
        await self._session.execute(stmt.on_conflict_do_nothing())

    async def remove_role(self, person_id: int, role: Role) -> None:
        self._ahead.clear()
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
        self._ahead.clear()
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
        self._ahead.clear()
        await self._session.execute(delete(PersonRow).where(PersonRow.id == person_id))

    async def _update(self, where: ColumnElement[bool], **values: object) -> None:
        self._ahead.clear()
        await self._session.execute(update(PersonRow).where(where).values(**values))

    async def of_chat(self, chat_id: int) -> Person | None:
        if self._ahead and writes_to(self._session, _TABLES) != self._written:
            self._ahead.clear()  # someone wrote to people since: read again
        if chat_id in self._ahead:
            return self._ahead.pop(chat_id)
        found = await self._run(_OF_CHAT.of(self._session), {"chat_id": chat_id})
        first = [p for p in found if p.telegram_user_id == chat_id]
        return (first or found)[0] if found else None

    async def _run(self, statement: Select[Any], values: dict[str, Any]) -> list[Person]:
        """The people a prepared statement finds, each with their roles, in one statement."""
        return _people_of(await self._session.execute(statement, values))


def _people_of(rows: Iterable[Any]) -> list[Person]:
    """People from rows of `_people_where`: a row for each role, in order of person id."""
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
