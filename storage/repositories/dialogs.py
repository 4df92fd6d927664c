"""Dialog state per (channel, chat) in SQL, so a restart or another replica continues a talk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.dialogs import DialogState
from storage.models import DialogStateRow
from storage.repositories._sql import Prepared, insert_into, rowcount

_T = DialogStateRow.__table__

# Both run on every update the inbox worker handles: built once (see Prepared).
_GET = Prepared(
    lambda _dialect: select(_T.c.dialog, _T.c.step, _T.c.data).where(
        _T.c.channel == bindparam("channel"), _T.c.chat_id == bindparam("chat_id")
    )
)


def _put(dialect: str) -> Any:
    insert = insert_into(dialect, _T)
    changed = ("dialog", "step", "data", "updated_at")
    return insert.on_conflict_do_update(
        index_elements=[_T.c.channel, _T.c.chat_id],
        set_={name: insert.excluded[name] for name in changed},
    )


_PUT = Prepared(_put)


class SqlDialogRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def get(self, channel: str, chat_id: int) -> DialogState | None:
        row = (
            await self._session.execute(
                _GET.of(self._session), {"channel": channel, "chat_id": chat_id}
            )
        ).one_or_none()
        if row is None:
            return None
        return DialogState(dialog=row.dialog, step=row.step, data=dict(row.data or {}))

    async def put(self, channel: str, chat_id: int, state: DialogState, at: datetime) -> None:
        await self._session.execute(
            _PUT.of(self._session),
            {
                "channel": channel,
                "chat_id": chat_id,
                "dialog": state.dialog,
                "step": state.step,
                "data": dict(state.data),
                "updated_at": at,
            },
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
