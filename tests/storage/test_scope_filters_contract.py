"""The stores filter staff lists by a scope's centres alike: the hours review queue and its count,
the request queue and its counts. `centres=None` is the whole co-op; an empty set is nothing;
a request of no centre yet is never in a set of centres.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport
from bot.domain.people import NewPerson, Role
from bot.domain.requests import OPEN, RequestStatus
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.forms import form

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


async def test_hours_and_requests_of_a_set_of_centres(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        a, b, c = [await uow.centres.add(f"{n}", f"C{n}") for n in "abc"]
        member = await uow.people.add(
            NewPerson(1, "m", "ja", NOW, roles=frozenset({Role.MEMBER, Role.RESIDENT}))
        )
        reports = {}
        for centre in (a, b, c):
            report = await uow.hours.add(
                NewHourReport(member.id, centre.id, WorkKind.CLEANING, date(2026, 12, 6), 60), NOW
            )
            reports[centre.id] = report.id
        requests = {}
        for n, centre in enumerate((a, b, None)):
            request = await uow.requests.add(
                form(), reference=f"K-2612-000{n}", requester_id=member.id, at=NOW
            )
            if centre is not None:
                await uow.requests.save(
                    replace(request, centre_id=centre.id), was=RequestStatus.RECEIVED
                )
            requests[None if centre is None else centre.id] = request.id
        await uow.commit()
    async with uow_factory() as uow:
        for centres, want in (
            (None, [a.id, b.id, c.id]),
            ({a.id, c.id}, [a.id, c.id]),
            (set(), []),
        ):
            found = await uow.hours.pending(10, centres=centres)
            assert [r.id for r in found] == [reports[x] for x in want], centres
            assert await uow.hours.count_pending(centres=centres) == len(want)
        # One centre and a scope together: both apply.
        assert await uow.hours.pending(10, centre_id=b.id, centres={a.id}) == []
        assert await uow.hours.count_pending(b.id, member.id, centres={b.id}) == 0

        for centres, want_requests in (
            (None, [a.id, b.id, None]),
            ({b.id, c.id}, [b.id]),
            (set(), []),
        ):
            waiting = await uow.requests.waiting(OPEN, centres=centres)
            assert [r.id for r in waiting] == [requests[x] for x in want_requests], centres
            counts = await uow.requests.count_by_status(centres=centres)
            assert sum(counts.values()) == len(want_requests), centres
