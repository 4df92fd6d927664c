"""The repository contract of conversations with the staff (bot/ports/conversations.py).

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.conversations import Direction, MediaKind
from bot.domain.people import NewPerson
from bot.ports.store import UnitOfWorkFactory

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


async def _person(uow_factory: UnitOfWorkFactory, telegram_id: int) -> int:
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(telegram_id, "田中 一郎", "ja", T0))
        await uow.commit()
    return person.id


async def test_one_conversation_per_chat_gathers_its_messages(uow_factory: UnitOfWorkFactory):
    person_id = await _person(uow_factory, 2001)
    async with uow_factory() as uow:
        first = await uow.conversations.open_for(2001, person_id, "田中 一郎", "ja", T0)
        said = await uow.conversations.add_message(first.id, Direction.IN, None, "電話で相談", T0)
        await uow.commit()
    later = T0 + timedelta(hours=1)
    async with uow_factory() as uow:
        again = await uow.conversations.open_for(2001, person_id, "田中 一郎", "en", later)
        photo = await uow.conversations.add_message(
            again.id, Direction.IN, None, "", later, MediaKind.PHOTO, "AgACfile"
        )
        await uow.commit()
    assert again.id == first.id and (again.locale, again.last_at, again.waiting) == (
        "en",
        later,
        True,
    )
    async with uow_factory() as uow:
        assert [m.id for m in await uow.conversations.messages(first.id)] == [said.id, photo.id]
        stored = await uow.conversations.message(photo.id)
        assert stored == photo and stored is not None
        assert (stored.media, stored.file_id, stored.direction) == (
            MediaKind.PHOTO,
            "AgACfile",
            Direction.IN,
        )
        assert await uow.conversations.get(first.id + 100) is None
        assert await uow.conversations.of_chat(2001) == again
        assert await uow.conversations.of_chat(9999) is None


async def test_an_answer_takes_it_off_the_waiting_list(uow_factory: UnitOfWorkFactory):
    staff_id = await _person(uow_factory, 1001)
    async with uow_factory() as uow:
        older = await uow.conversations.open_for(3001, None, "Ann", "en", T0)
        newer = await uow.conversations.open_for(3002, None, "Bob", "en", T0 + timedelta(1))
        await uow.commit()
    async with uow_factory() as uow:
        assert [c.id for c in await uow.conversations.waiting(10)] == [older.id, newer.id]
        await uow.conversations.add_message(older.id, Direction.OUT, staff_id, "Yes", T0)
        assert await uow.conversations.answered(older.id, T0 + timedelta(2))
        assert not await uow.conversations.answered(older.id + 100, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert [c.id for c in await uow.conversations.waiting(10)] == [newer.id]
        assert [c.id for c in await uow.conversations.recent(10)] == [older.id, newer.id]


async def test_forget_and_the_purge_delete_conversations_with_their_messages(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        mine = await uow.conversations.open_for(4001, None, "Ann", "en", T0)
        await uow.conversations.add_message(mine.id, Direction.IN, None, "a", T0)
        await uow.conversations.add_message(mine.id, Direction.IN, None, "b", T0)
        old = await uow.conversations.open_for(4002, None, "Bob", "en", T0)
        await uow.conversations.add_message(old.id, Direction.IN, None, "c", T0)
        kept = await uow.conversations.open_for(4003, None, "Cy", "en", T0 + timedelta(days=30))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.conversations.forget_chat(4001) == 2
        assert await uow.conversations.forget_chat(4001) == 0
        assert await uow.conversations.purge_idle(T0 + timedelta(days=1)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert [c.id for c in await uow.conversations.recent(10)] == [kept.id]
        assert await uow.conversations.messages(old.id) == []
