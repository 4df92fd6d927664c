"""In-memory shift swaps and calendar links, with the SQL store's semantics (part of
tests/fakes/memory_store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.coop import Shift
from bot.domain.people import Person
from bot.domain.shift_swaps import ShiftRelease, TakeOutcome
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


class MemoryShiftSwapRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    def _shift(self, shift_id: int) -> Shift:
        shift = self._s.shifts[shift_id]
        people = frozenset(who for sid, who in self._s.shift_assignments if sid == shift_id)
        return replace(shift, assigned=people)

    def _sorted(self, ids: list[int]) -> list[Shift]:
        shifts = [self._shift(i) for i in ids]
        return sorted(shifts, key=lambda s: (s.starts_at, s.id))

    async def unassign(self, shift_id: int, person_id: int) -> bool:
        return self._s.shift_assignments.pop((shift_id, person_id), None) is not None

    async def take(self, shift_id: int, person_id: int) -> TakeOutcome:
        if shift_id not in self._s.shifts:
            return TakeOutcome.MISSING
        if person_id not in self._s.people:
            raise ValueError(f"no person {person_id}")  # SQL: foreign key
        shift = self._shift(shift_id)
        if person_id in shift.assigned:
            return TakeOutcome.ALREADY
        if shift.free_places < 1:
            return TakeOutcome.FULL
        self._s.shift_assignments[(shift_id, person_id)] = True
        return TakeOutcome.TAKEN

    async def open_between(self, start: datetime, end: datetime) -> Sequence[Shift]:
        ids = [i for i, s in self._s.shifts.items() if start <= s.starts_at < end]
        return [s for s in self._sorted(ids) if s.free_places > 0]

    async def overlapping(self, person_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        mine = [sid for sid, who in self._s.shift_assignments if who == person_id]
        return [s for s in self._sorted(mine) if s.overlaps(start, end)]

    async def at_centre(self, centre_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        ids = [
            i
            for i, s in self._s.shifts.items()
            if s.centre_id == centre_id and start <= s.starts_at < end
        ]
        return self._sorted(ids)

    async def centre_workers(self, centre_id: int) -> Sequence[Person]:
        ids = {
            who
            for sid, who in self._s.shift_assignments
            if self._s.shifts[sid].centre_id == centre_id
        }
        return [self._s.people[i] for i in sorted(ids) if i in self._s.people]

    async def add_release(self, shift_id: int, person_id: int, at: datetime) -> ShiftRelease:
        if shift_id not in self._s.shifts or person_id not in self._s.people:
            raise ValueError("no such shift or person")  # SQL: foreign key
        release = ShiftRelease(self._ids.take("shift_releases"), shift_id, person_id, utc(at))
        self._s.shift_releases[release.id] = release
        return release

    async def get_release(self, release_id: int) -> ShiftRelease | None:
        return self._s.shift_releases.get(release_id)

    async def set_reason(self, release_id: int, reason: str) -> None:
        if release := self._s.shift_releases.get(release_id):
            self._s.shift_releases[release_id] = replace(release, reason=reason)

    async def mark_taken(self, shift_id: int, person_id: int, at: datetime) -> ShiftRelease | None:
        open_ = [
            r
            for _, r in sorted(self._s.shift_releases.items())
            if r.shift_id == shift_id and r.taken_by is None
        ]
        if not open_:
            return None
        taken = replace(open_[0], taken_by=person_id, taken_at=utc(at))
        self._s.shift_releases[taken.id] = taken
        return taken

    async def untake(self, release_id: int, person_id: int) -> bool:
        release = self._s.shift_releases.get(release_id)
        if release is None or release.taken_by != person_id:
            return False
        self._s.shift_releases[release_id] = replace(release, taken_by=None, taken_at=None)
        return True

    async def take_back(self, release_id: int) -> bool:
        release = self._s.shift_releases.get(release_id)
        if release is None or release.taken_by is not None:
            return False
        if await self.take(release.shift_id, release.person_id) is not TakeOutcome.TAKEN:
            return False
        del self._s.shift_releases[release_id]
        return True

    async def set_calendar_token(self, person_id: int, token_hash: str, at: datetime) -> None:
        if person_id not in self._s.people:
            raise ValueError(f"no person {person_id}")
        self._s.calendar_tokens[person_id] = token_hash

    async def person_by_calendar_token(self, token_hash: str) -> int | None:
        return next((p for p, h in self._s.calendar_tokens.items() if h == token_hash), None)
