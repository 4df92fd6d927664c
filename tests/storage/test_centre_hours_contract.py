"""The repository contract of a centre's office hours (migration 0023): written with the centre,
read back the same, cleared with an empty tuple.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.contact import parse_office_hours
from bot.ports.store import UnitOfWorkFactory


async def test_office_hours_are_written_read_back_and_cleared(uow_factory: UnitOfWorkFactory):
    hours = parse_office_hours("mon-fri 09:00-17:00; sat 09:00-12:00")
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        assert centre.office_hours == ()
        assert await uow.centres.update(replace(centre, phone="03-1234-5678", office_hours=hours))
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.centres.get(centre.id)
        assert stored is not None and stored.office_hours == hours
        assert [c.office_hours for c in await uow.centres.all() if c.id == centre.id] == [hours]
        assert await uow.centres.update(replace(stored, office_hours=()))
        await uow.commit()
    async with uow_factory() as uow:
        cleared = await uow.centres.get(centre.id)
        assert cleared is not None and cleared.office_hours == ()
