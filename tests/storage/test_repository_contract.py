"""The repository contract: every store (memory fake, SQLite, PostgreSQL) behaves the same.

Each test runs once per store through the parametrised `uow_factory` fixture.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.audit import AuditQuery
from bot.domain.dialogs import DialogState
from bot.domain.invites import Invite
from bot.domain.outbound import OutboundMessage
from bot.domain.people import NewPerson, Role
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import LEASE, T0, add_person, message


async def queue(uow_factory: UnitOfWorkFactory, count: int, **kwargs: object) -> list[int]:
    async with uow_factory() as uow:
        ids = [await uow.outbox.add(message(f"m{i}"), T0, **kwargs) for i in range(count)]  # type: ignore[arg-type]
        await uow.commit()
    assert None not in ids
    return [i for i in ids if i is not None]


# --- unit of work -------------------------------------------------------------------------


async def test_leaving_a_unit_of_work_without_commit_rolls_back(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.people.add(NewPerson(7, "A", None, T0))
    async with uow_factory() as uow:
        assert await uow.people.by_telegram_id(7) is None


async def test_an_exception_inside_a_unit_of_work_rolls_back(uow_factory: UnitOfWorkFactory):
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.people.add(NewPerson(7, "A", None, T0))
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        assert await uow.people.by_telegram_id(7) is None


async def test_commit_persists_and_explicit_rollback_discards(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.people.add(NewPerson(7, "kept", None, T0))
        await uow.commit()
        await uow.people.add(NewPerson(8, "discarded", None, T0))
        await uow.rollback()
    async with uow_factory() as uow:
        assert await uow.people.by_telegram_id(7) is not None
        assert await uow.people.by_telegram_id(8) is None


async def test_a_unit_sees_its_own_uncommitted_writes(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(7, "A", None, T0))
        assert await uow.people.get(person.id) == person


# --- people -------------------------------------------------------------------------------


async def test_an_added_person_is_found_by_id_and_by_telegram_id(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory, roles=frozenset({Role.MEMBER}))
    assert person.display_name == "山田 花子"
    assert person.roles == {Role.MEMBER}
    assert person.locale is None
    assert person.telegram_language == "ja"
    assert person.unreachable is False
    assert person.created_at == T0
    async with uow_factory() as uow:
        assert await uow.people.get(person.id) == person
        assert await uow.people.by_telegram_id(1001) == person
        assert await uow.people.get(person.id + 100) is None
        assert await uow.people.by_telegram_id(999) is None


async def test_people_get_distinct_ids(uow_factory: UnitOfWorkFactory):
    first = await add_person(uow_factory, 1)
    second = await add_person(uow_factory, 2)
    walk_in = await add_person(uow_factory, None)
    assert len({first.id, second.id, walk_in.id}) == 3
    assert walk_in.telegram_user_id is None


async def test_telegram_user_ids_beyond_32_bits_are_kept(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory, 7_000_000_000)
    async with uow_factory() as uow:
        assert await uow.people.by_telegram_id(7_000_000_000) == person


async def test_roles_are_added_once_and_removed(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory, roles=frozenset({Role.MEMBER}))
    async with uow_factory() as uow:
        await uow.people.add_role(person.id, Role.STAFF)
        await uow.people.add_role(person.id, Role.STAFF)
        await uow.people.remove_role(person.id, Role.MEMBER)
        await uow.people.remove_role(person.id, Role.ADMIN)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.people.get(person.id)
    assert stored is not None
    assert stored.roles == {Role.STAFF}


async def test_people_with_a_role_are_listed_by_id(uow_factory: UnitOfWorkFactory):
    staff_b = await add_person(uow_factory, 2, frozenset({Role.STAFF}))
    await add_person(uow_factory, 3, frozenset({Role.MEMBER}))
    staff_a = await add_person(uow_factory, 1, frozenset({Role.STAFF, Role.ADMIN}))
    async with uow_factory() as uow:
        assert await uow.people.with_role(Role.STAFF) == [staff_b, staff_a]
        assert await uow.people.with_role(Role.ADMIN) == [staff_a]
        assert await uow.people.with_role(Role.VOLUNTEER) == []


async def test_people_by_role_a_page_at_a_time(uow_factory: UnitOfWorkFactory):
    members = [await add_person(uow_factory, n, frozenset({Role.MEMBER})) for n in range(1, 4)]
    staff = await add_person(uow_factory, 9, frozenset({Role.STAFF, Role.MEMBER}))
    async with uow_factory() as uow:
        page = await uow.people.page(Role.MEMBER, 0, 2)
        assert [p.id for p in page] == [members[0].id, members[1].id]
        page = await uow.people.page(Role.MEMBER, page[-1].id, 2)
        assert [p.id for p in page] == [members[2].id, staff.id]
        assert [p.id for p in await uow.people.page(Role.STAFF, 0, 10)] == [staff.id]
        assert len(await uow.people.page(None, 0, 10)) == 4
        assert await uow.people.count_by_role() == {Role.MEMBER: 4, Role.STAFF: 1}


async def test_locale_and_telegram_language_are_set_and_cleared(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory)
    async with uow_factory() as uow:
        await uow.people.set_locale(person.id, "en")
        await uow.people.set_telegram_language(person.id, "en-US")
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.people.get(person.id)
        assert stored is not None
        assert (stored.locale, stored.telegram_language) == ("en", "en-US")
        await uow.people.set_locale(person.id, None)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.people.get(person.id)
    assert stored is not None
    assert stored.locale is None


async def test_a_person_is_marked_unreachable_by_telegram_id_and_back(
    uow_factory: UnitOfWorkFactory,
):
    person = await add_person(uow_factory, 1001)
    async with uow_factory() as uow:
        await uow.people.mark_unreachable(1001, True)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.people.get(person.id)
        assert stored is not None
        assert stored.unreachable is True
        await uow.people.mark_unreachable(1001, False)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.people.get(person.id)
    assert stored is not None
    assert stored.unreachable is False


# --- invites ------------------------------------------------------------------------------


def invite(code: str = "ABCD2345", created_by: int | None = None) -> Invite:
    return Invite(
        code_hash=code,  # any string: the repository stores what the service hashed
        role=Role.MEMBER,
        created_by=created_by,
        created_at=T0,
        expires_at=T0 + timedelta(days=7),
    )


async def test_an_invite_is_stored_and_read_back(uow_factory: UnitOfWorkFactory):
    staff = await add_person(uow_factory, 1, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        await uow.invites.add(invite(created_by=staff.id))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invites.get("ABCD2345") == invite(created_by=staff.id)
        assert await uow.invites.get("ZZZZ9999") is None


async def test_an_invite_is_used_once_only(uow_factory: UnitOfWorkFactory):
    first = await add_person(uow_factory, 1)
    second = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        await uow.invites.add(invite())
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invites.mark_used("ABCD2345", first.id, T0) is True
        assert await uow.invites.mark_used("ABCD2345", second.id, T0) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invites.mark_used("ABCD2345", second.id, T0) is False
        stored = await uow.invites.get("ABCD2345")
    assert stored is not None
    assert (stored.used_by, stored.used_at) == (first.id, T0)


async def test_using_an_unknown_invite_fails(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory)
    async with uow_factory() as uow:
        assert await uow.invites.mark_used("NOPE2345", person.id, T0) is False


async def test_an_invite_is_revoked_once_and_leaves_the_open_ones(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        for code in ("AAAABBBB", "CCCCDDDD"):
            await uow.invites.add(Invite(code, Role.MEMBER, None, T0, T0 + timedelta(days=3)))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invites.revoke_invite("AAAABBBB", T0 + timedelta(hours=1)) is True
        assert await uow.invites.revoke_invite("AAAABBBB", T0 + timedelta(hours=2)) is False
        await uow.commit()
    async with uow_factory() as uow:
        still = await uow.invites.open_invites(T0 + timedelta(hours=2), 10)
    assert [i.code_hash for i in still] == ["CCCCDDDD"]


# --- dialogs ------------------------------------------------------------------------------


async def test_dialog_state_is_put_read_overwritten_and_deleted(uow_factory: UnitOfWorkFactory):
    first = DialogState("report_hours", "ask_date", {"hours": "7.5", "nested": {"a": [1, 2]}})
    second = DialogState("report_hours", "confirm", {"date": "2026-11-22"})
    async with uow_factory() as uow:
        assert await uow.dialogs.get("telegram", 42) is None
        await uow.dialogs.put("telegram", 42, first, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get("telegram", 42) == first
        await uow.dialogs.put("telegram", 42, second, T0 + LEASE)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get("telegram", 42) == second
        await uow.dialogs.delete("telegram", 42)
        await uow.dialogs.delete("telegram", 42)  # deleting twice is harmless
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get("telegram", 42) is None


async def test_dialog_state_is_keyed_by_channel_and_chat(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.dialogs.put("telegram", -1001234567890, DialogState("a", "1"), T0)
        await uow.dialogs.put("sandbox", -1001234567890, DialogState("b", "2"), T0)
        await uow.dialogs.put("telegram", 5, DialogState("c", "3"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get("telegram", -1001234567890) == DialogState("a", "1")
        assert await uow.dialogs.get("sandbox", -1001234567890) == DialogState("b", "2")
        assert await uow.dialogs.get("telegram", 5) == DialogState("c", "3")


# --- inbox --------------------------------------------------------------------------------


async def test_a_duplicate_update_is_refused_without_spoiling_the_transaction(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        assert await uow.inbox.add(10, {"update_id": 10}, T0) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.add(10, {"update_id": 10, "again": True}, T0) is False
        # The transaction is still usable after the refused insert (PostgreSQL would abort it
        # on a unique violation).
        assert await uow.inbox.add(11, {"update_id": 11}, T0) is True
        await uow.commit()
    async with uow_factory() as uow:
        pending = await uow.inbox.pending(10)
    assert [(i.update_id, i.payload) for i in pending] == [
        (10, {"update_id": 10}),
        (11, {"update_id": 11}),
    ]


async def test_a_batch_of_updates_is_stored_at_once_and_repeats_are_skipped(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        assert await uow.inbox.add(50, {"update_id": 50}, T0) is True
        await uow.commit()
    batch = [(51, {"update_id": 51}), (50, {"update_id": 50, "again": True}), (52, {"x": 1})]
    async with uow_factory() as uow:
        assert await uow.inbox.add_many([*batch, (51, {"update_id": 51})], T0) == 2
        assert await uow.inbox.add_many([], T0) == 0
        await uow.commit()
    async with uow_factory() as uow:
        pending = await uow.inbox.pending(10)
    assert [(i.update_id, i.payload) for i in pending] == [
        (50, {"update_id": 50}),
        (51, {"update_id": 51}),
        (52, {"x": 1}),
    ]


async def test_pending_updates_come_oldest_first_up_to_the_limit(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        for update_id in (30, 10, 20, 40):
            await uow.inbox.add(update_id, {"update_id": update_id}, T0)
        await uow.commit()
    async with uow_factory() as uow:
        pending = await uow.inbox.pending(3)
    assert [i.update_id for i in pending] == [10, 20, 30]
    assert pending[0].received_at == T0


async def test_an_update_is_claimed_once_and_then_no_longer_pending(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        await uow.inbox.add(10, {}, T0)
        await uow.inbox.add(11, {}, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.claim(10, T0) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.claim(10, T0) is False
        assert await uow.inbox.claim(99, T0) is False
        assert [i.update_id for i in await uow.inbox.pending(10)] == [11]


async def test_prune_deletes_only_updates_handled_before_the_cutoff(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        for update_id in (1, 2, 3):
            await uow.inbox.add(update_id, {}, T0)
        await uow.inbox.claim(1, T0)
        await uow.inbox.claim(2, T0 + timedelta(days=5))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.prune(T0 + timedelta(days=3)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        # 2 was handled after the cutoff and 3 not at all: both stay, so 1 can be re-added.
        assert await uow.inbox.add(2, {}, T0) is False
        assert await uow.inbox.add(1, {}, T0) is True
        assert [i.update_id for i in await uow.inbox.pending(10)] == [1, 3]


# --- outbox -------------------------------------------------------------------------------


async def test_a_queued_message_comes_back_whole_when_claimed(uow_factory: UnitOfWorkFactory):
    sent = OutboundMessage(
        chat_id=-1001234567890,
        text="<b>集会</b>のお知らせ",
        buttons=((("出席", "rsvp:1:yes"), ("欠席", "rsvp:1:no")), (("戻る", "back"),)),
        edit_message_id=77,
        parse_mode=None,
        is_group=True,
    )
    async with uow_factory() as uow:
        item_id = await uow.outbox.add(sent, T0, dedupe_key="assembly:1:chat")
        await uow.commit()
    async with uow_factory() as uow:
        [item] = await uow.outbox.claim(T0, T0 + LEASE, 10)
    assert item.id == item_id
    assert item.message == sent
    assert item.attempts == 1
    assert item.created_at == T0
    assert item.dedupe_key == "assembly:1:chat"


async def test_a_dedupe_key_queues_a_message_once(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        first = await uow.outbox.add(message("a"), T0, dedupe_key="reminder:shift:9:1001")
        assert first is not None
        assert await uow.outbox.add(message("b"), T0, dedupe_key="reminder:shift:9:1001") is None
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.add(message("c"), T0, dedupe_key="reminder:shift:9:1001") is None
        # Messages without a key are never deduplicated against each other.
        assert await uow.outbox.add(message("d"), T0) is not None
        assert await uow.outbox.add(message("d"), T0) is not None
        await uow.commit()
        assert (await uow.outbox.counts())["pending"] == 3


async def test_claim_takes_due_rows_in_queue_order_up_to_the_limit(
    uow_factory: UnitOfWorkFactory,
):
    ids = await queue(uow_factory, 5)
    async with uow_factory() as uow:
        first = await uow.outbox.claim(T0, T0 + LEASE, 3)
        second = await uow.outbox.claim(T0, T0 + LEASE, 3)
        await uow.commit()
    assert [i.id for i in first] == ids[:3]
    assert [i.id for i in second] == ids[3:]
    assert [i.message.text for i in first] == ["m0", "m1", "m2"]


async def test_claim_respects_not_before(uow_factory: UnitOfWorkFactory):
    later = T0 + timedelta(hours=1)
    async with uow_factory() as uow:
        await uow.outbox.add(message("later"), T0, not_before=later)
        now_id = await uow.outbox.add(message("now"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        leased_long = later + timedelta(hours=1)
        assert [i.id for i in await uow.outbox.claim(T0, leased_long, 10)] == [now_id]
        assert await uow.outbox.claim(later - timedelta(seconds=1), later + LEASE, 10) == []
        assert [i.message.text for i in await uow.outbox.claim(later, later + LEASE, 10)] == [
            "later"
        ]


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_expires(
    uow_factory: UnitOfWorkFactory,
):
    [item_id] = await queue(uow_factory, 1)
    async with uow_factory() as sender_a:
        assert [i.id for i in await sender_a.outbox.claim(T0, T0 + LEASE, 10)] == [item_id]
        await sender_a.commit()
    async with uow_factory() as sender_b:
        assert await sender_b.outbox.claim(T0 + LEASE / 2, T0 + LEASE * 2, 10) == []
        assert await sender_b.outbox.claim(T0 + LEASE, T0 + LEASE * 2, 10) == []
        # Sender A crashed: once its lease has run out, B takes the row over.
        [taken] = await sender_b.outbox.claim(T0 + LEASE * 1.5, T0 + LEASE * 3, 10)
        await sender_b.commit()
    assert (taken.id, taken.attempts) == (item_id, 2)


async def test_a_sent_message_is_never_claimed_again(uow_factory: UnitOfWorkFactory):
    [item_id] = await queue(uow_factory, 1)
    async with uow_factory() as uow:
        await uow.outbox.claim(T0, T0 + LEASE, 10)
        await uow.outbox.mark_sent(item_id, T0, telegram_message_id=555)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.claim(T0 + timedelta(days=1), T0 + timedelta(days=2), 10) == []
        assert await uow.outbox.counts() == {"pending": 0, "sending": 0, "sent": 1, "failed": 0}
        assert await uow.outbox.next_due() is None


async def test_a_failed_message_is_never_claimed_again(uow_factory: UnitOfWorkFactory):
    [item_id] = await queue(uow_factory, 1)
    async with uow_factory() as uow:
        await uow.outbox.claim(T0, T0 + LEASE, 10)
        await uow.outbox.mark_failed(item_id, T0, "Forbidden: bot was blocked by the user")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.claim(T0 + timedelta(days=1), T0 + timedelta(days=2), 10) == []
        assert await uow.outbox.counts() == {"pending": 0, "sending": 0, "sent": 0, "failed": 1}


async def test_retry_later_returns_a_row_to_the_queue_at_the_given_time(
    uow_factory: UnitOfWorkFactory,
):
    [item_id] = await queue(uow_factory, 1)
    retry_at = T0 + timedelta(seconds=5)
    async with uow_factory() as uow:
        await uow.outbox.claim(T0, T0 + LEASE, 10)
        await uow.outbox.retry_later(item_id, retry_at, "429: retry after 5")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.counts() == {"pending": 1, "sending": 0, "sent": 0, "failed": 0}
        assert await uow.outbox.next_due() == retry_at
        assert await uow.outbox.claim(T0 + timedelta(seconds=4), T0 + LEASE, 10) == []
        [again] = await uow.outbox.claim(retry_at, retry_at + LEASE, 10)
    assert (again.id, again.attempts) == (item_id, 2)


async def test_next_due_is_the_earliest_time_a_row_becomes_due(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        assert await uow.outbox.next_due() is None
        await uow.outbox.add(message(), T0, not_before=T0 + timedelta(hours=2))
        await uow.outbox.add(message(), T0, not_before=T0 + timedelta(hours=1))
        await uow.commit()
        assert await uow.outbox.next_due() == T0 + timedelta(hours=1)
        await uow.outbox.add(message(), T0 + timedelta(minutes=1))
        assert await uow.outbox.next_due() == T0 + timedelta(minutes=1)


async def test_a_claimed_row_comes_due_again_when_its_lease_expires(
    uow_factory: UnitOfWorkFactory,
):
    await queue(uow_factory, 1)
    async with uow_factory() as uow:
        await uow.outbox.claim(T0, T0 + LEASE, 10)
        assert await uow.outbox.next_due() == T0 + LEASE


async def test_outbox_counts_every_status(uow_factory: UnitOfWorkFactory):
    ids = await queue(uow_factory, 4)
    async with uow_factory() as uow:
        assert await uow.outbox.counts() == {"pending": 4, "sending": 0, "sent": 0, "failed": 0}
        await uow.outbox.claim(T0, T0 + LEASE, 3)
        await uow.outbox.mark_sent(ids[0], T0, 1)
        await uow.outbox.mark_failed(ids[1], T0, "400: chat not found")
        assert await uow.outbox.counts() == {"pending": 1, "sending": 1, "sent": 1, "failed": 1}


# --- audit and time -----------------------------------------------------------------------


async def test_audit_entries_are_stored_as_given_with_and_without_details(
    uow_factory: UnitOfWorkFactory,
):
    staff = await add_person(uow_factory, 1, frozenset({Role.STAFF}))
    later = T0 + timedelta(minutes=5)
    async with uow_factory() as uow:
        await uow.audit.add(T0, staff.id, "view_request", "request:12", {"fields": ["phone"]})
        await uow.audit.add(later, None, "purge", "request:13")
        await uow.commit()
    async with uow_factory() as uow:
        await uow.audit.add(later, None, "rolled_back", "request:14")  # never committed
    async with uow_factory() as uow:
        entries = await uow.audit.search(AuditQuery(), None, 10)
    stored = [(e.at, e.actor_person_id, e.action, e.subject, e.details) for e in entries]
    assert stored == [  # newest first
        (later, None, "purge", "request:13", None),
        (T0, staff.id, "view_request", "request:12", {"fields": ["phone"]}),
    ]
    assert entries[0].id > entries[1].id


async def test_the_audit_log_is_searched_newest_first(uow_factory: UnitOfWorkFactory):
    staff = await add_person(uow_factory, 1, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        await uow.audit.add(T0, staff.id, "hours.approved", "person:7")
        await uow.audit.add(T0 + timedelta(days=1), staff.id, "hours.rejected", "person:8")
        await uow.audit.add(T0 + timedelta(days=2), None, "invite.issued", "person:7")
        await uow.audit.add(T0 + timedelta(days=3), staff.id, "hoursx", "person:7")
        await uow.commit()
    async with uow_factory() as uow:
        every = await uow.audit.search(AuditQuery(), None, 10)
        assert [e.action for e in every] == [
            "hoursx",
            "invite.issued",
            "hours.rejected",
            "hours.approved",
        ]
        older = await uow.audit.search(AuditQuery(), every[1].id, 10)
        assert [e.action for e in older] == ["hours.rejected", "hours.approved"]
        prefix = await uow.audit.search(AuditQuery(action="hours."), None, 10)
        assert [e.action for e in prefix] == ["hours.rejected", "hours.approved"]
        person = await uow.audit.search(AuditQuery(subject="person:7"), None, 10)
        assert [e.action for e in person] == ["hoursx", "invite.issued", "hours.approved"]
        by = await uow.audit.search(AuditQuery(actor_person_id=staff.id), None, 2)
        assert [e.action for e in by] == ["hoursx", "hours.rejected"]
        window = AuditQuery(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3))
        assert [e.action for e in await uow.audit.search(window, None, 10)] == [
            "invite.issued",
            "hours.rejected",
        ]


async def test_times_come_back_as_the_same_instant_in_utc(uow_factory: UnitOfWorkFactory):
    jst = timezone(timedelta(hours=9))
    local = datetime(2026, 11, 22, 18, 0, 0, 123456, tzinfo=jst)
    async with uow_factory() as uow:
        await uow.inbox.add(1, {}, local)
        await uow.commit()
    async with uow_factory() as uow:
        [item] = await uow.inbox.pending(1)
    assert item.received_at == local
    assert item.received_at.utcoffset() == timedelta(0)
