"""Notices LINE would not push (the month spent) go with the person's next free reply
(handlers/line/gateway.py): as many as LINE's 5 messages a request leave, oldest first, the
answer last; and exactly once, whatever answer is lost on the way back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.deliveries import AMBIGUOUS_TIMEOUT
from bot.domain.line_undelivered import QUOTA_SPENT
from bot.domain.outbound import OutboundMessage, OutboxItem, OutboxStatus
from bot.ports.line import LineEvent
from bot.ports.telegram import AmbiguousTimeout, TransientError
from handlers.line.client import LineClient, MaybeArrived
from handlers.line.gateway import LineGateway
from sandbox.line.standin import LineStandIn
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.core import FakeClock

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class LosingReplies(LineClient):
    """Loses the next `lose` answers to a reply: LINE carried it out, Kyodo never heard."""

    lose = 0

    async def reply(self, token: str, messages: list[dict[str, Any]], timeout: float) -> list[str]:
        ids = await super().reply(token, messages, timeout)
        if self.lose > 0:
            self.lose -= 1
            raise MaybeArrived("the answer was lost")
        return ids


@dataclass
class Chat:
    line: LineStandIn
    store: MemoryStore
    clock: FakeClock
    gateway: LineGateway
    client: LosingReplies
    user_id: str
    chat_id: int

    async def writes(self) -> None:
        record = self.line.sends_text(self.user_id, "こんにちは")
        now = self.clock.now()
        event = LineEvent(
            record.id,
            int(now.timestamp() * 1000),
            self.chat_id,
            str(record.event["replyToken"]),
            now + timedelta(seconds=50),
        )
        async with self.store.uow() as uow:
            await uow.line.record_events([event], now)
            await uow.commit()

    async def held(self, *texts: str) -> list[int]:
        """Notices LINE refused to push this month (as the sender leaves them)."""
        ids = []
        async with self.store.uow() as uow:
            for text in texts:
                row = await uow.outbox.add(OutboundMessage(self.chat_id, text), self.clock.now())
                assert row is not None
                await uow.outbox.mark_failed(row, self.clock.now(), f"{QUOTA_SPENT}: 429")
                ids.append(row)
            await uow.commit()
        return ids

    def answer(self, text: str = "受け付けました") -> OutboxItem:
        message = OutboundMessage(self.chat_id, text, buttons=((("OK", "m:ok"),),))
        return OutboxItem(id=1000, message=message, attempts=1, created_at=T0)

    def statuses(self, ids: list[int]) -> list[tuple[OutboxStatus, str | None]]:
        rows = self.store.state.outbox
        return [(rows[i].status, rows[i].last_error) for i in ids]

    @property
    def received(self) -> list[tuple[str | None, str | None]]:
        return [(entry.via, entry.text) for entry in self.line.received(self.user_id)]


@pytest.fixture
async def chat(line: LineStandIn) -> AsyncIterator[Chat]:
    line.webhook_url = None  # events wait at the stand-in: this test plays Kyodo's intake
    person = line.add_person("ケン")
    store, clock = MemoryStore(), FakeClock(T0)
    async with store.uow() as uow:
        chat_id = await uow.line.chat_for(person.user_id)
        await uow.commit()
    client = LosingReplies(line.access_token, line.api_base_url)
    gateway = LineGateway(store.uow, client, clock, timeout=2.0)
    try:
        yield Chat(line, store, clock, gateway, client, person.user_id, chat_id)
    finally:
        await client.close()


async def test_held_notices_go_with_the_next_reply_as_many_as_fit(chat: Chat):
    held = await chat.held("お知らせ1", "お知らせ2", "お知らせ3", "お知らせ4", "お知らせ5")
    await chat.writes()
    await chat.gateway.deliver(chat.answer())
    # Four of them and the answer: LINE's five messages; the answer last (its quick replies).
    assert chat.received == [("reply", f"お知らせ{n}") for n in range(1, 5)] + [
        ("reply", "受け付けました")
    ]
    assert [status for status, _ in chat.statuses(held)] == [OutboxStatus.SENT] * 4 + [
        OutboxStatus.FAILED
    ]
    assert chat.statuses(held)[-1][1] == f"{QUOTA_SPENT}: 429"  # the next reply takes it
    assert chat.line.quota.used == 0


async def test_a_reply_whose_answer_was_lost_carries_them_once(chat: Chat):
    held = await chat.held("お知らせ1")
    await chat.writes()
    chat.client.lose = 1
    item = chat.answer()
    with pytest.raises(TransientError):
        await chat.gateway.deliver(item)
    assert chat.statuses(held) == [(OutboxStatus.FAILED, "riding on the LINE reply of outbox 1000")]
    await chat.gateway.deliver(item)  # the retry: LINE refuses the spent token, it had arrived
    assert chat.received == [("reply", "お知らせ1"), ("reply", "受け付けました")]
    assert [status for status, _ in chat.statuses(held)] == [OutboxStatus.SENT]


async def test_a_reply_of_unknown_fate_leaves_them_to_staff_as_maybe_arrived(chat: Chat):
    held = await chat.held("お知らせ1")
    await chat.writes()
    chat.client.lose = 1
    item = chat.answer()
    with pytest.raises(TransientError):
        await chat.gateway.deliver(item)
    chat.clock.advance(seconds=51)  # the token's life is over: nobody can tell
    with pytest.raises(AmbiguousTimeout):
        await chat.gateway.deliver(item)
    assert chat.statuses(held) == [(OutboxStatus.FAILED, AMBIGUOUS_TIMEOUT)]
    assert chat.received == [("reply", "お知らせ1"), ("reply", "受け付けました")]


async def test_a_push_carries_nothing(chat: Chat):
    held = await chat.held("お知らせ1")
    chat.line.quota.limit = None
    await chat.gateway.deliver(chat.answer())  # no token: a push, counted
    assert chat.received == [("push", "受け付けました")]
    assert chat.statuses(held) == [(OutboxStatus.FAILED, f"{QUOTA_SPENT}: 429")]
