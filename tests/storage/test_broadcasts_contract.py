"""The repository contract for broadcasts, on every store (memory fake, SQLite, PostgreSQL).

Recipients are streamed by keyset pages; queuing is idempotent per (broadcast, person); pause,
cancel, counts and the unreached list work from the outbox rows a broadcast owns.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.assemblies import Answer, Rsvp
from bot.domain.broadcasts import (
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Draft,
)
from bot.domain.coop import NewAssembly, NewShift, WorkKind
from bot.domain.outbound import OutboundMessage
from bot.domain.people import NewPerson, Person, Role
from bot.ports.store import UnitOfWorkFactory

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
MEMBERS = frozenset({Role.MEMBER})
ALL = Audience(AudienceKind.MEMBERS)


async def people(uow_factory: UnitOfWorkFactory, count: int, roles=MEMBERS, first=10_000):
    made: list[Person] = []
    async with uow_factory() as uow:
        for i in range(count):
            made.append(
                await uow.people.add(
                    NewPerson(first + i, f"Person {i}", "ja" if i % 2 else "en", T0, roles=roles)
                )
            )
        await uow.commit()
    return made


async def new_broadcast(uow_factory, audience=ALL, kind=BroadcastKind.NOTICE) -> Broadcast:
    async with uow_factory() as uow:
        broadcast = await uow.broadcasts.add(
            Draft(audience, kind, "本文", "Text"),
            status=BroadcastStatus.RUNNING,
            created_by=None,
            created_at=T0,
            send_at=T0,
            coordinator_chat_id=1001,
            coordinator_locale="ja",
        )
        await uow.commit()
    return broadcast


async def stream(uow_factory, audience=ALL, kind=BroadcastKind.NOTICE, page=10) -> list[list[int]]:
    """Every page of the audience, as a pump reads it: one unit of work per page."""
    pages: list[list[int]] = []
    after = 0
    while True:
        async with uow_factory() as uow:
            found = await uow.broadcasts.recipients(audience, kind, after, page)
        if not found:
            return pages
        pages.append([r.person_id for r in found])
        after = found[-1].person_id


async def test_recipients_come_in_keyset_pages_without_gaps_or_repeats(uow_factory):
    members = await people(uow_factory, 25)
    await people(uow_factory, 3, frozenset({Role.VOLUNTEER}), first=20_000)
    async with uow_factory() as uow:  # no Telegram account: nobody to send to
        await uow.people.add(NewPerson(None, "Offline", None, T0, roles=MEMBERS))
        await uow.commit()
    pages = await stream(uow_factory)
    assert [len(p) for p in pages] == [10, 10, 5]
    flat = [pid for p in pages for pid in p]
    assert flat == sorted(m.id for m in members)
    async with uow_factory() as uow:
        assert await uow.broadcasts.count_audience(ALL, BroadcastKind.NOTICE) == (25, 0)
        first = (await uow.broadcasts.recipients(ALL, BroadcastKind.NOTICE, 0, 1))[0]
    assert first.telegram_user_id == 10_000 and first.telegram_language == "en"


async def test_opted_out_people_are_skipped_and_counted(uow_factory):
    members = await people(uow_factory, 6)
    async with uow_factory() as uow:
        await uow.broadcasts.set_preference(members[1].id, BroadcastKind.NOTICE, False, T0)
        await uow.broadcasts.set_preference(members[2].id, BroadcastKind.EVENTS, False, T0)
        await uow.broadcasts.set_preference(members[3].id, BroadcastKind.NEWS, True, T0)
        await uow.commit()
    assert [pid for p in await stream(uow_factory) for pid in p] == [
        m.id for i, m in enumerate(members) if i != 1
    ]
    async with uow_factory() as uow:
        assert await uow.broadcasts.count_audience(ALL, BroadcastKind.NOTICE) == (5, 1)
        assert await uow.broadcasts.count_audience(ALL, BroadcastKind.EVENTS) == (5, 1)
        opted_in = Audience(AudienceKind.OPTED_IN)
        assert await uow.broadcasts.count_audience(opted_in, BroadcastKind.NEWS) == (1, 0)
        assert await uow.broadcasts.opted_out(members[1].id) == {BroadcastKind.NOTICE}
        assert await uow.broadcasts.opted_in(members[3].id) == {BroadcastKind.NEWS}
        # Changing one's mind replaces the choice.
        await uow.broadcasts.set_preference(members[1].id, BroadcastKind.NOTICE, True, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.broadcasts.opted_out(members[1].id) == frozenset()
        assert await uow.broadcasts.count_audience(ALL, BroadcastKind.NOTICE) == (6, 0)


async def test_centre_and_unanswered_notice_audiences(uow_factory):
    members = await people(uow_factory, 4)
    volunteer = (await people(uow_factory, 1, frozenset({Role.VOLUNTEER}), first=20_000))[0]
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        other = await uow.centres.add("中央", "Chuo")
        start = T0 + timedelta(days=2)
        here = await uow.shifts.add(
            NewShift(centre.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 5)
        )
        there = await uow.shifts.add(
            NewShift(other.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 5)
        )
        # A centre's audience is who belongs to it (migration 0018), not who works its shifts:
        # members[1] belongs without a shift, members[2] works here but belongs elsewhere.
        for person in (members[0], members[1], volunteer):
            await uow.memberships.add(person.id, centre.id)
        await uow.memberships.add(members[2].id, other.id)
        for person in (members[0], volunteer, members[2]):
            await uow.shifts.assign(here.id, person.id)
        await uow.shifts.assign(there.id, members[1].id)
        assembly = await uow.assemblies.add(
            NewAssembly("総会", "Assembly", T0 + timedelta(days=9), "本部", "HQ", T0 + timedelta(7))
        )
        await uow.assemblies.put_answer(
            Answer(assembly.id, members[0].id, Rsvp.ATTENDING, None, T0)
        )
        await uow.commit()
    by_centre = Audience(AudienceKind.CENTRE, centre_id=centre.id)
    assert [pid for p in await stream(uow_factory, by_centre) for pid in p] == sorted(
        [members[0].id, members[1].id, volunteer.id]
    )
    unanswered = Audience(AudienceKind.NO_ANSWER, assembly_id=assembly.id)
    assert [pid for p in await stream(uow_factory, unanswered) for pid in p] == [
        m.id for m in members[1:]
    ]
    volunteers = Audience(AudienceKind.VOLUNTEERS)
    assert [pid for p in await stream(uow_factory, volunteers) for pid in p] == [volunteer.id]


def message(chat_id: int) -> OutboundMessage:
    return OutboundMessage(chat_id, "📢 本文", (((("Stop", "bc:o:notice"),)),))


async def test_queuing_a_chunk_twice_queues_it_once(uow_factory):
    members = await people(uow_factory, 3)
    broadcast = await new_broadcast(uow_factory)
    chunk = [(m.id, message(m.telegram_user_id or 0)) for m in members]
    async with uow_factory() as uow:
        assert await uow.broadcasts.queue(broadcast.id, chunk, T0) == 3
        await uow.commit()
    async with uow_factory() as uow:  # a restart, or a replica that lost the race
        assert await uow.broadcasts.queue(broadcast.id, chunk[1:], T0) == 0
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.broadcasts.delivery_counts(broadcast.id) == {
            "pending": 3,
            "sending": 0,
            "sent": 0,
            "failed": 0,
        }
        assert await uow.broadcasts.unsent(broadcast.id) == 3
        assert (await uow.outbox.counts())["pending"] == 3
        claimed = await uow.outbox.claim(T0, T0 + timedelta(minutes=1), 10)
        assert [c.dedupe_key for c in claimed] == [f"bc:{broadcast.id}:{m.id}" for m in members]
        assert claimed[0].message.buttons == ((("Stop", "bc:o:notice"),),)


async def test_outcomes_counts_unreached_and_the_progress_message_id(uow_factory):
    members = await people(uow_factory, 4)
    broadcast = await new_broadcast(uow_factory)
    async with uow_factory() as uow:
        await uow.broadcasts.queue(
            broadcast.id, [(m.id, message(m.telegram_user_id or 0)) for m in members], T0
        )
        await uow.commit()
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim(T0, T0 + timedelta(minutes=1), 10)
        ids = [c.id for c in claimed]
        later = T0 + timedelta(seconds=5)
        await uow.outbox.mark_sent_many([(ids[0], later, 501), (ids[1], later, 502)])
        await uow.outbox.mark_failed(ids[2], later, "unreachable: blocked")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.broadcasts.delivery_counts(broadcast.id) == {
            "pending": 0,
            "sending": 1,
            "sent": 2,
            "failed": 1,
        }
        assert await uow.broadcasts.unsent(broadcast.id) == 1
        assert await uow.broadcasts.message_id(ids[1]) == 502
        assert await uow.broadcasts.message_id(ids[3]) is None
        (missed,) = await uow.broadcasts.unreached(broadcast.id, 10)
        assert (missed.person_id, missed.display_name, missed.reason) == (
            members[2].id,
            "Person 2",
            "blocked",
        )
        assert (await uow.outbox.counts())["sent"] == 2


async def test_pause_holds_pending_rows_and_cancel_drops_them(uow_factory):
    members = await people(uow_factory, 3)
    broadcast = await new_broadcast(uow_factory)
    async with uow_factory() as uow:
        await uow.broadcasts.queue(
            broadcast.id, [(m.id, message(m.telegram_user_id or 0)) for m in members], T0
        )
        first = (await uow.outbox.claim(T0, T0 + timedelta(minutes=1), 1))[0]
        far = T0 + timedelta(days=3650)
        assert await uow.broadcasts.hold(broadcast.id, far) == 2  # the claimed one goes on
        assert await uow.outbox.claim(T0 + timedelta(seconds=30), far, 10) == []
        assert await uow.broadcasts.hold(broadcast.id, T0) == 2
        assert await uow.broadcasts.drop_pending(broadcast.id) == 2
        await uow.commit()
    async with uow_factory() as uow:
        counts = await uow.broadcasts.delivery_counts(broadcast.id)
        assert counts == {"pending": 0, "sending": 1, "sent": 0, "failed": 0}
        assert [c.id for c in await uow.outbox.claim(far, far, 10)] == [first.id]


async def test_a_stale_save_changes_nothing(uow_factory):
    broadcast = await new_broadcast(uow_factory)
    async with uow_factory() as uow:
        moved = Broadcast(**{**broadcast.__dict__, "cursor": 40, "planned": 100})
        assert await uow.broadcasts.save(moved, was=BroadcastStatus.RUNNING, was_cursor=0)
        assert not await uow.broadcasts.save(moved, was=BroadcastStatus.RUNNING, was_cursor=0)
        assert not await uow.broadcasts.save(moved, was=BroadcastStatus.PAUSED, was_cursor=40)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.broadcasts.get(broadcast.id)
        assert stored is not None and (stored.cursor, stored.planned) == (40, 100)
        assert stored.draft == broadcast.draft and stored.send_at == T0
        running = await uow.broadcasts.with_status(frozenset({BroadcastStatus.RUNNING}), 5)
        assert [b.id for b in running] == [broadcast.id]


async def test_due_finds_scheduled_broadcasts_whose_time_has_come(uow_factory):
    async with uow_factory() as uow:
        soon = await uow.broadcasts.add(
            Draft(ALL, BroadcastKind.NOTICE, "本文", ""),
            status=BroadcastStatus.SCHEDULED,
            created_by=None,
            created_at=T0,
            send_at=T0 + timedelta(hours=1),
            coordinator_chat_id=None,
            coordinator_locale="en",
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.broadcasts.due(T0, 10) == []
        (found,) = await uow.broadcasts.due(T0 + timedelta(hours=1), 10)
    assert found.id == soon.id and found.draft.text_en == ""


@pytest.mark.parametrize("count", [1200])
async def test_a_large_chunk_is_queued_in_slices(uow_factory, count):
    members = await people(uow_factory, count)
    broadcast = await new_broadcast(uow_factory)
    async with uow_factory() as uow:
        queued = await uow.broadcasts.queue(
            broadcast.id, [(m.id, message(m.telegram_user_id or 0)) for m in members], T0
        )
        await uow.commit()
    assert queued == count
    async with uow_factory() as uow:
        assert (await uow.broadcasts.delivery_counts(broadcast.id))["pending"] == count


async def test_a_line_batch_is_claimed_whole_and_never_row_by_row(uow_factory):
    members = await people(uow_factory, 4)
    broadcast = await new_broadcast(uow_factory)
    chunk = [(m.id, message(m.telegram_user_id or 0)) for m in members]
    batches = {members[0].id: "bc:1:a", members[1].id: "bc:1:a", members[2].id: "bc:1:b"}
    lease = timedelta(seconds=30)
    async with uow_factory() as uow:
        await uow.broadcasts.queue(broadcast.id, chunk, T0, batches)
        await uow.commit()
    async with uow_factory() as uow:
        alone = await uow.outbox.claim(T0, T0 + lease, 10)
        first = await uow.outbox.claim_batch(T0, T0 + lease)
        second = await uow.outbox.claim_batch(T0, T0 + lease)
        none = await uow.outbox.claim_batch(T0, T0 + lease)
        await uow.commit()
    chats = [m.telegram_user_id for m in members]
    assert [i.message.chat_id for i in alone] == chats[3:]  # the sender's: in no batch
    assert first is not None and second is not None and none is None
    assert (first[0], [i.message.chat_id for i in first[1]]) == ("bc:1:a", chats[:2])
    assert (second[0], [i.message.chat_id for i in second[1]]) == ("bc:1:b", chats[2:3])
    later = T0 + lease + timedelta(seconds=1)  # a killed process's lease ran out
    async with uow_factory() as uow:
        again = await uow.outbox.claim_batch(later, later + lease)
        await uow.commit()
    assert again is not None and again[0] == "bc:1:a"
    assert [i.attempts for i in again[1]] == [2, 2]


async def test_a_line_batch_is_not_what_the_sender_waits_for(uow_factory):
    members = await people(uow_factory, 2)
    broadcast = await new_broadcast(uow_factory)
    chunk = [(m.id, message(m.telegram_user_id or 0)) for m in members]
    async with uow_factory() as uow:
        await uow.broadcasts.queue(broadcast.id, chunk, T0, {m.id: "bc:1:a" for m in members})
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.next_due() is None  # the multicaster's, not the sender's
