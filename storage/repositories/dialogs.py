"""Dialog state per (channel, chat) in SQL, so a restart or another replica continues a talk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.dialogs import DialogState
from storage.models import DialogStateRow
from storage.repositories._sql import Prepared, insert_into, rowcount, writes_to

_T = DialogStateRow.__table__
_TABLES = ("dialog_states",)

# Both run on every update the inbox worker handles: built once (see Prepared).
_GET = Prepared(
    lambda _dialect: select(_T.c.dialog, _T.c.step, _T.c.data).where(
        _T.c.channel == bindparam("channel"), _T.c.chat_id == bindparam("chat_id")
    )
)


# The states of many chats, for a batch of updates: a superset of the pairs asked for when
# they span both channels, filtered after; both columns in the key's order, so its index serves.
_OF_CHATS = Prepared(
    lambda _dialect: select(_T.c.channel, _T.c.chat_id, _T.c.dialog, _T.c.step, _T.c.data).where(
        _T.c.channel.in_(bindparam("channels", expanding=True)),
        _T.c.chat_id.in_(bindparam("chats", expanding=True)),
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
        # Read ahead for a batch of updates (read_ahead): each answer serves one `get`, while
        # no one but this repository has written dialog states since (`_written`).
        self._ahead: dict[tuple[str, int], DialogState | None] = {}
        self._written = 0

    async def read_ahead(self, keys: Sequence[tuple[str, int]]) -> None:
        ahead: dict[tuple[str, int], DialogState | None] = dict.fromkeys(keys)
        if not ahead:
            return
        values = {
            "channels": sorted({channel for channel, _ in ahead}),
            "chats": sorted({chat_id for _, chat_id in ahead}),
        }
        for row in await self._session.execute(_OF_CHATS.of(self._session), values):
            if (row.channel, row.chat_id) in ahead:
                ahead[(row.channel, row.chat_id)] = _state(row)
        self._ahead, self._written = ahead, writes_to(self._session, _TABLES)

    async def get(self, channel: str, chat_id: int) -> DialogState | None:
        key = (channel, chat_id)
        self._drop_ahead_if_written()
        if key in self._ahead:
            return self._ahead.pop(key)
        row = (
            await self._session.execute(
                _GET.of(self._session), {"channel": channel, "chat_id": chat_id}
            )
        ).one_or_none()
        return None if row is None else _state(row)

    async def put(self, channel: str, chat_id: int, state: DialogState, at: datetime) -> None:
        self._drop_ahead_if_written()
        self._ahead.pop((channel, chat_id), None)
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
        self._written = writes_to(self._session, _TABLES)  # this write is known

    async def delete(self, channel: str, chat_id: int) -> None:
        self._drop_ahead_if_written()
        self._ahead.pop((channel, chat_id), None)
        await self._session.execute(
            delete(DialogStateRow).where(
                DialogStateRow.channel == channel, DialogStateRow.chat_id == chat_id
            )
        )
        self._written = writes_to(self._session, _TABLES)  # this write is known

    def _drop_ahead_if_written(self) -> None:
        if self._ahead and writes_to(self._session, _TABLES) != self._written:
            self._ahead.clear()  # another repository wrote (a person forgotten): read again

    async def delete_idle(self, before: datetime) -> int:
        self._ahead.clear()
        # A conversation left halfway may hold an address or a care need typed into it: it
        # expires as the request drafts do (bot.domain.requests.DRAFT_TTL).
        result = await self._session.execute(
            delete(DialogStateRow).where(DialogStateRow.updated_at < before)
        )
        return rowcount(result)


def _state(row: Any) -> DialogState:
    return DialogState(dialog=row.dialog, step=row.step, data=dict(row.data or {}))
