"""Conversations with the staff in memory, with the SQL store's semantics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.conversations import Conversation, ConversationMessage, Direction, MediaKind

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


class MemoryConversationRepository:
    def __init__(self, state: MemoryState, take_id: Callable[[str], int]) -> None:
        self._s = state
        self._take = take_id

    async def open_for(
        self, chat_id: int, person_id: int | None, name: str, locale: str, at: datetime
    ) -> Conversation:
        found = next((c for c in self._s.conversations.values() if c.chat_id == chat_id), None)
        if found is None:
            found = Conversation(
                self._take("conversations"), chat_id, None, name, locale, at, at, True
            )
        found = replace(
            found, person_id=person_id, name=name, locale=locale, last_at=at, waiting=True
        )
        self._s.conversations[found.id] = found
        return found

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
        if conversation_id not in self._s.conversations:
            raise ValueError(f"no conversation {conversation_id}")  # SQL: the foreign key
        message = ConversationMessage(
            self._take("conversation_messages"),
            conversation_id,
            Direction(direction),
            author_id,
            text,
            at,
            None if media is None else MediaKind(media),
            file_id,
        )
        self._s.conversation_messages[message.id] = message
        return message

    async def answered(self, conversation_id: int, at: datetime) -> bool:
        found = self._s.conversations.get(conversation_id)
        if found is None:
            return False
        self._s.conversations[conversation_id] = replace(found, waiting=False, last_at=at)
        return True

    async def get(self, conversation_id: int) -> Conversation | None:
        return self._s.conversations.get(conversation_id)

    async def of_chat(self, chat_id: int) -> Conversation | None:
        return next((c for c in self._s.conversations.values() if c.chat_id == chat_id), None)

    async def message(self, message_id: int) -> ConversationMessage | None:
        return self._s.conversation_messages.get(message_id)

    async def messages(self, conversation_id: int) -> Sequence[ConversationMessage]:
        return sorted(
            (
                m
                for m in self._s.conversation_messages.values()
                if m.conversation_id == conversation_id
            ),
            key=lambda m: m.id,
        )

    async def waiting(self, limit: int) -> Sequence[Conversation]:
        found = [c for c in self._s.conversations.values() if c.waiting]
        return sorted(found, key=lambda c: (c.last_at, c.id))[:limit]

    async def recent(self, limit: int) -> Sequence[Conversation]:
        found = sorted(self._s.conversations.values(), key=lambda c: (c.last_at, c.id))
        return list(reversed(found))[:limit]

    async def forget_chat(self, chat_id: int) -> int:
        gone = [c.id for c in self._s.conversations.values() if c.chat_id == chat_id]
        return sum([await self._delete(c) for c in gone])

    async def purge_idle(self, cutoff: datetime) -> int:
        gone = [c.id for c in self._s.conversations.values() if c.last_at < cutoff]
        for conversation_id in gone:
            await self._delete(conversation_id)
        return len(gone)

    async def _delete(self, conversation_id: int) -> int:
        messages = [
            m.id
            for m in self._s.conversation_messages.values()
            if m.conversation_id == conversation_id
        ]
        for message_id in messages:
            del self._s.conversation_messages[message_id]
        del self._s.conversations[conversation_id]
        return len(messages)
