"""A person's further chats (`person_chats`) and link codes (`link_codes`) in SQL
(bot/ports/links.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports.links import LinkCode
from storage.models import LinkCodeRow, PersonChatRow


class SqlLinkRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add_code(self, code_hash: str, code: LinkCode) -> None:
        await self._session.execute(
            delete(LinkCodeRow).where(LinkCodeRow.person_id == code.person_id)
        )
        await self._session.execute(
            insert(LinkCodeRow).values(
                code_hash=code_hash,
                person_id=code.person_id,
                chat_id=code.chat_id,
                expires_at=code.expires_at,
            )
        )

    async def take_code(self, code_hash: str) -> LinkCode | None:
        row = (
            await self._session.execute(
                delete(LinkCodeRow)
                .where(LinkCodeRow.code_hash == code_hash)
                .returning(LinkCodeRow.person_id, LinkCodeRow.chat_id, LinkCodeRow.expires_at)
            )
        ).one_or_none()
        return None if row is None else LinkCode(row.person_id, row.chat_id, row.expires_at)

    async def attach(self, chat_id: int, person_id: int, at: datetime) -> None:
        await self._session.execute(
            insert(PersonChatRow).values(chat_id=chat_id, person_id=person_id, linked_at=at)
        )

    async def person_of(self, chat_id: int) -> int | None:
        return (
            await self._session.execute(
                select(PersonChatRow.person_id).where(PersonChatRow.chat_id == chat_id)
            )
        ).scalar_one_or_none()

    async def chats_of(self, person_id: int) -> list[int]:
        rows = await self._session.execute(
            select(PersonChatRow.chat_id)
            .where(PersonChatRow.person_id == person_id)
            .order_by(PersonChatRow.linked_at, PersonChatRow.chat_id)
        )
        return list(rows.scalars())

    async def forget_person(self, person_id: int) -> None:
        await self._session.execute(
            delete(PersonChatRow).where(PersonChatRow.person_id == person_id)
        )
        await self._session.execute(delete(LinkCodeRow).where(LinkCodeRow.person_id == person_id))

    async def linked_people(self, after: int, limit: int) -> list[int]:
        rows = await self._session.execute(
            select(PersonChatRow.person_id)
            .where(PersonChatRow.person_id > after)
            .group_by(PersonChatRow.person_id)
            .order_by(PersonChatRow.person_id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def detach(self, chat_id: int) -> int | None:
        return (
            await self._session.execute(
                delete(PersonChatRow)
                .where(PersonChatRow.chat_id == chat_id)
                .returning(PersonChatRow.person_id)
            )
        ).scalar_one_or_none()
