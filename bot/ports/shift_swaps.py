"""The store of shift swaps as the core sees it (part of the unit of work in `store.py`):
releasing and taking places on shifts, open shifts, and the secret calendar links.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.coop import Shift
from bot.domain.people import Person
from bot.domain.shift_swaps import ShiftRelease, TakeOutcome


class ShiftSwapRepository(Protocol):
    async def unassign(self, shift_id: int, person_id: int) -> bool:
        """Takes the person off the shift; False (and nothing changes) if they were not on it."""
        ...

    async def take(self, shift_id: int, person_id: int) -> TakeOutcome:
        """Puts the person on the shift if a place is free, deciding under a lock on the shift,
        so that of two people taking the last place at once exactly one gets it."""
        ...

    async def open_between(self, start: datetime, end: datetime) -> Sequence[Shift]:
        """Shifts starting in [start, end) with a free place, earliest first."""
        ...

    async def overlapping(self, person_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        """The person's shifts that overlap [start, end)."""
        ...

    async def at_centre(self, centre_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        """The centre's shifts starting in [start, end), earliest first."""
        ...

    async def centre_workers(self, centre_id: int) -> Sequence[Person]:
        """Everyone on any shift of the centre, by person id."""
        ...

    async def add_release(self, shift_id: int, person_id: int, at: datetime) -> ShiftRelease: ...
    async def get_release(self, release_id: int) -> ShiftRelease | None: ...
    async def set_reason(self, release_id: int, reason: str) -> None: ...
    async def mark_taken(self, shift_id: int, person_id: int, at: datetime) -> ShiftRelease | None:
        """The oldest release of the shift whose place nobody took yet now records its taker."""
        ...

    async def untake(self, release_id: int, person_id: int) -> bool:
        """The release's place is open again (its taker undid the take): False if `person_id`
        is not its taker."""
        ...

    async def take_back(self, release_id: int) -> bool:
        """Undoes a release whose place nobody took: the release is deleted and its person is on
        the shift again, decided under the lock `take` uses. False (nothing changes) if the
        place was taken, or the release is gone."""
        ...

    async def set_calendar_token(self, person_id: int, token_hash: str, at: datetime) -> None:
        """The person's calendar link (only its hash is stored); replaces the previous one."""
        ...

    async def person_by_calendar_token(self, token_hash: str) -> int | None: ...
