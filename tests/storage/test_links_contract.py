"""The repository contract of a person's further chats and link codes (`uow.links`,
bot.services.links).

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.channels import line_chat_id
from bot.domain.people import NewPerson
from bot.ports.links import LinkCode
from bot.ports.store import UnitOfWorkFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)


async def test_a_code_is_taken_once_and_a_new_one_replaces_the_old(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(1, "一郎", "ja", NOW))
        await uow.links.add_code("a" * 64, LinkCode(person.id, 1, LATER))
        await uow.links.add_code("b" * 64, LinkCode(person.id, 1, LATER))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.take_code("a" * 64) is None  # replaced
        assert await uow.links.take_code("b" * 64) == LinkCode(person.id, 1, LATER)
        assert await uow.links.take_code("b" * 64) is None
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.take_code("b" * 64) is None


async def test_a_linked_chat_finds_its_person_until_the_person_is_forgotten(
    uow_factory: UnitOfWorkFactory,
):
    line = line_chat_id(3)
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(1, "一郎", "ja", NOW))
        other = await uow.people.add(NewPerson(2, "花子", "ja", NOW))
        await uow.links.attach(line, person.id, NOW)
        await uow.links.add_code("c" * 64, LinkCode(person.id, 1, LATER))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.person_of(line) == person.id
        assert await uow.links.person_of(1) is None  # a first chat is the person row's
        assert await uow.links.chats_of(person.id) == [line]
        assert await uow.links.chats_of(other.id) == []
        await uow.links.forget_person(person.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.person_of(line) is None
        assert await uow.links.take_code("c" * 64) is None


async def test_deleting_the_person_deletes_their_links(uow_factory: UnitOfWorkFactory):
    line = line_chat_id(4)
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(1, "一郎", "ja", NOW))
        await uow.links.attach(line, person.id, NOW)
        await uow.links.add_code("d" * 64, LinkCode(person.id, 1, LATER))
        await uow.commit()
    async with uow_factory() as uow:
        await uow.privacy.delete_person(person.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.person_of(line) is None
        assert await uow.links.take_code("d" * 64) is None


async def test_people_with_a_further_chat_are_listed_and_a_chat_detached(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        first = await uow.people.add(NewPerson(1, "一郎", "ja", NOW))
        await uow.people.add(NewPerson(2, "花子", "ja", NOW))  # one messenger only
        third = await uow.people.add(NewPerson(3, "トメ", "ja", NOW))
        await uow.links.attach(line_chat_id(5), first.id, NOW)
        await uow.links.attach(line_chat_id(6), third.id, NOW)
        await uow.links.attach(7, third.id, LATER)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.linked_people(0, 10) == [first.id, third.id]
        assert await uow.links.linked_people(first.id, 10) == [third.id]
        assert await uow.links.linked_people(0, 1) == [first.id]
        assert await uow.links.detach(line_chat_id(6)) == third.id
        assert await uow.links.detach(line_chat_id(6)) is None  # once
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.links.chats_of(third.id) == [7]
        assert await uow.links.person_of(line_chat_id(6)) is None
