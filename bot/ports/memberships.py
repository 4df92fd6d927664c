"""The port of centre membership: which business centres a person belongs to.

Members, volunteers and staff belong to one or more centres. A centre's members are a centre
meeting's voters and a centre broadcast's audience; a staff member's centres are their scope
(bot.domain.scope). Rows go with the person (/forget, the store's ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from bot.domain.people import Person, Role


class MembershipRepository(Protocol):
    async def add(self, person_id: int, centre_id: int) -> bool:
        """The person belongs to the centre; False (and nothing changes) if they already did."""
        ...

    async def remove(self, person_id: int, centre_id: int) -> bool:
        """The person no longer belongs to the centre; False if they did not."""
        ...

    async def replace(self, person_id: int, centre_ids: Collection[int]) -> None:
        """The person belongs to exactly these centres (none: to no centre)."""
        ...

    async def centres_of(self, person_id: int) -> frozenset[int]:
        """The ids of the centres the person belongs to (empty: none)."""
        ...

    async def members_of(self, centre_id: int, role: Role | None = None) -> Sequence[Person]:
        """The people (holding `role`, if given) who belong to the centre, by person id."""
        ...

    async def count(self, role: Role, centre_id: int | None = None) -> int:
        """How many people holding `role` belong to the centre (None: to any centre or none,
        that is, everyone holding `role`)."""
        ...

    async def counts(self, role: Role | None = None) -> dict[int, int]:
        """Per centre id, how many people (holding `role`, if given) belong to it; centres
        with nobody are left out."""
        ...
