"""Deliveries that need a person, as staff meet them in Telegram and in the morning digest:
an update Kyodo parked after its failed attempts is listed in /queue and handled again from
there (the person then gets their answer); messages that may not have arrived are counted in
/queue and the digest, listed per person by the service the desk calls, and sent again. Looking
and acting are for staff only, and audited."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deliveries import AMBIGUOUS_TIMEOUT, Problem
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.line_undelivered import QUOTA_SPENT
from bot.domain.outbound import OutboundMessage, OutboxStatus
from bot.domain.people import Actor
from bot.runtime.inbox import InboxWorker
from bot.services import deliveries
from bot.services.reminders import ReminderRunner, ReminderSettings
from handlers.raw.parse import parse_update
from tests.fakes.gateway import FakeGateway
from tests.fixtures.people import HANAKO, MARIA, TANAKA, audited, demo, person_id

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
async def staffed(chat, clock):
    await demo(chat.store, clock)
    return chat


async def parked_help(store, clock, update_id: int, telegram_id: int) -> None:
    """`/help` from this person, parked by the inbox worker after its failed attempts."""
    sender = {"id": telegram_id, "is_bot": False, "first_name": "X", "language_code": "ja"}
    update = {
        "update_id": update_id,
        "message": {
            "message_id": 5,
            "date": 1_700_000_000,
            "chat": {"id": telegram_id, "type": "private"},
            "from": sender,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    async with store.uow() as uow:
        await uow.inbox.add_fresh([(update_id, update)], clock.now(), clock.now())
        assert await uow.inbox.park(update_id, clock.now(), "OperationalError")
        await uow.commit()


async def failed(store, clock, telegram_id: int, text: str, error: str) -> int:
    """A message to this person that the sender settled as failed with `error`."""
    now = clock.now()
    async with store.uow() as uow:
        item_id = await uow.outbox.add(OutboundMessage(telegram_id, text), now)
        assert item_id is not None
        await uow.outbox.claim(now, now + timedelta(seconds=30), 1)
        await uow.outbox.mark_failed(item_id, now, error)
        await uow.commit()
    return item_id


def staff_actor(store) -> Actor:
    person = store.state.people[person_id(store, HANAKO.id)]
    return Actor(person.id, person.roles, "ja")


async def test_staff_see_a_parked_update_in_the_queue_and_the_person_gets_the_answer(
    staffed, clock
):
    store = staffed.store
    await parked_help(store, clock, 900, TANAKA.id)
    await failed(store, clock, MARIA.id, "Your shift is approved", AMBIGUOUS_TIMEOUT)

    queue = await staffed.send(HANAKO, "/queue")

    assert (
        "#900 田中 一郎さんからのメッセージを処理できませんでした（OperationalError）" in queue.text
    )
    assert "処理できなかったメッセージ：1件" in queue.text
    assert "メッセージが届いていないかもしれない方：1人" in queue.text
    assert ("deliveries.viewed", "deliveries") in audited(store)
    again = await staffed.tap(HANAKO, "#900 をやり直す")
    assert "#900 をもう一度処理しています" in again.text
    assert "処理できなかったメッセージ" not in again.text  # the queue as it is now
    assert ("inbox.handled_again", "update:900") in audited(store)

    worker = InboxWorker(store.uow, parse_update, staffed.conversation, FakeGateway(), clock)
    assert await worker.run_once() == 1
    answers = staffed._drain()[TANAKA.id]
    assert "ヘルプ" in answers[-1].text

    late = await staffed.press(HANAKO, "tq:again:900")
    assert "#900 はもう待っていません" in late.text


async def test_only_staff_may_handle_an_update_again(staffed, clock):
    store = staffed.store
    await parked_help(store, clock, 901, TANAKA.id)

    refused = await staffed.press(TANAKA, "tq:again:901")

    assert "その操作は行えません" in refused.text
    assert ("deliveries.refused", "update:901") in audited(store)
    async with store.uow() as uow:
        assert [p.update_id for p in await uow.inbox.parked(10)] == [901]


async def test_messages_that_may_not_have_arrived_are_listed_per_person_and_sent_again(
    staffed, clock
):
    store = staffed.store
    maybe = await failed(store, clock, MARIA.id, "Your shift is approved", AMBIGUOUS_TIMEOUT)
    refused = await failed(store, clock, MARIA.id, "Your hours", "bad request: too long")
    await failed(store, clock, TANAKA.id, "お知らせ", "unreachable: Forbidden: bot was blocked")
    clock.advance(minutes=5)
    staff = staff_actor(store)

    async with store.uow() as uow:
        found = await deliveries.needing_a_person(uow, staff, clock.now())
        await uow.commit()
    [maria] = found.people  # Tanaka blocked Kyodo: sending again cannot help
    assert maria.person is not None and maria.person.display_name == "Maria Santos"
    assert [(s.outbox_id, s.problem) for s in maria.sends] == [
        (maybe, Problem.MAYBE_ARRIVED),
        (refused, Problem.NOT_SENT),
    ]
    async with store.uow() as uow:
        assert await deliveries.send_again(uow, staff, clock.now(), MARIA.id) == 2
        await uow.commit()
    assert ("deliveries.sent_again", f"chat:{MARIA.id}") in audited(store)
    assert [store.state.outbox[i].status for i in (maybe, refused)] == [OutboxStatus.PENDING] * 2
    async with store.uow() as uow:
        assert (await deliveries.needing_a_person(uow, staff, clock.now())).empty
        with pytest.raises(DomainError, match="nothing_to_send"):
            await deliveries.send_again(uow, staff, clock.now(), MARIA.id)
    member = store.state.people[person_id(store, TANAKA.id)]
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await deliveries.needing_a_person(
                uow, Actor(member.id, member.roles, "ja"), clock.now()
            )


async def test_the_morning_digest_counts_what_the_desk_lists(staffed, clock):
    store = staffed.store
    await parked_help(store, clock, 902, TANAKA.id)
    await failed(store, clock, MARIA.id, "Your shift is approved", AMBIGUOUS_TIMEOUT)
    await failed(store, clock, TANAKA.id, "お知らせ", "gave up after 8 attempts: 502")
    runner = ReminderRunner(store.uow, ReminderSettings(TOKYO))
    staffed._drain()  # what the demo queued

    # Monday 23 November is a public holiday (no digest): Tuesday's, at 08:00 in Tokyo.
    await runner.plan_recurring(clock.now() + timedelta(days=1, hours=1))
    await runner.run_due(clock.now() + timedelta(days=2, hours=-1))

    [digest] = [m.text for m in staffed._drain().get(HANAKO.id, [])]
    assert "メッセージが届いていないかもしれない方：2人" in digest
    assert "Kyodoが処理できなかったメッセージ：1件" in digest
    async with store.uow() as uow:
        found = await deliveries.needing_a_person(uow, staff_actor(store), clock.now())
    assert (len(found.people), len(found.updates)) == (2, 1)


async def test_a_notice_lines_month_refused_is_not_sent_again_until_the_next_month(staffed, clock):
    # Sending it again this month would only be refused again: it waits on the LINE page (its
    # own list, with phones) and goes with the person's next message; next month it may go.
    store = staffed.store
    clock.advance(days=8, hours=13)  # 2026-11-30 13:00 UTC: 22:00 in Japan, LINE's November
    spent = await failed(store, clock, MARIA.id, "Your hours", f"{QUOTA_SPENT}: monthly limit")
    other = await failed(store, clock, TANAKA.id, "お知らせ", "bad request: too long")
    staff = staff_actor(store)
    async with store.uow() as uow:
        found = await deliveries.needing_a_person(uow, staff, clock.now())
        assert [s.outbox_id for p in found.people for s in p.sends] == [other]
        with pytest.raises(DomainError, match="nothing_to_send"):
            await deliveries.send_again(uow, staff, clock.now(), MARIA.id)
    clock.advance(hours=3)  # 1 December in Japan: LINE counts a new month
    async with store.uow() as uow:
        found = await deliveries.needing_a_person(uow, staff, clock.now())
        assert sorted(s.outbox_id for p in found.people for s in p.sends) == [spent, other]
        assert await deliveries.send_again(uow, staff, clock.now(), MARIA.id) == 1
        await uow.commit()
    assert store.state.outbox[spent].status is OutboxStatus.PENDING
