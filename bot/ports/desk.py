"""The staff web desk's part of the store (in the unit of work as `uow.desk`): sign-in links and
sessions. What the desk's pages list is read from the repository of its feature
(`uow.hours.pending`, `uow.people.page`, `uow.audit.search`...), as Telegram's lists are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.desk import DeskLogin, DeskSession


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
