"""The memory store's assembly notices, answers and check-ins (see memory_store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.assemblies import Answer
from bot.domain.coop import Assembly, NewAssembly
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


class MemoryAssemblyRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(self, assembly: NewAssembly) -> Assembly:
        if assembly.centre_id is not None and assembly.centre_id not in self._s.centres:
            raise ValueError(f"no centre {assembly.centre_id}")  # SQL: foreign key
        stored = Assembly(
            id=self._ids.take("assemblies"),
            title_ja=assembly.title_ja,
            title_en=assembly.title_en,
            starts_at=utc(assembly.starts_at),
            place_ja=assembly.place_ja,
            place_en=assembly.place_en,
            answer_by=utc(assembly.answer_by),
            agenda_ja=assembly.agenda_ja,
            agenda_en=assembly.agenda_en,
            quorum=assembly.quorum,
            centre_id=assembly.centre_id,
        )
        self._s.assemblies[stored.id] = stored
        return stored

    async def get(self, assembly_id: int) -> Assembly | None:
        return self._s.assemblies.get(assembly_id)

    async def upcoming(self, now: datetime, limit: int) -> Sequence[Assembly]:
        ahead = [a for a in self._s.assemblies.values() if a.starts_at >= now]
        return sorted(ahead, key=lambda a: (a.starts_at, a.id))[: max(limit, 0)]

    async def put_answer(self, answer: Answer) -> None:
        people = self._s.people
        if answer.assembly_id not in self._s.assemblies or answer.person_id not in people:
            raise ValueError("no such assembly or person")  # SQL: foreign key
        if answer.proxy_to is not None and answer.proxy_to not in people:
            raise ValueError(f"no person {answer.proxy_to}")
        stored = Answer(
            answer.assembly_id,
            answer.person_id,
            answer.rsvp,
            answer.proxy_to,
            utc(answer.answered_at),
        )
        self._s.assembly_answers[(answer.assembly_id, answer.person_id)] = stored

    async def answer_of(self, assembly_id: int, person_id: int) -> Answer | None:
        return self._s.assembly_answers.get((assembly_id, person_id))

    async def answers(self, assembly_id: int) -> Sequence[Answer]:
        mine = [a for (aid, _), a in self._s.assembly_answers.items() if aid == assembly_id]
        return sorted(mine, key=lambda a: a.person_id)

    async def check_in(
        self, assembly_id: int, person_id: int, by: int | None, at: datetime
    ) -> bool:
        if assembly_id not in self._s.assemblies or person_id not in self._s.people:
            raise ValueError("no such assembly or person")  # SQL: foreign key
        if (assembly_id, person_id) in self._s.assembly_checkins:
            return False
        self._s.assembly_checkins[(assembly_id, person_id)] = (by, utc(at))
        return True

    async def checked_in(self, assembly_id: int) -> frozenset[int]:
        return frozenset(pid for aid, pid in self._s.assembly_checkins if aid == assembly_id)

    async def undo_check_in(
        self, assembly_id: int, person_id: int, by: int | None, since: datetime
    ) -> bool:
        found = self._s.assembly_checkins.get((assembly_id, person_id))
        if found is None or found[0] != by or found[1] < utc(since):
            return False
        del self._s.assembly_checkins[(assembly_id, person_id)]
        return True

    async def update(self, assembly: Assembly) -> bool:
        stored = self._s.assemblies.get(assembly.id)
        if stored is None:
            return False
        self._s.assemblies[assembly.id] = replace(  # the dates stay as published
            stored,
            title_ja=assembly.title_ja,
            title_en=assembly.title_en,
            place_ja=assembly.place_ja,
            place_en=assembly.place_en,
            agenda_ja=assembly.agenda_ja,
            agenda_en=assembly.agenda_en,
            quorum=assembly.quorum,
        )
        return True
