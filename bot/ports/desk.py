"""The staff web desk's part of the store (in the unit of work as `uow.desk`): sign-in links,
sessions, and the paginated, indexed lists the desk's pages read.

Every list takes a limit and a keyset cursor (`after` / `before` an id), never an offset, so a
page costs the same on the first page and the thousandth, and no list loads a whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.coop import Assembly, Shift
from bot.domain.desk import AuditEntry, AuditQuery, DeskLogin, DeskSession
from bot.domain.hours import HourReport
from bot.domain.people import Person, Role


class DeskRepository(Protocol):
    async def add_login(self, login: DeskLogin) -> None: ...
    async def get_login(self, token_hash: str) -> DeskLogin | None: ...
    async def use_login(self, token_hash: str, at: datetime) -> bool:
        """Marks the link used only if it was unused (a conditional update); False if not."""
        ...

    async def add_session(self, session: DeskSession) -> None: ...
    async def get_session(self, id_hash: str) -> DeskSession | None: ...
    async def touch_session(self, id_hash: str, at: datetime) -> None: ...
    async def end_session(self, id_hash: str, at: datetime) -> None: ...

    async def pending_hours(
        self, centre_id: int | None, exclude_person: int | None, after: int, limit: int
    ) -> Sequence[HourReport]:
        """Pending reports with id > `after`, oldest (lowest id) first."""
        ...

    async def count_pending_hours(
        self, centre_id: int | None, exclude_person: int | None
    ) -> int: ...

    async def people(self, role: Role | None, after: int, limit: int) -> Sequence[Person]:
        """People (holding `role`, if given) with id > `after`, by id."""
        ...

    async def count_by_role(self) -> dict[Role, int]: ...

    async def audit(
        self, query: AuditQuery, before: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        """Matching entries with id < `before` (all when None), newest first."""
        ...

    async def update_shift(self, shift: Shift) -> bool:
        """Writes a shift's centre, times, kind, capacity and volunteer flag; False if absent."""
        ...

    async def update_assembly(self, assembly: Assembly) -> bool:
        """Writes a notice's titles, places, agenda and quorum; False if there is none."""
        ...
