"""Forgetting a chat whose id passes 32 bits: Telegram's user ids pass 2**31, and LINE's
surrogate chat ids start at 2**53 (bot.domain.channels). The inbox's raw updates and the audit
log's Telegram ids are found by an id inside JSON; on PostgreSQL that comparison was an
INTEGER cast, and /forget of such a chat failed ("value out of int32 range").

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.channels import line_chat_id
from bot.ports.store import UnitOfWorkFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TELEGRAM = 7_123_456_789  # a Telegram user id of today: past 2**31
LINE = line_chat_id(5)


def telegram_text(update_id: int, chat_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}},
    }


def line_event(update_id: int, chat_id: int) -> dict:
    return {"update_id": update_id, "line": {"chat_id": chat_id, "event": {"type": "message"}}}


@pytest.mark.parametrize("chat_id", [TELEGRAM, LINE], ids=["telegram", "line"])
async def test_the_raw_updates_of_a_big_chat_id_are_forgotten(
    uow_factory: UnitOfWorkFactory, chat_id: int
):
    payload = telegram_text if chat_id == TELEGRAM else line_event
    async with uow_factory() as uow:
        await uow.inbox.add(1, payload(1, chat_id), NOW)
        await uow.inbox.add(2, payload(2, 42), NOW)
        for update_id in (1, 2):  # set aside for staff: the raw update is kept
            assert await uow.inbox.park(update_id, NOW, "failed")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.forget_chat(chat_id) == 1
        await uow.commit()


async def test_a_big_telegram_id_is_stripped_from_the_audit_log(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.audit.add(NOW, None, "callback.unknown", "x", {"telegram_id": TELEGRAM})
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.audit.forget_telegram_id(TELEGRAM) == 1
        await uow.commit()
