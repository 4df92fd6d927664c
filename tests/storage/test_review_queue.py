"""One review queue: the Telegram review list and the desk list the same reports, chosen in SQL
by one function (`bot.services.hours.waiting_for_review`) and counted by the store.

Runs on every store (the memory fake, SQLite, PostgreSQL where available): the staff member's own
pending reports, however many, never hide others' from the list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport
from bot.domain.people import Actor, Role
from bot.ports.store import UnitOfWorkFactory
from bot.services import hours
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


async def test_both_doors_list_the_same_reports_and_never_ones_own(uow_factory: UnitOfWorkFactory):
    staff = await add_person(uow_factory, 1, frozenset({Role.STAFF, Role.COORDINATOR, Role.MEMBER}))
    member = await add_person(uow_factory, 2, frozenset({Role.MEMBER}))
    others: list[int] = []
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央", "Chuo")
        # 35 of the staff member's own first: a filter in Python after reading 20 rows more
        # than it needed (the Telegram list did) found none of the member's.
        for n in range(38):
            person = staff if n < 35 else member
            day = date(2026, 10, 1) + timedelta(days=n)
            report = await uow.hours.add(
                NewHourReport(person.id, centre.id, WorkKind.CLEANING, day, 60, None), T0
            )
            if person is member:
                others.append(report.id)
        await uow.commit()
    actor = Actor(
        person_id=staff.id,
        roles=frozenset({Role.STAFF, Role.COORDINATOR, Role.MEMBER}),
        locale="ja",
    )
    async with uow_factory() as uow:
        telegram = await hours.waiting_for_review(uow, actor, T0, limit=10)  # as bot.dialogs
        desk = hours.DESK_REVIEW_REFUSED
        page = await hours.waiting_for_review(uow, actor, T0, refused=desk)  # as handlers.desk
        first = await hours.waiting_for_review(uow, actor, T0, limit=2, refused=desk)
        assert first.next_cursor is not None
        rest = await hours.waiting_for_review(
            uow, actor, T0, after=first.next_cursor, limit=2, refused=desk
        )
        counted = await hours.count_waiting(uow, actor, T0, refused=desk)
        of_centre = await hours.count_waiting(uow, actor, T0, centre_id=centre.id + 1)
    assert [v.report.id for v in telegram.items] == others and telegram.next_cursor is None
    assert [v.report.id for v in page.items] == others and page.next_cursor is None
    assert counted == len(others) and of_centre == 0
    assert [v.report.id for v in first.items + rest.items] == others
    assert {v.person.id for v in telegram.items} == {member.id}
