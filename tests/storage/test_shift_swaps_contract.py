"""The repository contract for shift swaps and calendar links, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.coop import NewShift, WorkKind
from bot.domain.people import Role
from bot.domain.shift_swaps import TakeOutcome
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def shift_at(centre_id: int, hours: float, capacity: int = 2, *, vol: bool = False) -> NewShift:
    start = T0 + timedelta(hours=hours)
    return NewShift(
        centre_id,
        start,
        start + timedelta(hours=4),
        WorkKind.CLEANING,
        capacity,
        for_volunteers=vol,
    )


async def test_a_volunteers_shift_keeps_its_mark(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        marked = await uow.shifts.add(shift_at(centre.id, 1, vol=True))
        plain = await uow.shifts.add(shift_at(centre.id, 2))
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.shifts.get(marked.id)).for_volunteers is True
        assert (await uow.shifts.get(plain.id)).for_volunteers is False


async def test_taking_a_place_fills_the_shift_then_says_full(uow_factory: UnitOfWorkFactory):
    a = await add_person(uow_factory, 1)
    b = await add_person(uow_factory, 2)
    c = await add_person(uow_factory, 3)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        shift = await uow.shifts.add(shift_at(centre.id, 1, capacity=2))
        assert await uow.shift_swaps.take(shift.id, a.id) is TakeOutcome.TAKEN
        assert await uow.shift_swaps.take(shift.id, a.id) is TakeOutcome.ALREADY
        assert await uow.shift_swaps.take(shift.id, b.id) is TakeOutcome.TAKEN
        assert await uow.shift_swaps.take(shift.id, c.id) is TakeOutcome.FULL
        assert await uow.shift_swaps.take(shift.id + 100, c.id) is TakeOutcome.MISSING
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.shifts.get(shift.id)).assigned == {a.id, b.id}
        assert await uow.shift_swaps.unassign(shift.id, a.id) is True
        assert await uow.shift_swaps.unassign(shift.id, a.id) is False
        assert await uow.shift_swaps.take(shift.id, c.id) is TakeOutcome.TAKEN
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.shifts.get(shift.id)).assigned == {b.id, c.id}


async def test_open_shifts_are_those_with_a_free_place_in_the_window(
    uow_factory: UnitOfWorkFactory,
):
    me = await add_person(uow_factory, 1)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        later = await uow.shifts.add(shift_at(centre.id, 30))
        full = await uow.shifts.add(shift_at(centre.id, 5, capacity=1))
        sooner = await uow.shifts.add(shift_at(centre.id, 2, capacity=2))
        await uow.shifts.add(shift_at(centre.id, -3))
        await uow.shifts.add(shift_at(centre.id, 48))
        await uow.shifts.assign(full.id, me.id)
        await uow.shifts.assign(sooner.id, me.id)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.shift_swaps.open_between(T0, T0 + timedelta(hours=48))
    assert [s.id for s in found] == [sooner.id, later.id]
    assert found[0].assigned == {me.id} and found[0].free_places == 1


async def test_overlapping_shifts_of_a_person(uow_factory: UnitOfWorkFactory):
    me = await add_person(uow_factory, 1)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        morning = await uow.shifts.add(shift_at(centre.id, 0))  # 0-4
        evening = await uow.shifts.add(shift_at(centre.id, 8))  # 8-12
        await uow.shifts.assign(morning.id, me.id)
        await uow.shifts.assign(evening.id, me.id)
        await uow.commit()
    async with uow_factory() as uow:
        swaps = uow.shift_swaps
        assert [
            s.id
            for s in await swaps.overlapping(
                me.id, T0 + timedelta(hours=3), T0 + timedelta(hours=9)
            )
        ] == [morning.id, evening.id]
        assert (
            await swaps.overlapping(me.id, T0 + timedelta(hours=4), T0 + timedelta(hours=8)) == []
        )
        assert await swaps.overlapping(me.id + 100, T0, T0 + timedelta(days=1)) == []


async def test_a_centres_shifts_and_workers(uow_factory: UnitOfWorkFactory):
    a = await add_person(uow_factory, 1, frozenset({Role.MEMBER}))
    b = await add_person(uow_factory, 2)
    c = await add_person(uow_factory, 3)
    async with uow_factory() as uow:
        minato = await uow.centres.add("港", "Minato")
        chuo = await uow.centres.add("中央", "Chuo")
        first = await uow.shifts.add(shift_at(minato.id, 1))
        second = await uow.shifts.add(shift_at(minato.id, 30))
        elsewhere = await uow.shifts.add(shift_at(chuo.id, 1))
        await uow.shifts.assign(first.id, b.id)
        await uow.shifts.assign(second.id, a.id)
        await uow.shifts.assign(second.id, b.id)
        await uow.shifts.assign(elsewhere.id, c.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert list(await uow.shift_swaps.centre_workers(minato.id)) == [a, b]
        assert [
            s.id for s in await uow.shift_swaps.at_centre(minato.id, T0, T0 + timedelta(hours=2))
        ] == [first.id]


async def test_a_release_records_its_reason_and_who_took_the_place(
    uow_factory: UnitOfWorkFactory,
):
    a = await add_person(uow_factory, 1)
    b = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        shift = await uow.shifts.add(shift_at(centre.id, 1))
        assert await uow.shift_swaps.mark_taken(shift.id, b.id, T0) is None
        release = await uow.shift_swaps.add_release(shift.id, a.id, T0)
        await uow.shift_swaps.set_reason(release.id, "熱が出ました")
        await uow.commit()
    assert (release.shift_id, release.person_id, release.released_at) == (shift.id, a.id, T0)
    async with uow_factory() as uow:
        stored = await uow.shift_swaps.get_release(release.id)
        assert stored is not None and stored.reason == "熱が出ました" and stored.taken_by is None
        taken = await uow.shift_swaps.mark_taken(shift.id, b.id, T0 + timedelta(minutes=5))
        assert taken is not None and taken.id == release.id
        assert await uow.shift_swaps.mark_taken(shift.id, a.id, T0) is None  # taken already
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.shift_swaps.get_release(release.id)
        assert stored is not None
        assert (stored.taken_by, stored.taken_at) == (b.id, T0 + timedelta(minutes=5))
        assert await uow.shift_swaps.get_release(release.id + 100) is None


async def test_a_calendar_token_is_found_and_replaced(uow_factory: UnitOfWorkFactory):
    a = await add_person(uow_factory, 1)
    b = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        await uow.shift_swaps.set_calendar_token(a.id, "a" * 64, T0)
        await uow.shift_swaps.set_calendar_token(b.id, "b" * 64, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.shift_swaps.person_by_calendar_token("a" * 64) == a.id
        await uow.shift_swaps.set_calendar_token(a.id, "c" * 64, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.shift_swaps.person_by_calendar_token("a" * 64) is None
        assert await uow.shift_swaps.person_by_calendar_token("c" * 64) == a.id
        assert await uow.shift_swaps.person_by_calendar_token("b" * 64) == b.id
