"""The repository contract for the payroll export's sums, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.domain.coop import WorkKind
from bot.domain.exports import HoursLine, HoursQuery, HoursScope
from bot.domain.hours import NewHourReport, ReportStatus
from bot.domain.people import NewPerson, Role
from bot.ports.store import UnitOfWorkFactory

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
NOVEMBER = date(2026, 11, 1)


async def _people_and_centres(uow_factory: UnitOfWorkFactory) -> tuple[list[int], list[int]]:
    async with uow_factory() as uow:
        people = [
            await uow.people.add(NewPerson(tid, name, "ja", T0, roles=roles))
            for tid, name, roles in (
                (2001, "田中 一郎", frozenset({Role.MEMBER})),
                (2002, "Maria Santos", frozenset({Role.MEMBER})),
                (3001, "鈴木 次郎", frozenset({Role.VOLUNTEER})),
            )
        ]
        centres = [
            await uow.centres.add("中央ケアセンター", "Chuo Care Centre"),
            await uow.centres.add("港ビル清掃センター", "Minato Building Cleaning Centre"),
        ]
        await uow.commit()
    return [p.id for p in people], [c.id for c in centres]


async def _report(
    uow_factory: UnitOfWorkFactory,
    person: int,
    centre: int,
    day: date,
    minutes: int,
    status: ReportStatus = ReportStatus.APPROVED,
    *,
    volunteer: bool = False,
) -> None:
    async with uow_factory() as uow:
        new = NewHourReport(
            person, centre, WorkKind.CLEANING, day, minutes, None, volunteer=volunteer
        )
        added = await uow.hours.add(new, T0)
        if status is not ReportStatus.PENDING:
            assert await uow.hours.save(replace(added, status=status), was=ReportStatus.PENDING)
        await uow.commit()


async def _a_month(uow_factory: UnitOfWorkFactory) -> tuple[list[int], list[int]]:
    (tanaka, maria, suzuki), (chuo, minato) = await _people_and_centres(uow_factory)
    nov = date(2026, 11, 3)
    # Tanaka: two approved days at Chuo (one of them in two reports), one at Minato, one
    # pending, one rejected and one withdrawn (never counted).
    await _report(uow_factory, tanaka, chuo, nov, 480)
    await _report(uow_factory, tanaka, chuo, date(2026, 11, 4), 240)
    await _report(uow_factory, tanaka, minato, date(2026, 11, 4), 120)
    await _report(uow_factory, tanaka, chuo, date(2026, 11, 5), 450, ReportStatus.PENDING)
    await _report(uow_factory, tanaka, chuo, date(2026, 11, 6), 60, ReportStatus.REJECTED)
    await _report(uow_factory, tanaka, chuo, date(2026, 11, 7), 60, ReportStatus.WITHDRAWN)
    # The first and last day of the month count; the days around it do not.
    await _report(uow_factory, maria, minato, date(2026, 11, 1), 465)
    await _report(uow_factory, maria, minato, date(2026, 11, 30), 15)
    await _report(uow_factory, maria, minato, date(2026, 10, 31), 600)
    await _report(uow_factory, maria, minato, date(2026, 12, 1), 600)
    # Suzuki's volunteer hours; only pending.
    await _report(uow_factory, suzuki, chuo, nov, 180, ReportStatus.PENDING, volunteer=True)
    return [tanaka, maria, suzuki], [chuo, minato]


async def test_approved_hours_are_summed_per_person_and_centre_for_the_month(
    uow_factory: UnitOfWorkFactory,
):
    (tanaka, maria, _), (chuo, minato) = await _a_month(uow_factory)
    async with uow_factory() as uow:
        lines = await uow.exports.hours(HoursQuery(NOVEMBER))
    assert lines == [
        HoursLine(tanaka, "田中 一郎", chuo, 2, 720, 0, volunteer=False),
        HoursLine(tanaka, "田中 一郎", minato, 1, 120, 0, volunteer=False),
        HoursLine(maria, "Maria Santos", minato, 2, 480, 0, volunteer=False),
    ]


async def test_all_adds_pending_reports_apart_and_flags_volunteer_hours(
    uow_factory: UnitOfWorkFactory,
):
    (tanaka, maria, suzuki), (chuo, minato) = await _a_month(uow_factory)
    async with uow_factory() as uow:
        lines = await uow.exports.hours(HoursQuery(NOVEMBER, scope=HoursScope.ALL))
    assert lines == [
        HoursLine(tanaka, "田中 一郎", chuo, 3, 720, 450, volunteer=False),
        HoursLine(tanaka, "田中 一郎", minato, 1, 120, 0, volunteer=False),
        HoursLine(maria, "Maria Santos", minato, 2, 480, 0, volunteer=False),
        HoursLine(suzuki, "鈴木 次郎", chuo, 1, 0, 180, volunteer=True),
    ]


async def test_one_centre_and_an_empty_month(uow_factory: UnitOfWorkFactory):
    (tanaka, _, suzuki), (chuo, _) = await _a_month(uow_factory)
    async with uow_factory() as uow:
        at_chuo = await uow.exports.hours(HoursQuery(NOVEMBER, chuo, HoursScope.ALL))
        assert [(line.person_id, line.centre_id) for line in at_chuo] == [
            (tanaka, chuo),
            (suzuki, chuo),
        ]
        assert await uow.exports.hours(HoursQuery(date(2026, 9, 1))) == []
        assert await uow.exports.hours(HoursQuery(NOVEMBER, chuo + 100)) == []


async def test_a_member_with_member_and_volunteer_hours_at_one_centre_gets_two_lines(
    uow_factory: UnitOfWorkFactory,
):
    (tanaka, _, _), (chuo, _) = await _people_and_centres(uow_factory)
    await _report(uow_factory, tanaka, chuo, date(2026, 11, 10), 240)
    await _report(uow_factory, tanaka, chuo, date(2026, 11, 10), 60, volunteer=True)
    async with uow_factory() as uow:
        lines = await uow.exports.hours(HoursQuery(NOVEMBER))
    assert [(line.approved_minutes, line.volunteer) for line in lines] == [
        (240, False),
        (60, True),
    ]
