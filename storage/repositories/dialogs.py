"""Dialog state per (channel, chat) in SQL, so a restart or another replica continues a talk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.dialogs import DialogState
from storage.models import DialogStateRow
from storage.repositories._sql import rowcount, upsert_insert


class SqlDialogRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def get(self, channel: str, chat_id: int) -> DialogState | None:
        row = (
            await self._session.execute(
                select(DialogStateRow.dialog, DialogStateRow.step, DialogStateRow.data).where(
                    DialogStateRow.channel == channel, DialogStateRow.chat_id == chat_id
                )
            )
        ).one_or_none()
        if row is None:
            return None
        return DialogState(dialog=row.dialog, step=row.step, data=dict(row.data or {}))

    async def put(self, channel: str, chat_id: int, state: DialogState, at: datetime) -> None:
        values = {
            "dialog": state.dialog,
            "step": state.step,
            "data": dict(state.data),
            "updated_at": at,
        }
        stmt = upsert_insert(self._session, DialogStateRow).values(
            channel=channel, chat_id=chat_id, **values
        )
        await self._session.execute(
            stmt.on_conflict_do_update(index_elements=["channel", "chat_id"], set_=values)
        )

    async def delete(self, channel: str, chat_id: int) -> None:
        await self._session.execute(
            delete(DialogStateRow).where(
                DialogStateRow.channel == channel, DialogStateRow.chat_id == chat_id
            )
        )

    async def delete_idle(self, before: datetime) -> int:
        # A conversation left halfway may hold an address or a care need typed into it: it
        # expires as the request drafts do (bot.domain.requests.DRAFT_TTL).
        result = await self._session.execute(
            delete(DialogStateRow).where(DialogStateRow.updated_at < before)
        )
        return rowcount(result)
