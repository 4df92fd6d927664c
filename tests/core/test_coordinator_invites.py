"""A coordinator (staff for the whole co-op) joins with an invite only an admin may issue, or
comes in with the roster import's role `coordinator`: either way as staff and coordinator, since
the coordinator role alone grants nothing (bot.domain.scope)."""

from __future__ import annotations

import pytest

from bot.domain.errors import PermissionDenied
from bot.domain.people import Actor, Role
from bot.services import member_import
from bot.services.invites import invitable_roles, issue_invite
from tests.fakes.chat import User
from tests.fakes.memory_store import MemoryStore

JOHN = User(102, "John", "en")
HANAKO = User(101, "花子", "ja")
ADMIN = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="en")
STAFF = Actor(person_id=7, roles=frozenset({Role.STAFF}), locale="ja")


async def test_an_admins_coordinator_invite_makes_staff_for_the_whole_coop(
    chat, memory_store, clock
):
    async with memory_store.uow() as uow:
        invite = await issue_invite(uow, ADMIN, Role.COORDINATOR, clock.now(), 72)
        await uow.commit()
    turn = await chat.send(JOHN, f"/start {invite.code}")
    assert "You are now registered as a coordinator: staff for every centre." in turn.text
    assert "Staff menu" in turn.text
    (person,) = memory_store.state.people.values()
    assert {Role.STAFF, Role.COORDINATOR} <= person.roles
    granted = [r.details for r in memory_store.state.audit if r.action == "person.role_added"]
    assert {"role": Role.STAFF} in granted and {"role": Role.COORDINATOR} in granted


async def test_only_an_admin_may_invite_a_coordinator_and_a_refusal_is_audited(clock):
    store = MemoryStore()
    assert Role.COORDINATOR in invitable_roles(ADMIN)
    assert Role.COORDINATOR not in invitable_roles(STAFF)
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await issue_invite(uow, STAFF, Role.COORDINATOR, clock.now(), 72)
        await uow.commit()
    assert [(r.action, r.subject) for r in store.state.audit] == [
        ("invite.refused", "role:coordinator")
    ]
    assert store.state.invites == {}


async def test_the_roster_import_takes_role_coordinator_and_the_letter_joins_as_one(
    chat, memory_store, clock
):
    async with memory_store.uow() as uow:
        await uow.centres.add("中央ケアセンター", "Chuo Care")
        report = await member_import.import_members(
            uow,
            ADMIN,
            (
                "name,kana,centres,language,role\n"
                "花子,ハナコ,中央ケアセンター,ja,コーディネーター\n"
                "Ken,ケン,Chuo Care,en,coordinator\n"
            ).encode(),
            clock.now(),
            letters=True,
        )
        await uow.commit()
    assert report.errors == [] and report.imported == 2
    for person in memory_store.state.people.values():
        assert person.roles == {Role.STAFF, Role.COORDINATOR}
    assert {one.role for one in report.letters} == {Role.COORDINATOR}
    hanako = next(one for one in report.letters if one.person.display_name == "花子")
    turn = await chat.send(HANAKO, f"/start {hanako.code}")
    assert "コーディネーター（全センターのスタッフ）として登録しました" in turn.text
    joined = memory_store.state.people[hanako.person.id]
    assert joined.telegram_user_id == HANAKO.id
    assert joined.roles == {Role.STAFF, Role.COORDINATOR}
