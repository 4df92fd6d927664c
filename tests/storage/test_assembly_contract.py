"""The repository contract for assembly notices, answers and check-ins, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from bot.domain.assemblies import Answer, Quorum, Rsvp
from bot.domain.coop import NewAssembly
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person, notice

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
JST = timezone(timedelta(hours=9))


async def test_a_notice_keeps_its_agenda_quorum_and_centre(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        general = await uow.assemblies.add(notice())
        meeting = await uow.assemblies.add(notice(centre.id))
        await uow.commit()
    assert general.quorum == Quorum(2, 3) and general.centre_id is None
    assert general.agenda("en") == "1. Accounts\n2. Board election"
    assert general.starts_at == datetime(2026, 12, 12, 5, 0, tzinfo=UTC)
    assert meeting.centre_id == centre.id
    async with uow_factory() as uow:
        assert await uow.assemblies.get(general.id) == general
        assert await uow.assemblies.get(meeting.id) == meeting
        assert await uow.assemblies.get(meeting.id + 100) is None


async def test_an_answer_replaces_the_members_earlier_one(uow_factory: UnitOfWorkFactory):
    me = await add_person(uow_factory, 1)
    holder = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        assembly = await uow.assemblies.add(notice())
        await uow.assemblies.put_answer(Answer(assembly.id, me.id, Rsvp.ATTENDING, None, T0))
        await uow.commit()
    later = T0 + timedelta(hours=1)
    by_proxy = Answer(assembly.id, me.id, Rsvp.PROXY, holder.id, later)
    async with uow_factory() as uow:
        await uow.assemblies.put_answer(by_proxy)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assemblies.answer_of(assembly.id, me.id) == by_proxy
        assert await uow.assemblies.answer_of(assembly.id, holder.id) is None
        assert list(await uow.assemblies.answers(assembly.id)) == [by_proxy]


async def test_answers_are_listed_by_person_and_per_notice(uow_factory: UnitOfWorkFactory):
    first = await add_person(uow_factory, 1)
    second = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        one = await uow.assemblies.add(notice())
        other = await uow.assemblies.add(notice())
        chair = Answer(one.id, second.id, Rsvp.PROXY, None, T0)
        absent = Answer(one.id, first.id, Rsvp.ABSENT, None, T0)
        elsewhere = Answer(other.id, first.id, Rsvp.ATTENDING, None, T0)
        for answer in (chair, absent, elsewhere):
            await uow.assemblies.put_answer(answer)
        await uow.commit()
    async with uow_factory() as uow:
        assert list(await uow.assemblies.answers(one.id)) == [absent, chair]
        assert list(await uow.assemblies.answers(other.id)) == [elsewhere]


async def test_an_answer_left_uncommitted_is_not_kept(uow_factory: UnitOfWorkFactory):
    me = await add_person(uow_factory, 1)
    async with uow_factory() as uow:
        assembly = await uow.assemblies.add(notice())
        await uow.commit()
    async with uow_factory() as uow:
        await uow.assemblies.put_answer(Answer(assembly.id, me.id, Rsvp.ABSENT, None, T0))
    async with uow_factory() as uow:
        assert await uow.assemblies.answer_of(assembly.id, me.id) is None


async def test_checking_in_twice_keeps_one_check_in(uow_factory: UnitOfWorkFactory):
    me = await add_person(uow_factory, 1)
    staff = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        assembly = await uow.assemblies.add(notice())
        other = await uow.assemblies.add(notice())
        assert await uow.assemblies.check_in(assembly.id, me.id, staff.id, T0) is True
        assert await uow.assemblies.check_in(assembly.id, me.id, staff.id, T0) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assemblies.checked_in(assembly.id) == {me.id}
        assert await uow.assemblies.checked_in(other.id) == frozenset()


async def test_a_notice_is_edited_but_keeps_its_dates(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        stored = await uow.assemblies.add(
            NewAssembly("総会", "Assembly", T0 + timedelta(days=9), "本部", "HQ", T0)
        )
        await uow.commit()
    async with uow_factory() as uow:
        edited = replace(
            stored,
            title_en="General assembly",
            agenda_ja="1. 予算",
            quorum=Quorum(2, 3),
            starts_at=T0 + timedelta(days=99),  # not written: dates stay as published
        )
        assert await uow.assemblies.update(edited) is True
        assert await uow.assemblies.update(replace(edited, id=stored.id + 99)) is False
        await uow.commit()
    async with uow_factory() as uow:
        after = await uow.assemblies.get(stored.id)
    assert after is not None
    assert (after.title_en, after.agenda_ja, after.quorum) == (
        "General assembly",
        "1. 予算",
        Quorum(2, 3),
    )
    assert after.starts_at == T0 + timedelta(days=9)
