"""Many people tapping "take it" on the last place at once: exactly one gets it, on SQL stores."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.coop import NewShift, WorkKind
from bot.domain.people import NewPerson
from bot.domain.shift_swaps import TakeOutcome
from storage.uow import make_uow_factory

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
TAKERS = 8


async def test_of_many_concurrent_takers_only_one_gets_the_last_place(sql_engine: AsyncEngine):
    factory = make_uow_factory(sql_engine)
    async with factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        shift = await uow.shifts.add(
            NewShift(centre.id, T0, T0 + timedelta(hours=4), WorkKind.CLEANING, 1)
        )
        people = [
            await uow.people.add(NewPerson(9000 + i, f"#{i}", "ja", T0)) for i in range(TAKERS)
        ]
        await uow.commit()

    async def take(person_id: int) -> TakeOutcome:
        async with factory() as uow:
            outcome = await uow.shift_swaps.take(shift.id, person_id)
            await asyncio.sleep(0)  # let the others run inside their transactions
            await uow.commit()
        return outcome

    outcomes = await asyncio.gather(*(take(p.id) for p in people))
    assert sorted(outcomes).count(TakeOutcome.TAKEN) == 1
    assert outcomes.count(TakeOutcome.FULL) == TAKERS - 1
    async with factory() as uow:
        stored = await uow.shifts.get(shift.id)
    assert stored is not None and len(stored.assigned) == 1
