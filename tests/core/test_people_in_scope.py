"""The desk's people list and its counts by role: staff of some centres see the people of their
scope (their centres, an office's centres too) and themselves, page by page; admins and
coordinators see everyone, people of no centre included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.people import Actor, NewPerson, Role
from bot.services import people
from tests.fakes.memory_store import MemoryStore

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def test_staff_list_and_count_the_people_of_their_scope_only():
    store = MemoryStore()
    async with store.uow() as uow:
        office = await uow.centres.add("東京本部", "Tokyo Head Office")
        await uow.centres.update(replace(office, is_office=True))
        chuo = await uow.centres.add("中央", "Chuo")
        await uow.centres.update(replace(chuo, office_id=office.id))
        minato = await uow.centres.add("港", "Minato")

        async def person(tg: int, role: Role, *centres: int) -> int:
            added = await uow.people.add(
                NewPerson(tg, f"p{tg}", "ja", NOW, roles=frozenset({role}))
            )
            for centre in centres:
                await uow.memberships.add(added.id, centre)
            return added.id

        chuo_members = [await person(10 + i, Role.MEMBER, chuo.id) for i in range(3)]
        minato_member = await person(20, Role.MEMBER, minato.id)
        volunteer = await person(21, Role.VOLUNTEER, chuo.id, minato.id)
        nobody = await person(22, Role.MEMBER)  # of no centre: the whole co-op's
        chuo_staff = await person(30, Role.STAFF, chuo.id)
        head = await person(31, Role.STAFF, office.id)
        coordinator = await uow.people.add(
            NewPerson(32, "c", "ja", NOW, roles=frozenset({Role.STAFF, Role.COORDINATOR}))
        )
        await uow.commit()

    def actor(person_id: int, *roles: Role) -> Actor:
        return Actor(person_id, frozenset(roles or {Role.STAFF}), "ja")

    async with store.uow() as uow:
        first = await people.page(uow, actor(chuo_staff), NOW, role=None, limit=2)
        assert [p.id for p in first.items] == chuo_members[:2]
        rest = await people.page(
            uow, actor(chuo_staff), NOW, role=None, after=first.next_cursor or 0, limit=2
        )
        assert [p.id for p in rest.items] == [chuo_members[2], volunteer]
        last = await people.page(
            uow, actor(chuo_staff), NOW, role=None, after=rest.next_cursor or 0, limit=2
        )
        assert [p.id for p in last.items] == [chuo_staff] and last.next_cursor is None
        members = await people.page(uow, actor(chuo_staff), NOW, role=Role.MEMBER)
        assert [p.id for p in members.items] == chuo_members
        counts = await people.role_counts(uow, actor(chuo_staff), NOW)
        assert counts == {Role.MEMBER: 3, Role.VOLUNTEER: 1, Role.STAFF: 1}

        # The office's staff: the office and Chuo, not Minato.
        listed = await people.page(uow, actor(head), NOW, role=None)
        assert [p.id for p in listed.items] == [*chuo_members, volunteer, chuo_staff, head]
        assert minato_member not in [p.id for p in listed.items]

        whole = await people.page(
            uow, actor(coordinator.id, *coordinator.roles), NOW, role=Role.MEMBER
        )
        assert [p.id for p in whole.items] == [*chuo_members, minato_member, nobody]
        counts = await people.role_counts(uow, actor(coordinator.id, *coordinator.roles), NOW)
        assert counts[Role.MEMBER] == 5
