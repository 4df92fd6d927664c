"""What the core needs to keep conversations with the staff (bot/domain/conversations.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.conversations import (
    Conversation,
    ConversationMessage,
    Direction,
    MediaKind,
)


class ConversationRepository(Protocol):
    async def open_for(
        self, chat_id: int, person_id: int | None, name: str, locale: str, at: datetime
    ) -> Conversation:
        """The chat's conversation (made on its first message), now waiting for staff, with
        the name and language given and `last_at` = `at`."""
        ...

    async def add_message(
        self,
        conversation_id: int,
        direction: Direction,
        author_id: int | None,
        text: str,
        at: datetime,
        media: MediaKind | None = None,
        file_id: str | None = None,
    ) -> ConversationMessage: ...

    async def answered(self, conversation_id: int, at: datetime) -> bool:
        """No longer waiting, `last_at` = `at`; False if there is no such conversation."""
        ...

    async def get(self, conversation_id: int) -> Conversation | None: ...
    async def of_chat(self, chat_id: int) -> Conversation | None:
        """The chat's conversation, if it has one (for /mydata)."""
        ...

    async def message(self, message_id: int) -> ConversationMessage | None: ...
    async def messages(self, conversation_id: int) -> Sequence[ConversationMessage]:
        """Its messages, oldest first."""
        ...

    async def waiting(self, limit: int) -> Sequence[Conversation]:
        """Conversations waiting for staff, the longest-waiting first."""
        ...

    async def recent(self, limit: int) -> Sequence[Conversation]:
        """Every conversation, the latest first (the desk's list)."""
        ...

    async def forget_chat(self, chat_id: int) -> int:
        """Deletes the chat's conversation and its messages; how many messages went."""
        ...

    async def purge_idle(self, cutoff: datetime) -> int:
        """Deletes conversations untouched since before `cutoff` with their messages; how many
        conversations went."""
        ...
