"""The staff web desk's part of the store in SQL: sign-in links and sessions (what its pages list
is read from each feature's repository)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.desk import DeskLogin, DeskSession
from storage.models import DeskLoginRow, DeskSessionRow
from storage.repositories._sql import rowcount


def _session(row: Any) -> DeskSession:
    return DeskSession(
        id_hash=row.id_hash,
        person_id=row.person_id,
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        ended_at=row.ended_at,
    )


class SqlDeskRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add_login(self, login: DeskLogin) -> None:
        await self._session.execute(
            insert(DeskLoginRow).values(
                token_hash=login.token_hash,
                person_id=login.person_id,
                created_at=login.created_at,
                expires_at=login.expires_at,
                used_at=login.used_at,
            )
        )

    async def get_login(self, token_hash: str) -> DeskLogin | None:
        row = (
            await self._session.execute(
                select(
                    DeskLoginRow.token_hash,
                    DeskLoginRow.person_id,
                    DeskLoginRow.created_at,
                    DeskLoginRow.expires_at,
                    DeskLoginRow.used_at,
                ).where(DeskLoginRow.token_hash == token_hash)
            )
        ).one_or_none()
        if row is None:
            return None
        return DeskLogin(row.token_hash, row.person_id, row.created_at, row.expires_at, row.used_at)

    async def use_login(self, token_hash: str, at: datetime) -> bool:
        # The WHERE re-checks "unused" at write time: of two tabs opening one link, one wins.
        result = await self._session.execute(
            update(DeskLoginRow)
            .where(DeskLoginRow.token_hash == token_hash, DeskLoginRow.used_at.is_(None))
            .values(used_at=at)
        )
        return rowcount(result) == 1

    async def add_session(self, session: DeskSession) -> None:
        await self._session.execute(
            insert(DeskSessionRow).values(
                id_hash=session.id_hash,
                person_id=session.person_id,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                ended_at=session.ended_at,
            )
        )

    async def get_session(self, id_hash: str) -> DeskSession | None:
        row = (
            await self._session.execute(
                select(
                    DeskSessionRow.id_hash,
                    DeskSessionRow.person_id,
                    DeskSessionRow.csrf_token,
                    DeskSessionRow.created_at,
                    DeskSessionRow.last_seen_at,
                    DeskSessionRow.ended_at,
                ).where(DeskSessionRow.id_hash == id_hash)
            )
        ).one_or_none()
        return None if row is None else _session(row)

    async def touch_session(self, id_hash: str, at: datetime) -> None:
        await self._session.execute(
            update(DeskSessionRow).where(DeskSessionRow.id_hash == id_hash).values(last_seen_at=at)
        )

    async def end_session(self, id_hash: str, at: datetime) -> None:
        await self._session.execute(
            update(DeskSessionRow)
            .where(DeskSessionRow.id_hash == id_hash, DeskSessionRow.ended_at.is_(None))
            .values(ended_at=at)
        )
