"""Two replicas whose LINE deliveries' claims are committed in batches (handlers/line/gateway.py
`_Batches`), on PostgreSQL: one batch takes chat 1's token then chat 2's while the other's takes
chat 2's then chat 1's. Each claim locks its chat's token row until its unit commits, so taken
in opposite orders the two units would wait for each other until PostgreSQL broke the deadlock
by failing one (a second's stall, its deliveries then tried alone). Each unit holds its first
claim until the other unit has made its own first, or waits for a lock, so the race is the same
on every run."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.outbound import OutboundMessage, OutboxItem
from bot.ports.line import LineEvent
from bot.ports.store import UnitOfWorkFactory
from handlers.line.client import LineClient
from handlers.line.gateway import LineGateway
from sandbox.line.standin import LineStandIn
from storage.uow import make_uow_factory
from tests.fixtures.contract import T0
from tests.fixtures.core import FakeClock
from tests.fixtures.stores import until_one_waits_for_a_lock

pytestmark = pytest.mark.postgres


class Race:
    """The two replicas' claim units: each, after its first claim, waits for the other's
    first claim, or for one of them to wait for a lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.first_claims: dict[str, asyncio.Event] = {"A": asyncio.Event(), "B": asyncio.Event()}

    async def after_first_claim(self, replica: str) -> None:
        self.first_claims[replica].set()
        other = self.first_claims["B" if replica == "A" else "A"]
        waits = [
            asyncio.create_task(other.wait()),
            asyncio.create_task(until_one_waits_for_a_lock(self.engine)),
        ]
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class _Line:
    def __init__(self, inner: Any, unit: _Unit) -> None:
        self._inner = inner
        self._unit = unit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def claim_reply(self, chat_id: int, outbox_id: int, now: Any) -> Any:
        claim = await self._inner.claim_reply(chat_id, outbox_id, now)
        self._unit.claims += 1
        if self._unit.claims == 1 and not self._unit.replica.raced:
            self._unit.replica.raced = True
            await self._unit.replica.race.after_first_claim(self._unit.replica.name)
        return claim


class _Unit:
    def __init__(self, replica: Replica) -> None:
        self.replica = replica
        self._inner = replica.uow_factory()
        self.claims = 0

    async def __aenter__(self) -> _Unit:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._inner.__aexit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def line(self) -> _Line:
        return _Line(self._inner.line, self)


class Replica:
    def __init__(self, name: str, uow_factory: UnitOfWorkFactory, race: Race) -> None:
        self.name = name
        self.uow_factory = uow_factory
        self.race = race
        self.raced = False  # only its first unit's first claim waits

    def uow(self) -> _Unit:
        return _Unit(self)


async def test_two_replicas_claiming_two_chats_in_opposite_orders_do_not_deadlock(
    postgres_engine: AsyncEngine, line: LineStandIn, caplog: pytest.LogCaptureFixture
):
    line.webhook_url = None  # events wait at the stand-in: this test plays Kyodo's intake
    uow_factory = make_uow_factory(postgres_engine)
    users = [line.add_person(f"会員{n}").user_id for n in range(2)]
    millis = int(T0.timestamp() * 1000)
    async with uow_factory() as uow:
        chats = [await uow.line.chat_for(user) for user in users]
        events = []
        for turn in range(2):  # two tokens a chat
            for n, user in enumerate(users):
                record = line.sends_text(user, "こんにちは")
                token = str(record.event["replyToken"])
                events.append(
                    LineEvent(
                        record.id,
                        millis + 2 * turn + n,
                        chats[n],
                        token,
                        T0 + timedelta(seconds=50),
                    )
                )
        await uow.line.record_events(events, T0)
        await uow.commit()

    def row(outbox_id: int, chat: int) -> OutboxItem:
        message = OutboundMessage(chat_id=chat, text=f"受け付けました {outbox_id}")
        return OutboxItem(id=outbox_id, message=message, attempts=1, created_at=T0)

    race = Race(postgres_engine)
    client = LineClient(line.access_token, line.api_base_url)
    try:
        a = LineGateway(Replica("A", uow_factory, race).uow, client, FakeClock(T0), timeout=5.0)
        b = LineGateway(Replica("B", uow_factory, race).uow, client, FakeClock(T0), timeout=5.0)
        with caplog.at_level(logging.WARNING, logger="handlers.line.gateway"):
            sent = await asyncio.gather(
                a.deliver(row(1, chats[0])),  # A: chat 1, then chat 2
                a.deliver(row(2, chats[1])),
                b.deliver(row(3, chats[1])),  # B: chat 2, then chat 1
                b.deliver(row(4, chats[0])),
            )
    finally:
        await client.close()
    assert all(s.message_id is not None for s in sent)
    for n, user in enumerate(users):
        got = sorted(str(e.message.get("text")) for e in line.received(user))
        wanted = sorted(f"受け付けました {i}" for i in ((1, 4) if n == 0 else (2, 3)))
        assert got == wanted
        assert {e.via for e in line.received(user)} == {"reply"}
    # Neither unit failed (a deadlock broken by PostgreSQL fails one).
    assert [r.getMessage() for r in caplog.records if "tried alone" in r.getMessage()] == []
