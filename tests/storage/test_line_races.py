"""LINE's webhook events and reply tokens when two transactions race for the same row, on
PostgreSQL (SQLite has one writer at a time, so there they cannot): an event whose inbox id
another event took meanwhile takes the next one, and a sender whose token another sender took
meanwhile takes the chat's next one. Each test holds the first transaction open until the
second is seen waiting for its lock, so the race is the same on every run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.ports.line import LineEvent, ReplyClaim
from bot.ports.store import UnitOfWorkFactory
from storage.uow import make_uow_factory
from tests.fixtures.contract import T0
from tests.fixtures.stores import until_one_waits_for_a_lock

pytestmark = pytest.mark.postgres

U1 = "U" + "1" * 32
MS = int(T0.timestamp() * 1000)
GOOD = T0 + timedelta(seconds=50)


async def test_an_event_whose_id_another_event_took_meanwhile_takes_the_next(postgres_engine):
    uow_factory: UnitOfWorkFactory = make_uow_factory(postgres_engine)
    async with uow_factory() as first:
        [taken] = await first.line.record_events([LineEvent("E-first", MS, None)], T0)
        async with uow_factory() as second:
            # Its INSERT finds the same free id (the first's row is not committed) and waits.
            racing = asyncio.create_task(
                second.line.record_events([LineEvent("E-second", MS, None)], T0)
            )
            await until_one_waits_for_a_lock(postgres_engine)
            await first.commit()
            [next_one] = await racing
            await second.commit()
    assert next_one == taken + 1
    async with uow_factory() as uow:
        # Both kept: a redelivery of either finds its own id.
        again = await uow.line.record_events(
            [LineEvent("E-second", MS, None), LineEvent("E-first", MS, None)], T0
        )
    assert again == [next_one, taken]


async def test_a_sender_whose_token_another_took_meanwhile_takes_the_chats_next(postgres_engine):
    uow_factory: UnitOfWorkFactory = make_uow_factory(postgres_engine)
    async with uow_factory() as uow:
        chat = await uow.line.chat_for(U1)
        await uow.line.record_events(
            [
                LineEvent("E1", MS, chat, "token-1", GOOD),
                LineEvent("E2", MS + 1, chat, "token-2", GOOD),
            ],
            T0,
        )
        await uow.commit()
    async with uow_factory() as first:
        mine = await first.line.claim_reply(chat, 11, T0)
        async with uow_factory() as second:
            # Its UPDATE picks the same oldest token and waits for the first's row lock.
            racing = asyncio.create_task(second.line.claim_reply(chat, 12, T0))
            await until_one_waits_for_a_lock(postgres_engine)
            await first.commit()
            theirs = await racing
            await second.commit()
    assert mine == ReplyClaim("token-1", again=False, fresh=True)
    assert theirs == ReplyClaim("token-2", again=False, fresh=True)
    async with uow_factory() as uow:
        assert await uow.line.claim_reply(chat, 12, T0) == ReplyClaim("token-2", True, True)
        assert await uow.line.claim_reply(chat, 13, T0) is None
