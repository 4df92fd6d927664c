"""The port of the roster of imported members (bot.domain.roster)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.roster import RosterEntry


class RosterRepository(Protocol):
    async def add(self, entry: RosterEntry) -> None: ...

    async def get(self, person_id: int) -> RosterEntry | None: ...

    async def by_keys(self, keys: Collection[str]) -> dict[str, int]:
        """The person id of each key already on the roster (keys not found are left out)."""
        ...

    async def waiting(self, after: int, limit: int) -> Sequence[RosterEntry]:
        """Entries of people who have not joined (no chat address yet), by person id after
        `after`."""
        ...

    async def open_code_until(
        self, person_ids: Collection[int], now: datetime
    ) -> dict[int, datetime]:
        """For each person, the latest expiry of an unused, unexpired invite bound to them."""
        ...

    async def stale(self, cutoff: datetime, limit: int) -> Sequence[int]:
        """People imported before `cutoff` who never joined and whose every letter's code ran
        out before `cutoff` (or who never had one): the nightly purge removes them."""
        ...

    async def forget(self, person_id: int) -> None:
        """Deletes the person's entry (kana, phone) and every invite bound to them."""
        ...
