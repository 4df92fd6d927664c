"""Centre membership in memory, with the SQL store's semantics (tests/storage's contract)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from bot.domain.people import Person, Role

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


class MemoryMembershipRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, person_id: int, centre_id: int) -> bool:
        if person_id not in self._s.people or centre_id not in self._s.centres:
            # The SQL store refuses this with its foreign keys.
            raise ValueError(f"no person {person_id} or no business centre {centre_id}")
        if (person_id, centre_id) in self._s.memberships:
            return False
        self._s.memberships[(person_id, centre_id)] = True
        return True

    async def remove(self, person_id: int, centre_id: int) -> bool:
        return self._s.memberships.pop((person_id, centre_id), None) is not None

    async def replace(self, person_id: int, centre_ids: Collection[int]) -> None:
        wanted = set(centre_ids)
        have = await self.centres_of(person_id)
        for centre_id in have - wanted:
            del self._s.memberships[(person_id, centre_id)]
        for centre_id in sorted(wanted - have):
            await self.add(person_id, centre_id)

    async def centres_of(self, person_id: int) -> frozenset[int]:
        return frozenset(c for p, c in self._s.memberships if p == person_id)

    async def members_of(self, centre_id: int, role: Role | None = None) -> Sequence[Person]:
        ids = sorted(p for p, c in self._s.memberships if c == centre_id)
        people = [self._s.people[p] for p in ids if p in self._s.people]
        return [p for p in people if role is None or Role(role) in p.roles]

    async def count(self, role: Role, centre_id: int | None = None) -> int:
        if centre_id is None:
            return sum(1 for p in self._s.people.values() if Role(role) in p.roles)
        return len(await self.members_of(centre_id, role))

    async def counts(self, role: Role | None = None) -> dict[int, int]:
        found: dict[int, int] = {}
        for person_id, centre_id in self._s.memberships:
            person = self._s.people.get(person_id)
            if person is not None and (role is None or Role(role) in person.roles):
                found[centre_id] = found.get(centre_id, 0) + 1
        return found
