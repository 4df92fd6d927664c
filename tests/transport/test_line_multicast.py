"""A broadcast to LINE people goes as multicasts against the stand-in: one request per batch of
people whose copy reads the same (their language), each person's row keeping its own outcome,
exactly once whatever is killed (handlers/line/multicast.py, bot/runtime/broadcast_pump.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, Draft
from bot.domain.line_undelivered import QUOTA_SPENT
from bot.domain.outbound import OutboxStatus
from bot.domain.people import Actor, NewPerson, Role
from bot.notices.broadcasts import BroadcastCopies
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.runtime.broadcast_pump import BroadcastPump
from bot.services import broadcasts as service
from handlers.line.client import LineClient
from handlers.line.multicast import LineMulticaster
from sandbox.line.standin import LineStandIn
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.core import FakeClock
from tests.fixtures.people import HANAKO, demo, person_id

DRAFT = Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "総会のお知らせ", "AGM notice")
SETTINGS = DialogSettings(
    bot_username="kyodo_test_bot", invite_ttl_hours=72, max_text_length=1000, default_locale="ja"
)
LEASE = timedelta(seconds=30)


class Killed(BaseException):
    """The process dies right after LINE took the request: nothing of the answer is recorded."""


class DiesAfterSending(LineClient):
    async def multicast(
        self, to: list[str], messages: list[dict[str, Any]], retry_key: str, timeout: float
    ) -> None:
        await super().multicast(to, messages, retry_key, timeout)
        raise Killed


@dataclass
class Broadcasting:
    line: LineStandIn
    store: MemoryStore
    clock: FakeClock
    pump: BroadcastPump
    client: LineClient
    people: dict[str, str]  # LINE user id -> language

    async def sends(self) -> int:
        """Staff send the notice to all members; the pump queues every copy. Its id."""
        staff = Actor(
            person_id(self.store, HANAKO.id), frozenset({Role.STAFF, Role.COORDINATOR}), "ja"
        )
        async with self.store.uow() as uow:
            broadcast = await service.create(uow, staff, DRAFT, now=self.clock.now())
            await uow.commit()
        while await self.pump.step():
            pass
        return broadcast.id

    def multicaster(self, client: LineClient | None = None) -> LineMulticaster:
        return LineMulticaster(self.store.uow, client or self.client, self.clock, lease=LEASE)

    def received(self) -> dict[str, list[tuple[str | None, str | None]]]:
        return {user: [(e.via, e.text) for e in self.line.received(user)] for user in self.people}

    def line_rows(self) -> list[Any]:
        return [r for r in self.store.state.outbox.values() if r.line_batch is not None]


@pytest.fixture
async def broadcasting(line: LineStandIn, memory_store, clock, i18n) -> AsyncIterator[Broadcasting]:
    line.webhook_url = None
    await demo(memory_store, clock)  # its members are on Telegram
    people = {}
    async with memory_store.uow() as uow:
        for number, language in enumerate(["ja", "ja", "en"]):
            user = line.add_person(f"L{number}", language).user_id
            chat_id = await uow.line.chat_for(user)
            await uow.people.add(
                NewPerson(chat_id, f"L{number}", language, clock.now(), language, {Role.MEMBER})
            )
            people[user] = language
        await uow.commit()
    memory_store.publish = Consequences(Renderer(i18n), SETTINGS)
    copies = BroadcastCopies(Renderer(i18n), SETTINGS)
    pump = BroadcastPump(memory_store.uow, copies, clock, line_batch=500)
    client = LineClient(line.access_token, line.api_base_url)
    try:
        yield Broadcasting(line, memory_store, clock, pump, client, people)
    finally:
        await client.close()


def texts(language: str) -> str:
    return "総会のお知らせ" if language == "ja" else "AGM notice"


async def test_line_people_get_the_broadcast_in_one_multicast_per_language(
    broadcasting: Broadcasting,
):
    b = broadcasting
    await b.sends()
    await b.multicaster().drain()
    calls = b.line.calls_of("multicast")
    assert [(c.status, len(c.body["to"])) for c in calls] == [(200, 2), (200, 1)]
    assert all(c.retry_key for c in calls) and calls[0].retry_key != calls[1].retry_key
    for user, language in b.people.items():
        received = b.received()[user]  # the text, and its button when it does not fit in one
        assert {via for via, _ in received} == {"multicast"}
        assert texts(language) in (received[0][1] or ""), received
    assert [r.status for r in b.line_rows()] == [OutboxStatus.SENT] * 3
    assert b.line.quota.used == 3  # counted per person
    telegram = [r for r in b.store.state.outbox.values() if r.line_batch is None]
    assert telegram and all(r.message.chat_id < 10**15 for r in telegram)  # the sender's


async def test_a_multicast_repeated_after_a_kill_is_not_delivered_twice(
    broadcasting: Broadcasting,
):
    b = broadcasting
    await b.sends()
    dying = DiesAfterSending(b.line.access_token, b.line.api_base_url)
    try:
        with pytest.raises(Killed):
            await b.multicaster(dying).step()  # LINE took the first batch; no mark was made
    finally:
        await dying.close()
    b.clock.advance(seconds=LEASE.total_seconds() + 1)  # the restarted process takes it over
    await b.multicaster().drain()
    assert [c.status for c in b.line.calls_of("multicast")] == [200, 409, 200]
    sent = {
        user: len(call.body["messages"])
        for call in b.line.calls_of("multicast")
        if call.status == 200
        for user in call.body["to"]
    }
    assert {user: len(got) for user, got in b.received().items()} == sent  # once each
    assert [r.status for r in b.line_rows()] == [OutboxStatus.SENT] * 3
    assert b.line.quota.used == 3


@pytest.mark.line_options(quota=2)
async def test_a_batch_beyond_the_months_quota_fails_whole_and_says_why(
    broadcasting: Broadcasting,
):
    b = broadcasting
    await b.sends()
    await b.multicaster().drain()
    english = next(user for user, language in b.people.items() if language == "en")
    assert b.received()[english] == []
    rows = {r.line_batch: r for r in b.line_rows()}
    failed = [r for r in rows.values() if r.status is OutboxStatus.FAILED]
    assert len(failed) == 1 and "monthly limit" in (failed[0].last_error or "")
    # Kept as undelivered (it goes with the person's next reply), and staff are told once.
    assert (failed[0].last_error or "").startswith(QUOTA_SPENT)
    alerts = [
        r for r in b.store.state.outbox.values() if (r.dedupe_key or "").startswith("line-quota")
    ]
    assert [r.message.chat_id for r in alerts] == [HANAKO.id]
    assert "今月の LINE メッセージを使い切りました" in alerts[0].message.text
    assert b.line.quota.used == 2
