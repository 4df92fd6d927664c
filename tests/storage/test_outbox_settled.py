"""Once a message is sent or has failed for good, its outbox row keeps nothing it carried: on
SQLite, PostgreSQL and the memory store alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.outbound import REDACTED, Carries, OutboundMessage
from storage.models import OutboxRow
from storage.uow import make_uow_factory
from tests.fakes.memory_store import MemoryStore

T0 = datetime(2026, 11, 22, tzinfo=UTC)
BUTTONS = ((("Call 山田", "x:1"),),)


def message(chat_id: int, carries: Carries | None) -> OutboundMessage:
    # A file handed to staff by its file_id goes with the text (issue 15's photos and voice notes).
    media = ("photo", f"AgAC{chat_id}")
    return OutboundMessage(chat_id, f"secret of {chat_id}", BUTTONS, carries=carries, media=media)


CASES = [
    # (carries, sent?, text kept?, chat id kept?)
    (None, True, True, True),
    (Carries.PERSONAL, True, False, True),
    (Carries.PERSONAL, False, True, True),  # failed: kept for staff to send again, until pruned
    (Carries.CREDENTIAL, True, False, True),
    (Carries.CREDENTIAL, False, False, True),
    (Carries.FAREWELL, True, False, False),
    (Carries.FAREWELL, False, False, False),
]


async def _settle(uow_factory) -> dict[int, int]:
    ids: dict[int, int] = {}
    async with uow_factory() as uow:
        for n, (carries, _, _, _) in enumerate(CASES, start=1):
            ids[n] = await uow.outbox.add(message(100 + n, carries), T0)
        await uow.commit()
    async with uow_factory() as uow:
        sent = [(ids[n], T0, 900 + n) for n, case in enumerate(CASES, 1) if case[1]]
        await uow.outbox.mark_sent_many(sent[:2])
        for item_id, at, message_id in sent[2:]:
            await uow.outbox.mark_sent(item_id, at, message_id)
        for n, case in enumerate(CASES, 1):
            if not case[1]:
                await uow.outbox.mark_failed(ids[n], T0, "bad request")
        await uow.commit()
    return ids


def _check(rows: dict[int, tuple[int, str, object, object]], ids: dict[int, int]) -> None:
    for n, (_, _, text_kept, chat_kept) in enumerate(CASES, start=1):
        chat_id, text, buttons, media = rows[ids[n]]
        assert bool(media) is text_kept, CASES[n - 1]
        assert (text == f"secret of {100 + n}") is text_kept, CASES[n - 1]
        assert (text == REDACTED) is not text_kept
        assert bool(buttons) is text_kept
        assert (chat_id == 100 + n) is chat_kept


async def test_sql_rows_keep_nothing_they_carried_once_settled(sql_engine: AsyncEngine):
    ids = await _settle(make_uow_factory(sql_engine))
    async with sql_engine.connect() as connection:
        found = await connection.execute(
            select(
                OutboxRow.id, OutboxRow.chat_id, OutboxRow.text, OutboxRow.buttons, OutboxRow.media
            )
        )
        rows = {r.id: (r.chat_id, r.text, r.buttons, r.media) for r in found}
    _check(rows, ids)


@pytest.mark.parametrize("store", [MemoryStore()])
async def test_the_memory_store_does_the_same(store: MemoryStore):
    ids = await _settle(store.uow)
    rows = {
        r.id: (r.message.chat_id, r.message.text, r.message.buttons, r.message.media)
        for r in store.state.outbox.values()
    }
    _check(rows, ids)
