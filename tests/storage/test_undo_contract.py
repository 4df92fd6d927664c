"""Store contract of undo (bot/domain/undo.py), on every store: held notices are withdrawn only
while pending, by their key's prefix; a released place is taken back only while nobody took it."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.coop import NewShift, WorkKind
from bot.domain.outbound import OutboxStatus
from bot.domain.people import Role
from bot.domain.undo import UndoKind, held_key
from bot.domain.volunteers import ApplicationStatus, NewApplication, make_choices
from tests.fixtures.contract import LEASE, T0, add_person, message, notice


async def test_withdraw_deletes_only_the_pending_rows_under_the_prefix(uow_factory):
    held = held_key(UndoKind.SHIFT_RELEASE, 7)
    later = T0 + timedelta(minutes=4)
    async with uow_factory() as uow:
        sent = await uow.outbox.add(message("sent"), T0, dedupe_key=f"{held}a")
        await uow.outbox.add(message("held"), T0, not_before=later, dedupe_key=f"{held}b")
        await uow.outbox.add(message("other"), T0, not_before=later, dedupe_key="held:sr:70:c")
        await uow.outbox.add(message("like"), T0, not_before=later, dedupe_key="held:sr:7_:d")
        await uow.commit()
    async with uow_factory() as uow:
        [claimed] = await uow.outbox.claim(T0, T0 + LEASE, 10)
        assert claimed.id == sent
        await uow.outbox.mark_sent(sent, T0, 1)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.withdraw(held) == 1
        await uow.commit()
    async with uow_factory() as uow:
        counts = await uow.outbox.counts()
        assert (counts.get(OutboxStatus.SENT.value), counts.get(OutboxStatus.PENDING.value)) == (
            1,
            2,
        )
        assert await uow.outbox.withdraw(held) == 0
        due = await uow.outbox.claim(later, later + LEASE, 10)
        assert sorted(item.message.text for item in due) == ["like", "other"]


async def test_take_back_puts_the_person_back_unless_the_place_was_taken(uow_factory):
    a = await add_person(uow_factory, 1)
    b = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        start = T0 + timedelta(days=1)
        shift = await uow.shifts.add(
            NewShift(centre.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 1)
        )
        await uow.shifts.assign(shift.id, a.id)
        await uow.shift_swaps.unassign(shift.id, a.id)
        first = await uow.shift_swaps.add_release(shift.id, a.id, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.shift_swaps.take_back(first.id) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.shifts.get(shift.id)).assigned == {a.id}
        assert await uow.shift_swaps.get_release(first.id) is None
        assert await uow.shift_swaps.take_back(first.id) is False  # gone
        await uow.shift_swaps.unassign(shift.id, a.id)
        second = await uow.shift_swaps.add_release(shift.id, a.id, T0)
        await uow.shift_swaps.take(shift.id, b.id)
        await uow.shift_swaps.mark_taken(shift.id, b.id, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.shift_swaps.take_back(second.id) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.shifts.get(shift.id)).assigned == {b.id}
        assert (await uow.shift_swaps.get_release(second.id)).taken_by == b.id


async def test_undo_check_in_removes_only_the_staff_members_own_recent_check_in(uow_factory):
    me = await add_person(uow_factory, 1)
    staff = await add_person(uow_factory, 2)
    other = await add_person(uow_factory, 3)
    async with uow_factory() as uow:
        assembly = await uow.assemblies.add(notice())
        await uow.assemblies.check_in(assembly.id, me.id, staff.id, T0)
        await uow.commit()
    async with uow_factory() as uow:
        later = T0 + timedelta(minutes=1)
        assert await uow.assemblies.undo_check_in(assembly.id, me.id, other.id, T0) is False
        assert await uow.assemblies.undo_check_in(assembly.id, me.id, staff.id, later) is False
        assert await uow.assemblies.checked_in(assembly.id) == {me.id}
        assert await uow.assemblies.undo_check_in(assembly.id, me.id, staff.id, T0) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assemblies.checked_in(assembly.id) == frozenset()
        assert await uow.assemblies.undo_check_in(assembly.id, me.id, staff.id, T0) is False


async def test_untake_opens_the_place_again_for_its_taker_alone(uow_factory):
    a = await add_person(uow_factory, 11)
    b = await add_person(uow_factory, 12)
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        start = T0 + timedelta(days=1)
        shift = await uow.shifts.add(
            NewShift(centre.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 1)
        )
        release = await uow.shift_swaps.add_release(shift.id, a.id, T0)
        await uow.shift_swaps.take(shift.id, b.id)
        await uow.shift_swaps.mark_taken(shift.id, b.id, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.shift_swaps.untake(release.id, a.id) is False  # not its taker
        assert await uow.shift_swaps.untake(release.id, b.id) is True
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.shift_swaps.get_release(release.id)
        assert again is not None and (again.taken_by, again.taken_at) == (None, None)
        assert await uow.shift_swaps.untake(release.id, b.id) is False  # already open


def test_a_take_holds_its_notices_under_the_takers_own_key():
    one, two = held_key(UndoKind.SHIFT_TAKE, 5, 1), held_key(UndoKind.SHIFT_TAKE, 5, 2)
    assert not one.startswith(two) and not two.startswith(one)
    assert held_key(UndoKind.SHIFT_RELEASE, 5, 1) == held_key(UndoKind.SHIFT_RELEASE, 5)


async def test_reopen_puts_an_application_back_only_as_its_decider_left_it(uow_factory):
    applicant = await add_person(uow_factory, 1)
    staff = await add_person(uow_factory, 2, frozenset({Role.STAFF}))
    other = await add_person(uow_factory, 3, frozenset({Role.STAFF}))
    choices = make_choices(["events"], ["mon:am"], ["ja"], [])
    async with uow_factory() as uow:
        added = await uow.volunteers.add(
            NewApplication(applicant.id, "山田", "+819012345678", choices, None, T0), T0
        )
        await uow.volunteers.decide(added.id, ApplicationStatus.DECLINED, staff.id, T0, "満員")
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.volunteers.reopen(added.id, ApplicationStatus.APPROVED, staff.id)
        assert not await uow.volunteers.reopen(added.id, ApplicationStatus.DECLINED, other.id)
        assert await uow.volunteers.reopen(added.id, ApplicationStatus.DECLINED, staff.id)
        await uow.commit()
    async with uow_factory() as uow:
        reopened = await uow.volunteers.get(added.id)
        assert reopened is not None
        assert (reopened.status, reopened.decided_by, reopened.decided_at, reopened.reason) == (
            ApplicationStatus.PENDING,
            None,
            None,
            None,
        )
        assert not await uow.volunteers.reopen(added.id, ApplicationStatus.DECLINED, staff.id)
