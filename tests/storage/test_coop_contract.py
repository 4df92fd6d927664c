"""The repository contract for centres, shifts and assemblies, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.coop import NewAssembly, NewShift, WorkKind
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
JST = timezone(timedelta(hours=9))


def shift_at(centre_id: int, hours: float, kind: WorkKind = WorkKind.CLEANING) -> NewShift:
    start = T0 + timedelta(hours=hours)
    return NewShift(centre_id, start, start + timedelta(hours=4), kind, capacity=2)


async def test_centres_are_added_and_listed_by_id(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        chuo = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        minato = await uow.centres.add("港ビル清掃センター", "Minato Building Cleaning Centre")
        await uow.commit()
    assert chuo.id != minato.id
    assert chuo.name("ja") == "中央ケアセンター" and chuo.name("en") == "Chuo Care Centre"
    async with uow_factory() as uow:
        assert list(await uow.centres.all()) == [chuo, minato]


async def test_a_shift_keeps_its_times_kind_and_capacity(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        start = datetime(2026, 11, 23, 9, 0, tzinfo=JST)
        added = await uow.shifts.add(
            NewShift(centre.id, start, start + timedelta(hours=6), WorkKind.ELDERLY_CARE, 3)
        )
        await uow.commit()
    assert added.starts_at == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert added.starts_at.tzinfo == UTC
    assert added.ends_at == added.starts_at + timedelta(hours=6)
    assert (added.kind, added.capacity, added.assigned) == (WorkKind.ELDERLY_CARE, 3, frozenset())
    async with uow_factory() as uow:
        assert await uow.shifts.get(added.id) == added
        assert await uow.shifts.get(added.id + 100) is None


async def test_assigning_twice_keeps_one_assignment(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory)
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        shift = await uow.shifts.add(shift_at(centre.id, 1))
        assert await uow.shifts.assign(shift.id, person.id) is True
        assert await uow.shifts.assign(shift.id, person.id) is False
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.shifts.get(shift.id)
        assert stored is not None and stored.assigned == {person.id}
        assert stored.is_assigned(person.id) and not stored.is_assigned(None)


async def test_a_persons_shifts_are_those_starting_in_the_window_earliest_first(
    uow_factory: UnitOfWorkFactory,
):
    me = await add_person(uow_factory, 1)
    other = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        later = await uow.shifts.add(shift_at(centre.id, 30))
        sooner = await uow.shifts.add(shift_at(centre.id, 2, WorkKind.CHILDCARE))
        before = await uow.shifts.add(shift_at(centre.id, -1))
        at_end = await uow.shifts.add(shift_at(centre.id, 48))
        not_mine = await uow.shifts.add(shift_at(centre.id, 3))
        for shift in (later, sooner, before, at_end):
            await uow.shifts.assign(shift.id, me.id)
        await uow.shifts.assign(sooner.id, other.id)
        await uow.shifts.assign(not_mine.id, other.id)
        await uow.commit()
    async with uow_factory() as uow:
        mine = await uow.shifts.for_person(me.id, T0, T0 + timedelta(hours=48))
    assert [s.id for s in mine] == [sooner.id, later.id]
    assert mine[0].assigned == {me.id, other.id}
    assert mine[0].kind is WorkKind.CHILDCARE


async def test_who_is_on_a_shift(uow_factory: UnitOfWorkFactory):
    first = await add_person(uow_factory, 1)
    second = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        shift = await uow.shifts.add(shift_at(centre.id, 1))
        empty = await uow.shifts.add(shift_at(centre.id, 5))
        await uow.shifts.assign(shift.id, second.id)
        await uow.shifts.assign(shift.id, first.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert list(await uow.shifts.on_shift(shift.id)) == [first, second]
        assert list(await uow.shifts.on_shift(empty.id)) == []
        assert list(await uow.shifts.on_shift(shift.id + 100)) == []


async def test_shifts_not_committed_are_gone(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        await uow.commit()
        discarded = await uow.shifts.add(shift_at(centre.id, 1))
    async with uow_factory() as uow:
        assert await uow.shifts.get(discarded.id) is None
        assert list(await uow.centres.all()) == [centre]


async def test_a_shift_is_edited_and_keeps_who_is_on_it(uow_factory: UnitOfWorkFactory):
    member = await add_person(uow_factory, 1)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        shift = await uow.shifts.add(
            NewShift(centre.id, T0, T0 + timedelta(hours=4), WorkKind.CLEANING, 2)
        )
        await uow.shifts.assign(shift.id, member.id)
        await uow.commit()
    async with uow_factory() as uow:
        moved = replace(shift, ends_at=T0 + timedelta(hours=6), capacity=3, for_volunteers=True)
        assert await uow.shifts.update(moved) is True
        assert await uow.shifts.update(replace(moved, id=shift.id + 99)) is False
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.shifts.get(shift.id)
    assert stored is not None and (stored.capacity, stored.for_volunteers) == (3, True)
    assert stored.ends_at == T0 + timedelta(hours=6)
    assert stored.assigned == {member.id}


async def test_upcoming_assemblies_start_now_or_later_soonest_first(uow_factory: UnitOfWorkFactory):
    def assembly(days: float) -> NewAssembly:
        start = T0 + timedelta(days=days)
        return NewAssembly(
            f"第{days}回 総会",
            f"Assembly {days}",
            start,
            "中央ケアセンター 2階ホール",
            "Chuo Care Centre, 2F hall",
            start - timedelta(days=7),
        )

    async with uow_factory() as uow:
        past = await uow.assemblies.add(assembly(-1))
        far = await uow.assemblies.add(assembly(40))
        near = await uow.assemblies.add(assembly(17))
        exactly_now = await uow.assemblies.add(assembly(0))
        await uow.commit()
    assert near.title("ja") == "第17回 総会" and near.place("en") == "Chuo Care Centre, 2F hall"
    assert near.answer_by == T0 + timedelta(days=10)
    async with uow_factory() as uow:
        assert list(await uow.assemblies.upcoming(T0, 10)) == [exactly_now, near, far]
        assert list(await uow.assemblies.upcoming(T0, 1)) == [exactly_now]
        assert (await uow.assemblies.upcoming(T0 - timedelta(days=2), 10))[0] == past


def test_a_shift_must_end_after_it_starts_and_hold_someone():
    with pytest.raises(ValueError, match="ends after"):
        NewShift(1, T0, T0, WorkKind.CLEANING, 1)
    with pytest.raises(ValueError, match="at least one"):
        NewShift(1, T0, T0 + timedelta(hours=1), WorkKind.CLEANING, 0)
