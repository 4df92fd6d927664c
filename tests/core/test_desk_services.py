"""The use cases the staff desk adds: roles (admins only), invites revoked, a person's data
(every view audited), shifts created, edited and staffed under the same rules as elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.coop import NewShift, WorkKind
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Actor, NewPerson, Role
from bot.services import desk_people, desk_shifts
from bot.services.invites import issue_invite


async def person(store, clock, roles: set[Role], telegram_id: int) -> Actor:
    async with store.uow() as uow:
        added = await uow.people.add(
            NewPerson(telegram_id, f"#{telegram_id}", "ja", clock.now(), roles=frozenset(roles))
        )
        await uow.commit()
    return Actor(added.id, added.roles, "ja")


def audited(store) -> list[tuple[str, str]]:
    return [(r.action, r.subject) for r in store.state.audit]


async def test_only_admins_change_roles_and_never_drop_their_own_admin(memory_store, clock):
    admin = await person(memory_store, clock, {Role.STAFF, Role.ADMIN}, 1)
    staff = await person(memory_store, clock, {Role.STAFF}, 2)
    member = await person(memory_store, clock, {Role.MEMBER}, 3)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await desk_people.change_role(
                uow, staff, member.person_id, Role.STAFF, grant=True, now=clock.now()
            )
        await uow.commit()
    assert ("person.role_refused", f"person:{member.person_id}") in audited(memory_store)
    async with memory_store.uow() as uow:
        changed = await desk_people.change_role(
            uow, admin, member.person_id, Role.STAFF, grant=True, now=clock.now()
        )
        with pytest.raises(DomainError) as own:
            await desk_people.change_role(
                uow, admin, admin.person_id, Role.ADMIN, grant=False, now=clock.now()
            )
        await uow.commit()
    assert changed.roles == {Role.MEMBER, Role.STAFF} and own.value.code == "own_admin"


async def test_staff_revoke_the_codes_they_may_issue_only(memory_store, clock):
    admin = await person(memory_store, clock, {Role.ADMIN}, 1)
    staff = await person(memory_store, clock, {Role.STAFF}, 2)
    async with memory_store.uow() as uow:
        for_staff = await issue_invite(uow, admin, Role.STAFF, clock.now(), 72)
        for_member = await issue_invite(uow, staff, Role.MEMBER, clock.now(), 72)
        await uow.commit()
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await desk_people.revoke_invite(uow, staff, for_staff.code, clock.now())
        await desk_people.revoke_invite(uow, staff, for_member.code, clock.now())
        with pytest.raises(DomainError) as gone:
            await desk_people.revoke_invite(uow, staff, for_member.code, clock.now())
        await uow.commit()
    assert gone.value.code == "invite_gone"
    async with memory_store.uow() as uow:
        assert [i.code for i in await desk_people.open_invites(uow, admin, clock.now())] == [
            for_staff.code
        ]


async def test_every_view_of_a_persons_data_is_audited(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF}, 1)
    member = await person(memory_store, clock, {Role.MEMBER}, 2)
    async with memory_store.uow() as uow:
        data = await desk_people.person_data(
            uow, staff, member.person_id, clock.now().date(), clock.now()
        )
        await uow.commit()
    assert data.person.id == member.person_id
    assert ("person.data_viewed", f"person:{member.person_id}") in audited(memory_store)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await desk_people.person_data(
                uow, member, staff.person_id, clock.now().date(), clock.now()
            )


async def test_shifts_are_staffed_within_their_places_and_without_double_booking(
    memory_store, clock
):
    staff = await person(memory_store, clock, {Role.STAFF}, 1)
    a = await person(memory_store, clock, {Role.MEMBER}, 2)
    b = await person(memory_store, clock, {Role.MEMBER}, 3)
    c = await person(memory_store, clock, {Role.MEMBER}, 5)
    volunteer = await person(memory_store, clock, {Role.VOLUNTEER}, 4)
    start = clock.now() + timedelta(days=1)
    async with memory_store.uow() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        shift = await desk_shifts.create_shift(
            uow,
            staff,
            NewShift(centre.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 1),
            clock.now(),
        )
        other = await desk_shifts.create_shift(
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
        await desk_shifts.assign(uow, staff, shift.id, a.person_id, clock.now())
        for who, code in ((b.person_id, "shift_full"), (a.person_id, "already_on_shift")):
            with pytest.raises(DomainError) as refused:
                await desk_shifts.assign(uow, staff, shift.id, who, clock.now())
            assert refused.value.code == code
        with pytest.raises(DomainError) as busy:
            await desk_shifts.assign(uow, staff, other.id, a.person_id, clock.now())
        assert busy.value.code == "member_busy"
        with pytest.raises(InvalidInput):  # not a volunteers' shift
            await desk_shifts.assign(uow, staff, other.id, volunteer.person_id, clock.now())
        await desk_shifts.assign(uow, staff, other.id, b.person_id, clock.now())
        await desk_shifts.assign(uow, staff, other.id, c.person_id, clock.now())
        with pytest.raises(InvalidInput) as below:
            await desk_shifts.edit_shift(
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
    member = await person(memory_store, clock, {Role.MEMBER}, 1)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await desk_shifts.shift(uow, member, 1, clock.now())
        await uow.commit()
    assert audited(memory_store)[-1][0] == "desk.shifts_refused"
