"""Conversations with the staff in SQL (bot/ports/conversations.py says what each call does).

A chat's conversation is made with INSERT ... ON CONFLICT DO NOTHING and read again, never a
caught IntegrityError: two messages of one chat handled at once by two replicas would otherwise
abort a PostgreSQL transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.conversations import Conversation, ConversationMessage, Direction, MediaKind
from storage.models import ConversationMessageRow, ConversationRow
from storage.repositories._sql import rowcount, upsert_insert


def _conversation(row: Any) -> Conversation:
    return Conversation(
        id=row.id,
        chat_id=row.chat_id,
        person_id=row.person_id,
        name=row.name,
        locale=row.locale,
        opened_at=row.opened_at,
        last_at=row.last_at,
        waiting=row.waiting,
    )


def _message(row: Any) -> ConversationMessage:
    return ConversationMessage(
        id=row.id,
        conversation_id=row.conversation_id,
        direction=Direction(row.direction),
        author_id=row.author_id,
        text=row.text,
        at=row.at,
        media=None if row.media is None else MediaKind(row.media),
        file_id=row.file_id,
    )


class SqlConversationRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def open_for(
        self, chat_id: int, person_id: int | None, name: str, locale: str, at: datetime
    ) -> Conversation:
        values = {"person_id": person_id, "name": name, "locale": locale, "last_at": at}
        await self._session.execute(
            upsert_insert(self._session, ConversationRow)
            .values(chat_id=chat_id, opened_at=at, waiting=True, **values)
            .on_conflict_do_nothing()
        )
        await self._session.execute(
            update(ConversationRow)
            .where(ConversationRow.chat_id == chat_id)
            .values(waiting=True, **values)
        )
        row = (
            await self._session.execute(
                select(ConversationRow).where(ConversationRow.chat_id == chat_id)
            )
        ).one()
        return _conversation(row)

    async def add_message(
        self,
        conversation_id: int,
        direction: Direction,
        author_id: int | None,
        text: str,
        at: datetime,
        media: MediaKind | None = None,
        file_id: str | None = None,
    ) -> ConversationMessage:
        row = (
            await self._session.execute(
                insert(ConversationMessageRow)
                .values(
                    conversation_id=conversation_id,
                    direction=Direction(direction).value,
                    author_id=author_id,
                    text=text,
                    media=None if media is None else MediaKind(media).value,
                    file_id=file_id,
                    at=at,
                )
                .returning(*ConversationMessageRow.__table__.columns)
            )
        ).one()
        return _message(row)

    async def answered(self, conversation_id: int, at: datetime) -> bool:
        result = await self._session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .values(waiting=False, last_at=at)
        )
        return rowcount(result) > 0

    async def get(self, conversation_id: int) -> Conversation | None:
        row = (
            await self._session.execute(
                select(ConversationRow).where(ConversationRow.id == conversation_id)
            )
        ).first()
        return None if row is None else _conversation(row)

    async def of_chat(self, chat_id: int) -> Conversation | None:
        row = (
            await self._session.execute(
                select(ConversationRow).where(ConversationRow.chat_id == chat_id)
            )
        ).first()
        return None if row is None else _conversation(row)

    async def message(self, message_id: int) -> ConversationMessage | None:
        row = (
            await self._session.execute(
                select(ConversationMessageRow).where(ConversationMessageRow.id == message_id)
            )
        ).first()
        return None if row is None else _message(row)

    async def messages(self, conversation_id: int) -> Sequence[ConversationMessage]:
        rows = await self._session.execute(
            select(ConversationMessageRow)
            .where(ConversationMessageRow.conversation_id == conversation_id)
            .order_by(ConversationMessageRow.id)
        )
        return [_message(row) for row in rows]

    async def waiting(self, limit: int) -> Sequence[Conversation]:
        rows = await self._session.execute(
            select(ConversationRow)
            .where(ConversationRow.waiting.is_(True))
            .order_by(ConversationRow.last_at, ConversationRow.id)
            .limit(limit)
        )
        return [_conversation(row) for row in rows]

    async def recent(self, limit: int) -> Sequence[Conversation]:
        rows = await self._session.execute(
            select(ConversationRow)
            .order_by(ConversationRow.last_at.desc(), ConversationRow.id.desc())
            .limit(limit)
        )
        return [_conversation(row) for row in rows]

    async def forget_chat(self, chat_id: int) -> int:
        ids = select(ConversationRow.id).where(ConversationRow.chat_id == chat_id)
        gone = await self._session.execute(
            delete(ConversationMessageRow).where(ConversationMessageRow.conversation_id.in_(ids))
        )
        await self._session.execute(
            delete(ConversationRow).where(ConversationRow.chat_id == chat_id)
        )
        return rowcount(gone)

    async def purge_idle(self, cutoff: datetime) -> int:
        ids = select(ConversationRow.id).where(ConversationRow.last_at < cutoff)
        await self._session.execute(
            delete(ConversationMessageRow).where(ConversationMessageRow.conversation_id.in_(ids))
        )
        gone = await self._session.execute(
            delete(ConversationRow).where(ConversationRow.last_at < cutoff)
        )
        return rowcount(gone)
