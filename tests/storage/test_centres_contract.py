"""The repository contract for a centre's details (phone, kinds of work, areas, closing).

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from bot.domain.coop import WorkKind
from bot.ports.store import UnitOfWorkFactory

JST = timezone(timedelta(hours=9))


async def test_a_new_centre_is_open_with_no_details(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.centres.get(centre.id)
        assert await uow.centres.get(centre.id + 100) is None
    assert stored == centre
    assert stored is not None and stored.is_open
    assert (stored.phone, stored.kinds, stored.areas) == (None, frozenset(), ())


async def test_details_and_closing_are_written_and_read_back(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        other = await uow.centres.add("港", "Minato")
        await uow.commit()
    closed_at = datetime(2026, 12, 7, 18, 0, tzinfo=JST)
    changed = replace(
        centre,
        name_ja="中央ケアセンター",
        name_en="Chuo Care Centre",
        phone="03-1234-5678",
        kinds=frozenset({WorkKind.ELDERLY_CARE, WorkKind.CLEANING}),
        areas=("中央区", "港区"),
        closed_at=closed_at,
    )
    async with uow_factory() as uow:
        assert await uow.centres.update(changed) is True
        assert await uow.centres.update(replace(changed, id=centre.id + 100)) is False
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.centres.get(centre.id)
        listed = list(await uow.centres.all())
    assert stored == replace(changed, closed_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert stored is not None and stored.closed_at is not None
    assert stored.closed_at.tzinfo == UTC and not stored.is_open
    # The closed centre is still listed (its history needs it); the other is untouched.
    assert listed == [stored, other]


async def test_a_head_office_and_the_office_a_centre_belongs_to_are_written_and_read_back(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        office = await uow.centres.add("東京本部", "Tokyo Head Office")
        centre = await uow.centres.add("中央", "Chuo")
        assert not office.is_office and centre.office_id is None  # a new row is a plain centre
        assert await uow.centres.update(replace(office, is_office=True))
        assert await uow.centres.update(replace(centre, office_id=office.id))
        await uow.commit()
    async with uow_factory() as uow:
        stored = {c.id: c for c in await uow.centres.all()}
        assert stored[office.id].is_office and stored[office.id].office_id is None
        assert not stored[centre.id].is_office and stored[centre.id].office_id == office.id
        assert await uow.centres.update(replace(stored[centre.id], office_id=None))
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.centres.get(centre.id)
    assert again is not None and again.office_id is None
