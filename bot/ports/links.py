"""Where Kyodo keeps which chats belong to one person beyond their first (the person's second
messenger: bot.services.links), and the short-lived codes that link them.

A person's first chat is `Person.telegram_user_id` (a Telegram id, or the LINE chat id standing
for their LINE user: bot.domain.channels); each further chat is a row here, `person_chats`. A
link code is kept as its hash only, with the person and the chat that asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class LinkCode:
    person_id: int
    chat_id: int  # the chat /link was sent from
    expires_at: datetime


class LinkRepository(Protocol):
    async def add_code(self, code_hash: str, code: LinkCode) -> None:
        """Stores a new code; the person's earlier codes are dropped (one open code each)."""
        ...

    async def take_code(self, code_hash: str) -> LinkCode | None:
        """The code with this hash, removed (a code works once), or None."""
        ...

    async def attach(self, chat_id: int, person_id: int, at: datetime) -> None: ...

    async def person_of(self, chat_id: int) -> int | None:
        """The person a further chat belongs to (not a person's first chat)."""
        ...

    async def chats_of(self, person_id: int) -> list[int]:
        """The person's further chats, oldest link first."""
        ...

    async def forget_person(self, person_id: int) -> None:
        """Drops the person's further chats and open codes."""
        ...

    async def linked_people(self, after: int, limit: int) -> list[int]:
        """Ids of people with a further chat, above `after`, ascending (the desk's list)."""
        ...

    async def detach(self, chat_id: int) -> int | None:
        """Drops the further chat; the person it was linked to, or None if it was not."""
        ...
