"""LINE deliveries' claims on reply tokens are committed before their replies go out, and what
became of the replies before the deliveries return, several deliveries' in one unit of work when
they come together (handlers/line/gateway.py): each person still gets one reply, each token is
spent, and when such a unit fails, every delivery in it fails and its retry sends nothing
twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.outbound import OutboundMessage, OutboxItem
from bot.ports.line import LineEvent, ReplyClaim
from handlers.line.client import LineClient
from handlers.line.gateway import LineGateway
from sandbox.line.standin import LineStandIn
from tests.fakes.memory_store import MemoryStore, MemoryUnitOfWork
from tests.fixtures.core import FakeClock

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PEOPLE = 6


class _Line:
    """A unit's `line` repository that notes when the unit claims or spends a reply token."""

    def __init__(self, inner: Any, unit: _Unit) -> None:
        self._inner = inner
        self._unit = unit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def claim_reply(self, chat_id: int, outbox_id: int, now: Any) -> Any:
        self._unit.claimed += 1
        if outbox_id in self._unit._store.poisoned_claims:
            raise ValueError("this row's claim cannot be written")
        return await self._inner.claim_reply(chat_id, outbox_id, now)

    async def spend_reply(self, outbox_id: int, *, delivered: bool) -> None:
        self._unit.spent += 1
        if outbox_id in self._unit._store.poisoned_spends:
            raise ValueError("this row's outcome cannot be written")
        await self._inner.spend_reply(outbox_id, delivered=delivered)


class _Unit:
    def __init__(self, store: FlakyStore) -> None:
        self._store = store
        self._inner: MemoryUnitOfWork = store.memory.uow()
        self.claimed = self.spent = 0

    async def __aenter__(self) -> _Unit:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._inner.__aexit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def line(self) -> _Line:
        return _Line(self._inner.line, self)

    async def commit(self) -> None:
        if self._store.gate is not None:
            self._store.at_gate.set()
            await self._store.gate.wait()
        if self.claimed and self._store.failing_claims:
            self._store.failing_claims -= 1
            raise ConnectionError("the database went away")
        if self.spent and self._store.failing:
            self._store.failing -= 1
            raise ConnectionError("the database went away")
        await self._inner.commit()
        self._store.spends_committed.append(self.spent)


class FlakyStore:
    """The memory store, whose next `failing_claims` units that claim reply tokens, and next
    `failing` units that spend them, fail to commit; and in which the claim of a row in
    `poisoned_claims`, or the spending of a row's token in `poisoned_spends`, always fails."""

    def __init__(self) -> None:
        self.memory = MemoryStore()
        self.failing_claims = self.failing = 0
        self.poisoned_claims: set[int] = set()
        self.poisoned_spends: set[int] = set()
        self.gate: asyncio.Event | None = None  # when set, each commit waits for it
        self.at_gate = asyncio.Event()  # a commit came to the gate
        self.spends_committed: list[int] = []  # each committed unit's spent tokens

    def uow(self) -> _Unit:
        return _Unit(self)


@dataclass
class Chats:
    line: LineStandIn
    store: FlakyStore
    gateway: LineGateway
    users: list[str]
    chats: list[int]

    def row(self, n: int) -> OutboxItem:
        message = OutboundMessage(chat_id=self.chats[n], text=f"受け付けました {n}")
        return OutboxItem(id=n + 1, message=message, attempts=1, created_at=T0)

    async def claim_of(self, n: int) -> ReplyClaim | None:
        async with self.store.memory.uow() as uow:
            return await uow.line.claim_reply(self.chats[n], n + 1, T0)

    def replies_to(self, n: int) -> list[tuple[str | None, str | None]]:
        return [(e.via, e.message.get("text")) for e in self.line.received(self.users[n])]


@pytest.fixture
async def chats(line: LineStandIn) -> AsyncIterator[Chats]:
    line.webhook_url = None  # events wait at the stand-in: this test plays Kyodo's intake
    store, clock = FlakyStore(), FakeClock(T0)
    users = [line.add_person(f"会員{n}").user_id for n in range(PEOPLE)]
    events = []
    async with store.memory.uow() as uow:
        chat_ids = [await uow.line.chat_for(user) for user in users]
        for n, (user, chat) in enumerate(zip(users, chat_ids, strict=True)):
            record = line.sends_text(user, "こんにちは")
            token = str(record.event["replyToken"])
            millis = int(T0.timestamp() * 1000) + n
            events.append(LineEvent(record.id, millis, chat, token, T0 + timedelta(seconds=50)))
        await uow.line.record_events(events, T0)
        await uow.commit()
    client = LineClient(line.access_token, line.api_base_url)
    gateway = LineGateway(store.uow, client, clock, timeout=2.0)
    try:
        yield Chats(line, store, gateway, users, chat_ids)
    finally:
        await client.close()


