"""The member roster in memory, with the SQL store's semantics."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.roster import RosterEntry

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


class MemoryRosterRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, entry: RosterEntry) -> None:
        if entry.person_id not in self._s.people:
            raise ValueError(f"no person {entry.person_id}")  # the SQL foreign key
        if entry.person_id in self._s.roster or any(
            e.key == entry.key for e in self._s.roster.values()
        ):
            raise ValueError(f"roster key {entry.key} exists")  # the SQL unique constraint
        self._s.roster[entry.person_id] = entry

    async def get(self, person_id: int) -> RosterEntry | None:
        return self._s.roster.get(person_id)

    async def by_keys(self, keys: Collection[str]) -> dict[str, int]:
        wanted = set(keys)
        return {e.key: e.person_id for e in self._s.roster.values() if e.key in wanted}

    async def waiting(self, after: int, limit: int) -> Sequence[RosterEntry]:
        found = [
            entry
            for person_id, entry in sorted(self._s.roster.items())
            if person_id > after and self._s.people[person_id].telegram_user_id is None
        ]
        return found[:limit]

    async def open_code_until(
        self, person_ids: Collection[int], now: datetime
    ) -> dict[int, datetime]:
        wanted = set(person_ids)
        found: dict[int, datetime] = {}
        for invite in self._s.invites.values():
            pid = invite.person_id
            if pid in wanted and invite.used_by is None and invite.expires_at > now:
                assert pid is not None  # in `wanted`
                found[pid] = max(found.get(pid, invite.expires_at), invite.expires_at)
        return {pid: at.astimezone(UTC) for pid, at in found.items()}

    async def stale(self, cutoff: datetime, limit: int) -> Sequence[int]:
        recent = {
            i.person_id for i in self._s.invites.values() if i.expires_at >= cutoff and i.person_id
        }
        found = [
            person_id
            for person_id, entry in sorted(self._s.roster.items())
            if entry.imported_at < cutoff
            and self._s.people[person_id].telegram_user_id is None
            and person_id not in recent
        ]
        return found[:limit]

    async def forget(self, person_id: int) -> None:
        self._s.roster.pop(person_id, None)
        for code_hash in [h for h, i in self._s.invites.items() if i.person_id == person_id]:
            del self._s.invites[code_hash]
