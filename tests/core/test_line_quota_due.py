"""A scheduled broadcast's LINE messages are counted again when it is due (issue 16): LINE's
quota may have been spent since it was scheduled. One that would go past what is left this
month is not started (nothing sent, on Telegram or LINE), as at compose time: it is held
(paused), the coordinator is told in their language what it costs and what is left, with Resume
and Cancel; resumed once LINE has enough, it starts. LINE's figures come from the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, BroadcastStatus, Draft
from bot.domain.people import Actor, NewPerson, Role
from bot.ports.line import MonthQuota
from bot.ports.telegram import TransientError
from bot.services import broadcasts as service
from handlers.line.client import LineClient
from handlers.line.quota import LineQuotaReader
from sandbox.line.standin import LineStandIn
from tests.fixtures.people import HANAKO, demo, person_id

DRAFT = Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "総会のお知らせ", "Assembly")
LINE_MEMBERS = 3  # besides the demo co-op's two members on Telegram


@pytest.fixture
async def quota(chat, memory_store, clock, line: LineStandIn) -> AsyncIterator[LineQuotaReader]:
    await demo(memory_store, clock)
    async with memory_store.uow() as uow:
        for number in range(LINE_MEMBERS):
            chat_id = await uow.line.chat_for(line.add_person(f"L{number}", "ja").user_id)
            await uow.people.add(
                NewPerson(chat_id, f"L{number}", "ja", clock.now(), "ja", frozenset({Role.MEMBER}))
            )
        await uow.commit()
    client = LineClient(line.access_token, line.api_base_url)
    try:
        yield LineQuotaReader(client)
    finally:
        await client.close()


async def scheduled(
    memory_store, clock, locale: str, hours: int = 1, chat: int | None = HANAKO.id
) -> int:
    staff = Actor(
        person_id(memory_store, HANAKO.id), frozenset({Role.STAFF, Role.COORDINATOR}), locale
    )
    async with memory_store.uow() as uow:
        broadcast = await service.create(
            uow,
            staff,
            DRAFT,
            now=clock.now(),
            send_at=clock.now() + timedelta(hours=hours),
            coordinator_chat_id=chat,
        )
        await uow.commit()
    return broadcast.id


def copies(memory_store) -> list[str]:
    return [
        key
        for r in memory_store.state.outbox.values()
        if (key := r.dedupe_key or "").startswith("bc:") and key.split(":")[-1].isdigit()
    ]


@pytest.mark.parametrize(
    ("locale", "held", "cost"),
    [
        ("en", "⏸ Broadcast #1 was due, but", "LINE: this costs 3 LINE messages (1 of"),
        ("ja", "⏸ 一斉連絡 #1 は送る時刻になりましたが", "LINE のメッセージ 3 通"),
        ("ja-easy", "⏸ 一斉連絡（いっせいれんらく） #1 を", "3 通（つう）"),
    ],
)
async def test_a_due_broadcast_past_the_months_line_messages_is_held_and_the_coordinator_told(
    chat, memory_store, clock, line, quota, locale, held, cost
):
    broadcast_id = await scheduled(memory_store, clock, locale)
    line.quota.spend(199)  # spent meanwhile: one of the plan's 200 is left, three are needed
    clock.advance(hours=1)
    assert await service.start_due_broadcasts(memory_store.uow, clock.now(), quota) == []
    state = memory_store.state.broadcasts[broadcast_id]
    assert state.status is BroadcastStatus.PAUSED and state.started_at is None
    [told] = chat._drain()[HANAKO.id]
    assert held in told.text and cost in told.text
    assert [data for row in told.buttons for _, data in row] == [
        f"bc:r:{broadcast_id}",
        f"bc:x:{broadcast_id}",
    ]
    assert copies(memory_store) == []  # nobody got it, on LINE or Telegram
    assert ("broadcast.held", f"broadcast:{broadcast_id}") in [
        (r.action, r.subject) for r in memory_store.state.audit
    ]
    # Held, it is not due again by itself.
    assert await service.start_due_broadcasts(memory_store.uow, clock.now(), quota) == []
    assert chat._drain() == {}

    line.quota.limit = 5000  # a larger plan: the coordinator resumes it, and it starts
    await chat.press(HANAKO, f"bc:r:{broadcast_id}")
    assert await service.start_due_broadcasts(memory_store.uow, clock.now(), quota) == [
        broadcast_id
    ]


async def test_the_author_of_one_composed_on_the_desk_is_told_in_their_chat(
    chat, memory_store, clock, line, quota
):
    broadcast_id = await scheduled(memory_store, clock, "en", chat=None)  # the desk's: no chat
    line.quota.spend(199)
    clock.advance(hours=1)
    assert await service.start_due_broadcasts(memory_store.uow, clock.now(), quota) == []
    [told] = chat._drain()[HANAKO.id]
    assert f"⏸ 一斉連絡 #{broadcast_id} は送る時刻になりましたが" in told.text  # Hanako's language


async def test_two_due_broadcasts_share_what_is_left(chat, memory_store, clock, line, quota):
    first = await scheduled(memory_store, clock, "ja")
    second = await scheduled(memory_store, clock, "ja")
    line.quota.spend(195)  # five left: the first's three fit, the second's do not
    clock.advance(hours=1)
    assert await service.start_due_broadcasts(memory_store.uow, clock.now(), quota) == [first]
    assert memory_store.state.broadcasts[second].status is BroadcastStatus.PAUSED


class Unreachable:
    """LINE's quota when LINE cannot be asked."""

    async def month(self) -> MonthQuota:
        raise TransientError("LINE is not answering")


async def test_a_due_broadcast_starts_when_line_cannot_be_asked(chat, memory_store, clock, quota):
    broadcast_id = await scheduled(memory_store, clock, "ja")
    clock.advance(hours=1)
    # As at compose time: not held up (pushes past the quota would fail, and staff see them).
    assert await service.start_due_broadcasts(memory_store.uow, clock.now(), Unreachable()) == [
        broadcast_id
    ]
