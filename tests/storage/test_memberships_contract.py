"""The repository contract of centre membership (`uow.memberships`).

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.people import NewPerson, Person, Role
from bot.ports.store import UnitOfWorkFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def _person(uow, telegram_id: int, *roles: Role) -> Person:
    return await uow.people.add(
        NewPerson(telegram_id, f"#{telegram_id}", "ja", NOW, roles=frozenset(roles))
    )


async def test_a_person_belongs_to_the_centres_added_and_no_others(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        chuo = await uow.centres.add("中央", "Chuo")
        minato = await uow.centres.add("港", "Minato")
        tanaka = await _person(uow, 1, Role.MEMBER)
        nobody = await _person(uow, 2, Role.MEMBER)
        assert await uow.memberships.add(tanaka.id, chuo.id) is True
        assert await uow.memberships.add(tanaka.id, chuo.id) is False  # already
        assert await uow.memberships.add(tanaka.id, minato.id) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.memberships.centres_of(tanaka.id) == {chuo.id, minato.id}
        assert await uow.memberships.centres_of(nobody.id) == frozenset()
        assert await uow.memberships.remove(tanaka.id, minato.id) is True
        assert await uow.memberships.remove(tanaka.id, minato.id) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.memberships.centres_of(tanaka.id) == {chuo.id}


async def test_replace_leaves_exactly_the_given_centres(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        a, b, c = [await uow.centres.add(f"{n}", f"C{n}") for n in range(3)]
        staff = await _person(uow, 1, Role.STAFF)
        await uow.memberships.replace(staff.id, [a.id, b.id])
        await uow.commit()
    async with uow_factory() as uow:
        await uow.memberships.replace(staff.id, {b.id, c.id})
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.memberships.centres_of(staff.id) == {b.id, c.id}
        await uow.memberships.replace(staff.id, [])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.memberships.centres_of(staff.id) == frozenset()


async def test_a_centres_members_by_role_and_the_counts(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        chuo = await uow.centres.add("中央", "Chuo")
        minato = await uow.centres.add("港", "Minato")
        empty = await uow.centres.add("空", "Empty")
        m1 = await _person(uow, 1, Role.MEMBER)
        m2 = await _person(uow, 2, Role.MEMBER, Role.STAFF)
        staff = await _person(uow, 3, Role.STAFF)
        volunteer = await _person(uow, 4, Role.VOLUNTEER)
        await _person(uow, 5, Role.MEMBER)  # a member of no centre
        for person, centre in ((m1, chuo), (m2, chuo), (staff, chuo), (m2, minato)):
            await uow.memberships.add(person.id, centre.id)
        await uow.memberships.add(volunteer.id, minato.id)
        await uow.commit()
    async with uow_factory() as uow:
        everyone = await uow.memberships.members_of(chuo.id)
        members = await uow.memberships.members_of(chuo.id, Role.MEMBER)
        staff_of_chuo = await uow.memberships.members_of(chuo.id, Role.STAFF)
        assert [p.id for p in everyone] == [m1.id, m2.id, staff.id]
        assert [p.id for p in members] == [m1.id, m2.id]
        assert [p.id for p in staff_of_chuo] == [m2.id, staff.id]
        assert staff_of_chuo[0].roles == {Role.MEMBER, Role.STAFF}  # whole people, with roles
        assert await uow.memberships.members_of(empty.id) == []
        assert await uow.memberships.count(Role.MEMBER, chuo.id) == 2
        assert await uow.memberships.count(Role.MEMBER, minato.id) == 1
        assert await uow.memberships.count(Role.MEMBER, empty.id) == 0
        assert await uow.memberships.count(Role.MEMBER) == 3  # every member, of a centre or not
        assert await uow.memberships.counts(Role.MEMBER) == {chuo.id: 2, minato.id: 1}
        assert await uow.memberships.counts() == {chuo.id: 3, minato.id: 2}


async def test_a_membership_needs_a_person_and_a_centre(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        chuo = await uow.centres.add("中央", "Chuo")
        person = await _person(uow, 1, Role.MEMBER)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(Exception):  # noqa: B017 -- a foreign key, raised differently by each store
            await uow.memberships.add(person.id, chuo.id + 100)
    async with uow_factory() as uow:
        with pytest.raises(Exception):  # noqa: B017
            await uow.memberships.add(person.id + 100, chuo.id)


async def test_forgetting_a_person_forgets_their_centres(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        chuo = await uow.centres.add("中央", "Chuo")
        gone = await _person(uow, 1, Role.MEMBER)
        anonymised = await _person(uow, 2, Role.MEMBER)
        stays = await _person(uow, 3, Role.MEMBER)
        for person in (gone, anonymised, stays):
            await uow.memberships.add(person.id, chuo.id)
        await uow.commit()
    async with uow_factory() as uow:
        await uow.privacy.delete_person(gone.id)
        await uow.privacy.anonymise_person(anonymised.id, "(forgotten)")
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.id for p in await uow.memberships.members_of(chuo.id)] == [stays.id]
        assert await uow.memberships.centres_of(anonymised.id) == frozenset()
        assert await uow.memberships.counts() == {chuo.id: 1}
