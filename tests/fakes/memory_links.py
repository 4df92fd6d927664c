"""In-memory person chats and link codes, with the SQL store's semantics (part of
tests/fakes/memory_store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.ports.links import LinkCode

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


@dataclass(frozen=True)
class PersonChat:
    person_id: int
    linked_at: datetime


class MemoryLinkRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add_code(self, code_hash: str, code: LinkCode) -> None:
        for key in [k for k, c in self._s.link_codes.items() if c.person_id == code.person_id]:
            del self._s.link_codes[key]
        if code.person_id not in self._s.people:
            raise ValueError("no such person (foreign key)")
        self._s.link_codes[code_hash] = LinkCode(
            code.person_id, code.chat_id, code.expires_at.astimezone(UTC)
        )

    async def take_code(self, code_hash: str) -> LinkCode | None:
        return self._s.link_codes.pop(code_hash, None)

    async def attach(self, chat_id: int, person_id: int, at: datetime) -> None:
        if chat_id in self._s.person_chats:
            raise ValueError("chat linked already (primary key)")
        if person_id not in self._s.people:
            raise ValueError("no such person (foreign key)")
        self._s.person_chats[chat_id] = PersonChat(person_id, at.astimezone(UTC))

    async def person_of(self, chat_id: int) -> int | None:
        found = self._s.person_chats.get(chat_id)
        return None if found is None else found.person_id

    async def chats_of(self, person_id: int) -> list[int]:
        mine = [
            (c.linked_at, k) for k, c in self._s.person_chats.items() if c.person_id == person_id
        ]
        return [k for _, k in sorted(mine)]

    async def forget_person(self, person_id: int) -> None:
        for key in [k for k, c in self._s.person_chats.items() if c.person_id == person_id]:
            del self._s.person_chats[key]
        for code in [k for k, c in self._s.link_codes.items() if c.person_id == person_id]:
            del self._s.link_codes[code]

    async def linked_people(self, after: int, limit: int) -> list[int]:
        people = {c.person_id for c in self._s.person_chats.values() if c.person_id > after}
        return sorted(people)[:limit]

    async def detach(self, chat_id: int) -> int | None:
        found = self._s.person_chats.pop(chat_id, None)
        return None if found is None else found.person_id
