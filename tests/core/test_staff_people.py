"""Staff look after people: roles (admins only), invite codes revoked (only those one may issue),
a person's data (every view audited): `bot.services.people` and `bot.services.invites`."""

from __future__ import annotations

import pytest

from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.people import Role
from bot.services import people
from bot.services.invites import issue_invite, open_invites, revoke_invite
from tests.fixtures.people import actor, audited


async def test_only_admins_change_roles_and_never_drop_their_own_admin(chat, memory_store, clock):
    # `chat` wires the store's consequences: the person whose role changed is told.
    admin = await actor(memory_store, clock, {Role.STAFF, Role.ADMIN}, 1)
    staff = await actor(memory_store, clock, {Role.STAFF}, 2)
    member = await actor(memory_store, clock, {Role.MEMBER}, 3)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await people.change_role(
                uow, staff, member.person_id, Role.STAFF, grant=True, now=clock.now()
            )
        await uow.commit()
    assert ("person.role_refused", f"person:{member.person_id}") in audited(memory_store)
    async with memory_store.uow() as uow:
        changed = await people.change_role(
            uow, admin, member.person_id, Role.STAFF, grant=True, now=clock.now()
        )
        with pytest.raises(DomainError) as own:
            await people.change_role(
                uow, admin, admin.person_id, Role.ADMIN, grant=False, now=clock.now()
            )
        await uow.commit()
    assert changed.roles == {Role.MEMBER, Role.STAFF} and own.value.code == "own_admin"


async def test_staff_revoke_the_codes_they_may_issue_only(memory_store, clock):
    admin = await actor(memory_store, clock, {Role.ADMIN}, 1)
    staff = await actor(memory_store, clock, {Role.STAFF}, 2)
    async with memory_store.uow() as uow:
        for_staff = await issue_invite(uow, admin, Role.STAFF, clock.now(), 72)
        for_member = await issue_invite(uow, staff, Role.MEMBER, clock.now(), 72)
        await uow.commit()
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await revoke_invite(uow, staff, for_staff.invite.code_hash, clock.now())
        await revoke_invite(uow, staff, for_member.invite.code_hash, clock.now())
        with pytest.raises(DomainError) as gone:
            await revoke_invite(uow, staff, for_member.invite.code_hash, clock.now())
        await uow.commit()
    assert gone.value.code == "invite_gone"
    async with memory_store.uow() as uow:
        listed = await open_invites(uow, admin, clock.now())
        assert [i.code_hash for i in listed] == [for_staff.invite.code_hash]


async def test_every_view_of_a_persons_data_is_audited(memory_store, clock):
    staff = await actor(memory_store, clock, {Role.STAFF}, 1)
    member = await actor(memory_store, clock, {Role.MEMBER}, 2)
    async with memory_store.uow() as uow:
        data = await people.person_data(
            uow, staff, member.person_id, clock.now().date(), clock.now()
        )
        await uow.commit()
    assert data.person.id == member.person_id
    assert ("person.data_viewed", f"person:{member.person_id}") in audited(memory_store)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await people.person_data(uow, member, staff.person_id, clock.now().date(), clock.now())
