"""The in-memory desk repository (sign-in links and sessions), with the SQL store's semantics
(see memory_store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.desk import DeskLogin, DeskSession
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


class MemoryDeskRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add_login(self, login: DeskLogin) -> None:
        if login.token_hash in self._s.desk_logins or login.person_id not in self._s.people:
            raise ValueError("duplicate link or unknown person")
        self._s.desk_logins[login.token_hash] = replace(
            login, created_at=utc(login.created_at), expires_at=utc(login.expires_at)
        )

    async def get_login(self, token_hash: str) -> DeskLogin | None:
        return self._s.desk_logins.get(token_hash)

    async def use_login(self, token_hash: str, at: datetime) -> bool:
        login = self._s.desk_logins.get(token_hash)
        if login is None or login.used_at is not None:
            return False
        self._s.desk_logins[token_hash] = replace(login, used_at=utc(at))
        return True

    async def add_session(self, session: DeskSession) -> None:
        if session.id_hash in self._s.desk_sessions or session.person_id not in self._s.people:
            raise ValueError("duplicate session or unknown person")
        self._s.desk_sessions[session.id_hash] = session

    async def get_session(self, id_hash: str) -> DeskSession | None:
        return self._s.desk_sessions.get(id_hash)

    async def touch_session(self, id_hash: str, at: datetime) -> None:
        session = self._s.desk_sessions.get(id_hash)
        if session is not None:
            self._s.desk_sessions[id_hash] = replace(session, last_seen_at=utc(at))

    async def end_session(self, id_hash: str, at: datetime) -> None:
        session = self._s.desk_sessions.get(id_hash)
        if session is not None and session.ended_at is None:
            self._s.desk_sessions[id_hash] = replace(session, ended_at=utc(at))