async def test_replies_delivered_together_each_arrive_once_and_spend_their_token(chats: Chats):
    sent = await asyncio.gather(*(chats.gateway.deliver(chats.row(n)) for n in range(PEOPLE)))
    for n in range(PEOPLE):
        assert chats.replies_to(n) == [("reply", f"受け付けました {n}")]
        assert sent[n].message_id == int(chats.line.received(chats.users[n])[0].id)
        # Committed before the delivery returned: a retry knows it was delivered.
        assert await chats.claim_of(n) == ReplyClaim(None, again=True, fresh=False, delivered=True)
    assert sum(chats.store.spends_committed) == PEOPLE
    assert chats.line.stats.get("push_messages", 0) == 0


async def test_when_the_outcomes_commit_fails_each_delivery_fails_and_its_retry_sends_nothing(
    chats: Chats,
):
    chats.store.failing = 1000  # every unit, the retries of a failed one alone too
    results = await asyncio.gather(
        *(chats.gateway.deliver(chats.row(n)) for n in range(PEOPLE)), return_exceptions=True
    )
    chats.store.failing = 0
    failed = [n for n, result in enumerate(results) if isinstance(result, ConnectionError)]
    assert failed  # at least the first unit's replies, however many it took
    assert all(not isinstance(results[n], BaseException) for n in range(PEOPLE) if n not in failed)
    for n in failed:
        # Not recorded: the claim is still this row's, token and all.
        claim = await chats.claim_of(n)
        assert claim is not None and claim.again and not claim.delivered and claim.token
        again = await chats.gateway.deliver(chats.row(n))  # LINE refuses the spent token
        assert again.message_id is None
        assert await chats.claim_of(n) == ReplyClaim(None, again=True, fresh=False, delivered=True)
    for n in range(PEOPLE):
        assert chats.replies_to(n) == [("reply", f"受け付けました {n}")]
    assert chats.line.stats.get("push_messages", 0) == 0


async def test_when_the_claims_commit_fails_each_delivery_fails_unsent_and_its_retry_replies(
    chats: Chats,
):
    chats.store.failing_claims = 1000  # every unit, the retries of a failed one alone too
    results = await asyncio.gather(
        *(chats.gateway.deliver(chats.row(n)) for n in range(PEOPLE)), return_exceptions=True
    )
    chats.store.failing_claims = 0
    failed = [n for n, result in enumerate(results) if isinstance(result, ConnectionError)]
    assert failed  # at least the first unit's deliveries, however many it took
    for n in failed:
        assert chats.replies_to(n) == []  # nothing goes out before its claim is on record
        claim = await chats.claim_of(n)  # (not committed)
        assert claim is not None and not claim.again  # the claim was not kept: the token is free
    for n in failed:
        await chats.gateway.deliver(chats.row(n))
    for n in range(PEOPLE):
        assert chats.replies_to(n) == [("reply", f"受け付けました {n}")]
        assert await chats.claim_of(n) == ReplyClaim(None, again=True, fresh=False, delivered=True)
    assert chats.line.stats.get("push_messages", 0) == 0


async def test_a_delivery_whose_claim_cannot_be_written_fails_alone(chats: Chats):
    # Its neighbours in the unit are not failed with it (over and over, at each retry, until
    # they are given up): they reply once.
    chats.store.poisoned_claims = {1}  # row 0's
    results = await asyncio.gather(
        *(chats.gateway.deliver(chats.row(n)) for n in range(PEOPLE)), return_exceptions=True
    )
    assert isinstance(results[0], ValueError)
    assert chats.replies_to(0) == []
    for n in range(1, PEOPLE):
        assert not isinstance(results[n], BaseException), results[n]
        assert chats.replies_to(n) == [("reply", f"受け付けました {n}")]
        assert await chats.claim_of(n) == ReplyClaim(None, again=True, fresh=False, delivered=True)
    assert chats.line.stats.get("push_messages", 0) == 0


