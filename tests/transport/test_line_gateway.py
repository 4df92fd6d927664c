"""`LineGateway` against the LINE stand-in: a reply while the token lives, else a push with the
row's retry key, and never a second copy, whatever times out or is tried again after a kill
(a row delivered again is what a sender does after a kill: its lease ran out, the mark never
came)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.outbound import OutboundMessage, OutboxItem
from bot.ports.line import LineEvent
from bot.ports.telegram import (
    AmbiguousTimeout,
    BadRequest,
    RateLimited,
    TransientError,
    Unreachable,
)
from bot.runtime.inbox import InboxIntake
from handlers.line.client import LineClient, MaybeArrived
from handlers.line.gateway import LineGateway, retry_key
from handlers.line.webhook import LineIntake
from sandbox.line.standin import LineStandIn
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.core import FakeClock

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class LosingAnswers(LineClient):
    """The real client over a network that loses the next `lose` answers on their way back:
    LINE carried the request out, Kyodo never heard (what a kill or a read timeout leaves)."""

    lose = 0

    async def reply(self, token: str, messages: list[dict[str, Any]], timeout: float) -> list[str]:
        return self._lost(await super().reply(token, messages, timeout))

    async def push(
        self, to: str, messages: list[dict[str, Any]], retry_key: str, timeout: float
    ) -> list[str]:
        return self._lost(await super().push(to, messages, retry_key, timeout))

    def _lost(self, ids: list[str]) -> list[str]:
        if self.lose > 0:
            self.lose -= 1
            raise MaybeArrived("the answer was lost")
        return ids


@dataclass
class Door:
    line: LineStandIn
    store: MemoryStore
    clock: FakeClock
    gateway: LineGateway
    client: LosingAnswers
    user_id: str
    chat_id: int

    async def writes(self, text: str = "こんにちは") -> str:
        """The person writes; Kyodo's intake records the event's reply token. The token."""
        record = self.line.sends_text(self.user_id, text)
        token = str(record.event["replyToken"])
        millis = int(self.clock.now().timestamp() * 1000)
        async with self.store.uow() as uow:
            await uow.line.record_events(
                [
                    LineEvent(
                        record.id,
                        millis,
                        self.chat_id,
                        token,
                        self.clock.now() + timedelta(seconds=50),
                    )
                ],
                self.clock.now(),
            )
            await uow.commit()
        return token

    def row(self, item_id: int = 1, text: str = "受け付けました") -> OutboxItem:
        message = OutboundMessage(chat_id=self.chat_id, text=text, buttons=((("OK", "m:ok"),),))
        return OutboxItem(id=item_id, message=message, attempts=1, created_at=T0)

    @property
    def received(self) -> list[tuple[str | None, str | None]]:
        return [(entry.via, entry.text) for entry in self.line.received(self.user_id)]


@pytest.fixture
async def door(line: LineStandIn) -> AsyncIterator[Door]:
    line.webhook_url = None  # events wait at the stand-in: this test plays Kyodo's intake
    person = line.add_person("花子")
    store, clock = MemoryStore(), FakeClock(T0)
    async with store.uow() as uow:
        chat_id = await uow.line.chat_for(person.user_id)
        await uow.commit()
    client = LosingAnswers(line.access_token, line.api_base_url)
    # A timeout far below the faults' delay, and far above a loaded machine's answer time.
    gateway = LineGateway(store.uow, client, clock, timeout=1.0)
    try:
        yield Door(line, store, clock, gateway, client, person.user_id, chat_id)
    finally:
        await client.close()


async def test_an_answer_within_the_tokens_life_is_a_free_reply_and_the_token_goes(door: Door):
    await door.writes()
    sent = await door.gateway.deliver(door.row())
    assert door.received == [("reply", "受け付けました")]
    assert sent.message_id == int(door.line.received(door.user_id)[0].id)
    async with door.store.uow() as uow:
        claim = await uow.line.claim_reply(door.chat_id, 1, door.clock.now())
    assert claim is not None and claim.token is None  # used: not kept
    assert door.line.stats.get("push_messages", 0) == 0


async def test_a_token_expired_at_line_means_a_push_with_the_rows_retry_key(door: Door):
    await door.writes()
    door.line.clock.advance(61)
    item = door.row()
    await door.gateway.deliver(item)
    assert door.received == [("push", "受け付けました")]
    [push] = door.line.calls_of("pushMessage")
    assert push.retry_key == retry_key(item)
    assert door.line.stats["reply_token_expired"] == 1


async def test_a_push_tried_again_after_a_kill_is_not_delivered_twice(door: Door):
    item = door.row()
    first = await door.gateway.deliver(item)
    again = await door.gateway.deliver(item)  # the mark never came: the row goes again
    assert door.received == [("push", "受け付けました")]
    assert again.message_id == first.message_id
    assert door.line.stats["retry_key_conflicts"] == 1


async def test_a_reply_tried_again_after_a_kill_is_not_sent_again(door: Door):
    await door.writes()
    item = door.row()
    await door.gateway.deliver(item)
    again = await door.gateway.deliver(item)  # the mark never came: the row goes again
    assert again.message_id is None
    assert door.received == [("reply", "受け付けました")]
    assert len(door.line.calls_of("replyMessage")) == 1


async def test_a_push_without_an_answer_is_tried_again_and_arrives_once(door: Door):
    door.client.lose = 1  # it arrived; the answer did not
    item = door.row()
    with pytest.raises(TransientError):
        await door.gateway.deliver(item)
    await door.gateway.deliver(item)
    assert door.received == [("push", "受け付けました")]
    assert door.line.stats["retry_key_conflicts"] == 1


async def test_a_push_that_timed_out_before_line_took_it_goes_on_the_retry(door: Door):
    door.line.inject_fault("timeout", operation="pushMessage", delay=5.0)
    item = door.row()
    with pytest.raises(TransientError):
        await door.gateway.deliver(item)
    await door.gateway.deliver(item)
    assert door.received == [("push", "受け付けました")]


async def test_a_reply_without_an_answer_is_tried_again_with_its_token_and_arrives_once(door: Door):
    await door.writes()
    door.client.lose = 1
    item = door.row()
    with pytest.raises(TransientError):
        await door.gateway.deliver(item)
    sent = await door.gateway.deliver(item)  # LINE refuses the spent token: it had arrived
    assert sent.message_id is None
    assert door.received == [("reply", "受け付けました")]
    assert door.line.stats.get("push_messages", 0) == 0


async def test_a_reply_that_timed_out_before_line_took_it_goes_on_the_retry(door: Door):
    await door.writes()
    door.line.inject_fault("timeout", operation="replyMessage", delay=5.0)
    item = door.row()
    with pytest.raises(TransientError):
        await door.gateway.deliver(item)
    await door.gateway.deliver(item)
    assert door.received == [("reply", "受け付けました")]


async def test_a_reply_of_unknown_fate_once_its_token_expired_fails_rather_than_repeat(door: Door):
    await door.writes()
    door.client.lose = 1
    item = door.row()
    with pytest.raises(TransientError):
        await door.gateway.deliver(item)
    door.clock.advance(seconds=51)
    with pytest.raises(AmbiguousTimeout):
        await door.gateway.deliver(item)
    assert door.received == [("reply", "受け付けました")]


async def test_a_reply_refused_for_the_rate_gives_its_token_back(door: Door):
    await door.writes()
    door.line.inject_fault("429", operation="replyMessage")
    item = door.row()
    with pytest.raises(RateLimited):
        await door.gateway.deliver(item)
    await door.gateway.deliver(item)
    assert door.received == [("reply", "受け付けました")]


async def test_tokens_go_to_answers_oldest_first_then_pushes(door: Door):
    await door.writes("一")
    await door.writes("二")
    for number in (1, 2, 3):
        await door.gateway.deliver(door.row(number, f"答え{number}"))
    assert door.received == [("reply", "答え1"), ("reply", "答え2"), ("push", "答え3")]


async def test_a_chat_nobody_has_is_unreachable(door: Door):
    item = door.row()
    stray = OutboxItem(
        id=9, message=OutboundMessage(chat_id=door.chat_id + 5, text="x"), attempts=1, created_at=T0
    )
    with pytest.raises(Unreachable):
        await door.gateway.deliver(stray)
    assert item.message.chat_id == door.chat_id


async def test_a_forgotten_persons_line_id_goes_once_the_farewell_is_delivered(door: Door):
    async with door.store.uow() as uow:
        await uow.line.forget(door.chat_id)
        await uow.commit()
    await door.gateway.deliver(door.row(text="さようなら"))
    assert door.received == [("push", "さようなら")]
    async with door.store.uow() as uow:
        assert await uow.line.address(door.chat_id) is None


@pytest.mark.line_options(quota=1)
async def test_a_spent_quota_fails_pushes_and_leaves_replies_free(door: Door):
    await door.gateway.deliver(door.row(1, "一"))  # the month's one push
    with pytest.raises(BadRequest, match="monthly limit"):
        await door.gateway.deliver(door.row(2, "二"))
    await door.writes()
    await door.gateway.deliver(door.row(3, "三"))
    assert door.received == [("push", "一"), ("reply", "三")]


async def test_with_lines_clock_a_minute_ahead_an_answer_retried_after_a_kill_still_arrives(
    line: LineStandIn,
):
    """LINE's clock runs a minute ahead of Kyodo's (the event's time looks fresh to Kyodo, LINE
    holds its token expired). A kill right after a reply's claim was committed leaves the claim;
    the retry's reply is refused, which within the token's minute means "the first try arrived".
    Kyodo learns LINE's time from its answers (`Date`), so it never counts on that token: the
    answer is pushed, and arrives."""
    line.webhook_url = None
    person = line.add_person("花子")
    store, clock = MemoryStore(), FakeClock(datetime.now(UTC))
    client = LineClient(line.access_token, line.api_base_url)
    try:
        record = line.sends_text(person.user_id, "/help")
        line.clock.advance(61)  # LINE holds it past its token's minute, by LINE's clock
        intake = LineIntake(
            store.uow,
            InboxIntake(store.uow, clock, ids_restart=False),
            client,
            clock,
            max_text_length=4096,
        )
        assert await intake.accept([record.as_sent()]) == 1  # asks LINE for the profile
        async with store.uow() as uow:
            chat_id = await uow.line.chat_for(person.user_id)
        item = OutboxItem(
            id=1, message=OutboundMessage(chat_id=chat_id, text="Help"), attempts=2, created_at=T0
        )
        async with store.uow() as uow:  # what a first try commits before its reply goes out
            await uow.line.claim_reply(chat_id, item.id, clock.now())
            await uow.commit()
        await LineGateway(store.uow, client, clock, timeout=2.0).deliver(item)  # the retry
    finally:
        await client.close()
    assert [(e.via, e.text) for e in line.received(person.user_id)] == [("push", "Help")]
