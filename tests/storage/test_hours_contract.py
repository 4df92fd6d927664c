"""The repository contract for hour reports and their history, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.domain.coop import WorkKind
from bot.domain.hours import ChangeAction, HourChange, NewHourReport, ReportStatus
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
JST = timezone(timedelta(hours=9))
DAY = date(2026, 11, 21)


async def _setup(uow_factory: UnitOfWorkFactory) -> tuple[int, int]:
    person = await add_person(uow_factory)
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        await uow.commit()
    return person.id, centre.id


def _new(person_id: int, centre_id: int, day: date = DAY, minutes: int = 450) -> NewHourReport:
    return NewHourReport(person_id, centre_id, WorkKind.ELDERLY_CARE, day, minutes, "送迎あり")


async def test_a_report_is_stored_pending_with_its_day_minutes_and_note(
    uow_factory: UnitOfWorkFactory,
):
    person_id, centre_id = await _setup(uow_factory)
    async with uow_factory() as uow:
        added = await uow.hours.add(
            _new(person_id, centre_id), datetime(2026, 11, 22, 9, tzinfo=JST)
        )
        await uow.commit()
    assert added.status is ReportStatus.PENDING
    assert (added.day, added.minutes, added.note, added.kind) == (
        DAY,
        450,
        "送迎あり",
        WorkKind.ELDERLY_CARE,
    )
    assert added.created_at == added.updated_at == T0 and added.created_at.tzinfo == UTC
    assert (added.decided_by, added.decided_at, added.reason) == (None, None, None)
    async with uow_factory() as uow:
        assert await uow.hours.get(added.id) == added
        assert await uow.hours.get(added.id + 100) is None


async def test_save_changes_a_report_only_while_its_status_is_as_expected(
    uow_factory: UnitOfWorkFactory,
):
    person_id, centre_id = await _setup(uow_factory)
    staff = await add_person(uow_factory, telegram_user_id=1002)
    async with uow_factory() as uow:
        added = await uow.hours.add(_new(person_id, centre_id), T0)
        await uow.commit()
    approved = replace(
        added,
        status=ReportStatus.APPROVED,
        decided_by=staff.id,
        decided_at=T0 + timedelta(hours=1),
        updated_at=T0 + timedelta(hours=1),
    )
    async with uow_factory() as uow:
        assert await uow.hours.save(approved, was=ReportStatus.PENDING) is True
        # A second decision on the same report finds it no longer pending and changes nothing.
        rejected = replace(added, status=ReportStatus.REJECTED, reason="重複")
        assert await uow.hours.save(rejected, was=ReportStatus.PENDING) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.hours.get(added.id) == approved


async def test_a_members_reports_are_found_by_day_range_in_day_order(
    uow_factory: UnitOfWorkFactory,
):
    person_id, centre_id = await _setup(uow_factory)
    other = await add_person(uow_factory, telegram_user_id=1002)
    async with uow_factory() as uow:
        late = await uow.hours.add(_new(person_id, centre_id, date(2026, 11, 20)), T0)
        early = await uow.hours.add(_new(person_id, centre_id, date(2026, 11, 1)), T0)
        await uow.hours.add(_new(person_id, centre_id, date(2026, 12, 1)), T0)
        await uow.hours.add(_new(other.id, centre_id, date(2026, 11, 5)), T0)
        await uow.commit()
    async with uow_factory() as uow:
        november = await uow.hours.for_person(person_id, date(2026, 11, 1), date(2026, 12, 1))
    assert [r.id for r in november] == [early.id, late.id]


async def test_pending_lists_waiting_reports_oldest_first(uow_factory: UnitOfWorkFactory):
    person_id, centre_id = await _setup(uow_factory)
    async with uow_factory() as uow:
        first = await uow.hours.add(_new(person_id, centre_id, date(2026, 11, 20)), T0)
        second = await uow.hours.add(_new(person_id, centre_id, date(2026, 11, 19)), T0)
        third = await uow.hours.add(_new(person_id, centre_id, date(2026, 11, 18)), T0)
        await uow.hours.save(replace(second, status=ReportStatus.WITHDRAWN), was=second.status)
        await uow.commit()
    async with uow_factory() as uow:
        assert [r.id for r in await uow.hours.pending(10)] == [first.id, third.id]
        assert [r.id for r in await uow.hours.pending(1)] == [first.id]


async def test_history_keeps_every_change_in_order(uow_factory: UnitOfWorkFactory):
    person_id, centre_id = await _setup(uow_factory)
    async with uow_factory() as uow:
        report = await uow.hours.add(_new(person_id, centre_id), T0)
        changes = [
            HourChange(report.id, T0, person_id, ChangeAction.REPORTED, {"minutes": 450}),
            HourChange(
                report.id,
                T0 + timedelta(minutes=5),
                person_id,
                ChangeAction.EDITED,
                {"minutes": 480, "note": "延長"},
            ),
            HourChange(report.id, T0 + timedelta(hours=2), None, ChangeAction.APPROVED, {}),
        ]
        for change in changes:
            await uow.hours.add_change(change)
        await uow.commit()
    async with uow_factory() as uow:
        assert list(await uow.hours.history(report.id)) == changes
        assert list(await uow.hours.history(report.id + 1)) == []


async def test_the_store_refuses_minutes_that_are_not_quarter_hours_within_a_day(
    uow_factory: UnitOfWorkFactory,
):
    person_id, centre_id = await _setup(uow_factory)
    for minutes in (0, 7, 1455):
        with pytest.raises(Exception):  # noqa: B017 -- IntegrityError on SQL, ValueError in memory
            async with uow_factory() as uow:
                await uow.hours.add(_new(person_id, centre_id, minutes=minutes), T0)


async def test_pending_reports_come_a_keyset_page_at_a_time_by_centre_and_not_ones_own(
    uow_factory: UnitOfWorkFactory,
):
    a = await add_person(uow_factory, 1)
    b = await add_person(uow_factory, 2)
    async with uow_factory() as uow:
        one = await uow.centres.add("中央", "Chuo")
        two = await uow.centres.add("港", "Minato")
        ids = []
        for day, person, centre in ((1, a, one), (2, b, two), (3, a, two), (4, b, one)):
            report = await uow.hours.add(
                NewHourReport(
                    person.id, centre.id, WorkKind.CLEANING, date(2026, 11, day), 60, None
                ),
                T0,
            )
            ids.append(report.id)
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.hours.pending(2)
        assert [r.id for r in first] == ids[:2]
        rest = await uow.hours.pending(2, after=first[-1].id)
        assert [r.id for r in rest] == ids[2:]
        assert [r.id for r in await uow.hours.pending(10, centre_id=two.id)] == ids[1:3]
        mine_left_out = await uow.hours.pending(10, exclude_person=a.id)
        assert [r.id for r in mine_left_out] == [ids[1], ids[3]]
        assert await uow.hours.count_pending() == 4
        assert await uow.hours.count_pending(one.id, b.id) == 1