async def test_a_reply_whose_outcome_cannot_be_written_fails_alone(chats: Chats):
    chats.store.poisoned_spends = {1}  # row 0's
    results = await asyncio.gather(
        *(chats.gateway.deliver(chats.row(n)) for n in range(PEOPLE)), return_exceptions=True
    )
    assert isinstance(results[0], ValueError)
    claim = await chats.claim_of(0)  # not recorded: its retry will find LINE refusing the token
    assert claim is not None and claim.again and not claim.delivered and claim.token
    for n in range(1, PEOPLE):
        assert not isinstance(results[n], BaseException), results[n]
        assert await chats.claim_of(n) == ReplyClaim(None, again=True, fresh=False, delivered=True)
    for n in range(PEOPLE):
        assert chats.replies_to(n) == [("reply", f"受け付けました {n}")]


async def test_a_delivery_cancelled_before_its_claim_is_written_leaves_no_claim(chats: Chats):
    # Cancelled (Kyodo stopping) while it waits for its unit: nothing of it is committed, as
    # when it had a unit of its own, so its row is not taken later for one whose reply may
    # have gone (and failed as an ambiguous timeout once the token has expired).
    first = asyncio.create_task(chats.gateway.deliver(chats.row(0)))
    await asyncio.sleep(0)  # it waits for its claim's unit
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await chats.gateway.deliver(chats.row(1))  # after the unit the cancelled one was in
    claim = await chats.claim_of(0)
    assert claim is not None and not claim.again  # the token is free, not held for row 0
    assert chats.replies_to(0) == []
    await chats.gateway.deliver(chats.row(0))  # its retry
    assert chats.replies_to(0) == [("reply", "受け付けました 0")]


async def test_deliveries_whose_unit_is_cancelled_before_it_starts_do_not_wait_forever(
    chats: Chats,
):
    # The task that commits the units is cancelled (the loop shutting down) before it ran a
    # line: the deliveries waiting for it are cancelled too, rather than never returning.
    waiting = [asyncio.create_task(chats.gateway.deliver(chats.row(n))) for n in range(2)]
    await asyncio.sleep(0)  # both wait for their claims' unit, not begun
    writer = chats.gateway._claims._writing
    assert writer is not None and not writer.done()
    writer.cancel()
    for _ in range(10):  # a few turns of the loop, not a time
        await asyncio.sleep(0)
    assert all(task.done() for task in waiting)
    for task in waiting:
        assert task.cancelled()
    for n in range(2):  # nothing went out, and the retries reply once
        assert chats.replies_to(n) == []
        await chats.gateway.deliver(chats.row(n))
        assert chats.replies_to(n) == [("reply", f"受け付けました {n}")]


class _AnswerLost(LineClient):
    """LINE takes the reply, and then something nobody expected goes wrong before its answer
    is read (an error of no kind the client knows)."""

    async def reply(self, token: str, messages: list[dict[str, object]], timeout: float) -> Any:
        await super().reply(token, messages, timeout)
        raise RuntimeError("something unexpected after LINE took the reply")


async def test_a_reply_that_fails_unexpectedly_keeps_its_claim_and_its_retry_sends_nothing(
    chats: Chats,
):
    # Not a refusal (LINE's 400): it may have arrived, so the claim stays, as for a timeout,
    # and the retry replies again rather than pushing a second copy.
    client = _AnswerLost(chats.line.access_token, chats.line.api_base_url)
    try:
        gateway = LineGateway(chats.store.uow, client, FakeClock(T0), timeout=2.0)
        with pytest.raises(RuntimeError):
            await gateway.deliver(chats.row(0))
    finally:
        await client.close()
    claim = await chats.claim_of(0)
    assert claim is not None and claim.again and not claim.delivered and claim.token
    again = await chats.gateway.deliver(chats.row(0))  # LINE refuses the spent token
    assert again.message_id is None
    assert chats.replies_to(0) == [("reply", "受け付けました 0")]
    assert chats.line.stats.get("push_messages", 0) == 0


async def test_a_delivery_whose_unit_is_cancelled_midway_does_not_wait_forever(chats: Chats):
    # The committing task is cancelled in its unit, and another delivery comes before the
    # loop has noted it: the new one gets a task of its own, and the first is cancelled (it
    # does not wait for a unit that its cancelled task will never commit).
    chats.store.gate = asyncio.Event()
    first = asyncio.create_task(chats.gateway.deliver(chats.row(0)))
    await chats.store.at_gate.wait()
    writer = chats.gateway._claims._writing
    assert writer is not None
    writer.cancel()
    second = asyncio.create_task(chats.gateway.deliver(chats.row(1)))
    chats.store.gate.set()
    await second
    assert chats.replies_to(1) == [("reply", "受け付けました 1")]
    for _ in range(10):  # a few turns of the loop, not a time
        await asyncio.sleep(0)
    assert first.cancelled()
    assert chats.replies_to(0) == []
