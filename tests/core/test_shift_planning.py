"""Staff plan shifts (`bot.services.shifts`): created, edited and staffed under the same rules as
elsewhere (places, no double booking, volunteers only on volunteers' shifts); staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.coop import NewShift, WorkKind
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Role
from bot.services import shifts
from tests.fixtures.people import actor, audited


async def test_shifts_are_staffed_within_their_places_and_without_double_booking(
    memory_store, clock
):
    staff = await actor(memory_store, clock, {Role.STAFF}, 1)
    a = await actor(memory_store, clock, {Role.MEMBER}, 2)
    b = await actor(memory_store, clock, {Role.MEMBER}, 3)
    c = await actor(memory_store, clock, {Role.MEMBER}, 5)
    volunteer = await actor(memory_store, clock, {Role.VOLUNTEER}, 4)
    start = clock.now() + timedelta(days=1)
    async with memory_store.uow() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        shift = await shifts.create_shift(
            uow,
            staff,
            NewShift(centre.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 1),
            clock.now(),
        )
        other = await shifts.create_shift(
            uow,
            staff,
            NewShift(
                centre.id,
                start + timedelta(hours=2),
                start + timedelta(hours=5),
                WorkKind.CLEANING,
                2,
            ),
            clock.now(),
        )
        await shifts.assign(uow, staff, shift.id, a.person_id, clock.now())
        for who, code in ((b.person_id, "shift_full"), (a.person_id, "already_on_shift")):
            with pytest.raises(DomainError) as refused:
                await shifts.assign(uow, staff, shift.id, who, clock.now())
            assert refused.value.code == code
        with pytest.raises(DomainError) as busy:
            await shifts.assign(uow, staff, other.id, a.person_id, clock.now())
        assert busy.value.code == "member_busy"
        with pytest.raises(InvalidInput):  # not a volunteers' shift
            await shifts.assign(uow, staff, other.id, volunteer.person_id, clock.now())
        await shifts.assign(uow, staff, other.id, b.person_id, clock.now())
        await shifts.assign(uow, staff, other.id, c.person_id, clock.now())
        with pytest.raises(InvalidInput) as below:
            await shifts.edit_shift(
                uow,
                staff,
                other.id,
                centre_id=centre.id,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                kind=WorkKind.CLEANING,
                capacity=1,
                for_volunteers=False,
                now=clock.now(),
            )
        assert below.value.code == "capacity_below_assigned"
        await uow.commit()


async def test_a_member_cannot_use_the_desks_shift_tools(memory_store, clock):
    member = await actor(memory_store, clock, {Role.MEMBER}, 1)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await shifts.shift(uow, member, 1, clock.now())
        await uow.commit()
    assert audited(memory_store)[-1][0] == "desk.shifts_refused"
