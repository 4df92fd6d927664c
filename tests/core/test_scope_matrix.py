"""Need-to-know, every role x scope x action: what a staff member sees and does is limited to
their centres, decided in one place (bot.services.access) and audited when refused.

Two centres, A and B. Everything acted on is centre A's (an hour report, a service request with
its phone and address, a centre broadcast, a person, a shift, a centre meeting, an export),
except a request of no centre yet, which is the whole co-op's. A belongs to head office H, B to
head office K. The actors: an admin and a coordinator (whole co-op), a staff member of A, one of
B, one of H (A's office: A too), one of K (B's office: not A), one of no centre, and a member.
A list shows the item or leaves it out; a direct action is done, or raises PermissionDenied and
adds the audit row of the refusal (its action, its subject, the actor).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, Draft
from bot.domain.cards import CardKind
from bot.domain.coop import NewAssembly, NewShift, WorkKind
from bot.domain.errors import PermissionDenied
from bot.domain.exports import HoursQuery
from bot.domain.hours import NewHourReport
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.requests import RequestStatus
from bot.ports.store import UnitOfWork
from bot.services import assemblies, broadcasts, cards, hours, people, queue, shift_swaps, shifts
from bot.services import requests as rq
from bot.services.exports import hours_export
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.forms import form

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)
MONTH = date(2026, 12, 1)

# Who acts, and the roles and centres they hold ("A"/"B": the centres they belong to).
ACTORS: dict[str, tuple[frozenset[Role], tuple[str, ...]]] = {
    "admin": (frozenset({Role.ADMIN}), ()),
    "coordinator": (frozenset({Role.STAFF, Role.COORDINATOR}), ()),
    "staff of A": (frozenset({Role.STAFF}), ("A",)),
    "staff of A and B": (frozenset({Role.STAFF}), ("A", "B")),
    "staff of B": (frozenset({Role.STAFF}), ("B",)),
    "staff of A's office": (frozenset({Role.STAFF}), ("H",)),
    "staff of B's office": (frozenset({Role.STAFF}), ("K",)),
    "staff of no centre": (frozenset({Role.STAFF}), ()),
    "member of A": (frozenset({Role.MEMBER}), ("A",)),
}
WHOLE = {"admin", "coordinator"}
OF_A = WHOLE | {"staff of A", "staff of A and B", "staff of A's office"}


@dataclass
class World:
    store: MemoryStore
    centre: dict[str, int]
    report_id: int
    request_id: int
    unassigned_id: int
    worker_id: int
    meeting_id: int


async def _world() -> World:
    store = MemoryStore()
    async with store.uow() as uow:
        a = await uow.centres.add("中央", "Chuo")
        b = await uow.centres.add("港", "Minato")
        h = await uow.centres.add("東京本部", "Tokyo Head Office")
        k = await uow.centres.add("神奈川本部", "Kanagawa Head Office")
        for office in (h, k):
            await uow.centres.update(replace(office, is_office=True))
        await uow.centres.update(replace(a, office_id=h.id))
        await uow.centres.update(replace(b, office_id=k.id))
        worker = await uow.people.add(
            NewPerson(900, "田中", "ja", NOW, roles=frozenset({Role.MEMBER}))
        )
        await uow.memberships.add(worker.id, a.id)
        resident = await uow.people.add(
            NewPerson(901, "山本", "ja", NOW, roles=frozenset({Role.RESIDENT}))
        )
        report = await uow.hours.add(
            NewHourReport(worker.id, a.id, WorkKind.CLEANING, TODAY, 120), NOW
        )
        request = await uow.requests.add(
            form(), reference="K-2612-0001", requester_id=resident.id, at=NOW
        )
        await uow.requests.save(replace(request, centre_id=a.id), was=RequestStatus.RECEIVED)
        unassigned = await uow.requests.add(
            form(), reference="K-2612-0002", requester_id=resident.id, at=NOW
        )
        meeting = await uow.assemblies.add(
            NewAssembly(
                "中央センター会議",
                "Chuo meeting",
                NOW + timedelta(days=10),
                "中央",
                "Chuo",
                NOW + timedelta(days=8),
                centre_id=a.id,
            )
        )
        await uow.commit()
    return World(
        store,
        {"A": a.id, "B": b.id, "H": h.id, "K": k.id},
        report.id,
        request.id,
        unassigned.id,
        worker.id,
        meeting.id,
    )


async def _actor(world: World, name: str) -> Actor:
    roles, centres = ACTORS[name]
    async with world.store.uow() as uow:
        person = await uow.people.add(
            NewPerson(1000 + len(world.store.state.people), name, "ja", NOW, roles=roles)
        )
        for centre in centres:
            await uow.memberships.add(person.id, world.centre[centre])
        await uow.commit()
    return Actor(person.id, person.roles, "ja")


Act = Callable[[UnitOfWork, Actor, World], Awaitable[object]]


@dataclass(frozen=True)
class Direct:
    """An action on one item: done for `allowed`, refused and audited for everyone else."""

    act: Act
    refused: str  # the audit row's action
    subject: Callable[[World], str]
    allowed: frozenset[str] = frozenset(OF_A)


@dataclass(frozen=True)
class Listed:
    """A list or a count: staff see A's item only if A is in scope; non-staff are refused."""

    seen: Callable[[UnitOfWork, Actor, World], Awaitable[bool]]
    refused: str


def _a(world: World) -> int:
    return world.centre["A"]


async def _hours_listed(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    page = await hours.waiting_for_review(uow, actor, NOW)
    return w.report_id in [v.report.id for v in page.items]


async def _hours_counted(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    return await hours.count_waiting(uow, actor, NOW) == 1


async def _requests_listed(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    return w.request_id in [v.request.id for v in await rq.queue(uow, actor, NOW)]


async def _requests_counted(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    counts = await rq.counts(uow, actor, NOW)
    # A's request is under "received"; the one of no centre counts for whole-co-op staff only.
    return counts.get(RequestStatus.RECEIVED, 0) >= 1


async def _queue_counted(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    counted = await queue.counts(uow, actor, NOW)
    return counted["hours"] == 1 and counted["requests"] >= 1


async def _export_lines(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    async with w.store.uow() as approve_uow:  # an approved report makes an export line
        admin = Actor(None, frozenset({Role.ADMIN}), "ja")
        await approve_uow.hours.save(
            replace(
                (await approve_uow.hours.get(w.report_id)),  # type: ignore[arg-type]
                status=hours.ReportStatus.APPROVED,
                decided_by=admin.person_id,
                decided_at=NOW,
            ),
            was=hours.ReportStatus.PENDING,
        )
        await approve_uow.commit()
    async with w.store.uow() as fresh:  # one that sees the approval
        export = await hours_export(fresh, actor, HoursQuery(MONTH), NOW)
    return [line.person_id for line in export.lines] == [w.worker_id]


async def _centres_offered(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    return _a(w) in [c.id for c in await broadcasts.centres(uow, actor, NOW)]


async def _people_listed(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    found = await people.page(uow, actor, NOW, role=None)
    assert actor.person_id in [p.id for p in found.items]  # oneself: always
    return w.worker_id in [p.id for p in found.items]


async def _people_counted(uow: UnitOfWork, actor: Actor, w: World) -> bool:
    return (await people.role_counts(uow, actor, NOW)).get(Role.MEMBER, 0) > 0


LISTED: dict[str, Listed] = {
    "people: the desk's list": Listed(_people_listed, "desk.people_refused"),
    "people: counts by role": Listed(_people_counted, "desk.people_refused"),
    "hours: review list": Listed(_hours_listed, hours.REVIEW_REFUSED),
    "hours: count": Listed(_hours_counted, hours.REVIEW_REFUSED),
    "requests: queue": Listed(_requests_listed, rq.REFUSED),
    "requests: counts": Listed(_requests_counted, rq.REFUSED),
    "/queue counts": Listed(_queue_counted, queue.REFUSED),
    "export: the month's lines": Listed(_export_lines, "export.refused"),
    "broadcast: centres offered": Listed(_centres_offered, broadcasts.REFUSED),
}

A_BROADCAST = Audience(AudienceKind.CENTRE, centre_id=1)  # centre A is the store's first

DIRECT: dict[str, Direct] = {
    "hours: approve": Direct(
        lambda uow, actor, w: hours.approve_reports(uow, actor, [w.report_id], NOW),
        hours.REVIEW_REFUSED,
        lambda w: f"hour_report:{w.report_id}",
    ),
    "hours: history": Direct(
        lambda uow, actor, w: hours.report_history(uow, actor, w.report_id, NOW),
        "hours.report_refused",
        lambda w: f"hour_report:{w.report_id}",
    ),
    "card: reopen from /queue": Direct(
        lambda uow, actor, w: cards.require_in_scope(uow, actor, NOW, CardKind.HOURS, w.report_id),
        cards.REFUSED,
        lambda w: f"card:{CardKind.HOURS}:{w.report_id}",
    ),
    "request: phone and address": Direct(
        lambda uow, actor, w: rq.detail(uow, actor, w.request_id, NOW),
        rq.REFUSED,
        lambda w: f"service_request:{w.request_id}",
    ),
    "request: take": Direct(
        lambda uow, actor, w: rq.take(uow, actor, w.request_id, NOW),
        rq.REFUSED,
        lambda w: f"service_request:{w.request_id}",
    ),
    "request of no centre: phone and address": Direct(
        lambda uow, actor, w: rq.detail(uow, actor, w.unassigned_id, NOW),
        rq.REFUSED,
        lambda w: f"service_request:{w.unassigned_id}",
        frozenset(WHOLE),
    ),
    "request of no centre: hand to A": Direct(
        lambda uow, actor, w: rq.assign_centre(uow, actor, w.unassigned_id, _a(w), NOW),
        rq.REFUSED,
        lambda w: f"service_request:{w.unassigned_id}",
        frozenset(WHOLE),
    ),
    "request of A: hand to B": Direct(
        lambda uow, actor, w: rq.assign_centre(uow, actor, w.request_id, w.centre["B"], NOW),
        rq.REFUSED,
        lambda w: f"service_request:{w.request_id}",
        frozenset(WHOLE | {"staff of A and B"}),
    ),
    "export: centre A": Direct(
        lambda uow, actor, w: hours_export(uow, actor, HoursQuery(MONTH, centre_id=_a(w)), NOW),
        "export.refused",
        lambda w: f"hours:{MONTH:%Y-%m}",
    ),
    "broadcast: to centre A": Direct(
        lambda uow, actor, w: broadcasts.create(
            uow, actor, Draft(A_BROADCAST, BroadcastKind.NOTICE, "本文", "Text"), now=NOW
        ),
        broadcasts.REFUSED,
        lambda w: "broadcast:create",
    ),
    "broadcast: count centre A": Direct(
        lambda uow, actor, w: broadcasts.audience_count(
            uow, actor, A_BROADCAST, BroadcastKind.NOTICE, NOW
        ),
        broadcasts.REFUSED,
        lambda w: "broadcast:count",
    ),
    "broadcast: to every member": Direct(
        lambda uow, actor, w: broadcasts.create(
            uow,
            actor,
            Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "本文", "Text"),
            now=NOW,
        ),
        broadcasts.REFUSED,
        lambda w: "broadcast:create",
        frozenset(WHOLE),
    ),
    "person: contact details": Direct(
        lambda uow, actor, w: people.person_data(uow, actor, w.worker_id, TODAY, NOW),
        "person.view_refused",
        lambda w: f"person:{w.worker_id}",
    ),
    "shift: create at A": Direct(
        lambda uow, actor, w: shifts.create_shift(
            uow,
            actor,
            NewShift(
                _a(w),
                NOW + timedelta(days=1),
                NOW + timedelta(days=1, hours=4),
                WorkKind.CLEANING,
                2,
            ),
            NOW,
        ),
        "desk.shifts_refused",
        lambda w: f"centre:{_a(w)}",
    ),
    "assembly: count A's meeting": Direct(
        lambda uow, actor, w: assemblies.count(uow, actor, w.meeting_id, NOW),
        "assembly.refused",
        lambda w: f"assembly:{w.meeting_id}",
    ),
}


def _refusal_of_non_staff(action: str) -> tuple[str, ...]:
    """What refusing a member may be audited as: the action's own code, or the role check's
    (some services ask for the role first, under their door's code)."""
    return (action, "desk.people_refused", "desk.shifts_refused", "assemblies.refused")


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("action", list(DIRECT))
async def test_a_direct_action_is_done_in_scope_and_refused_and_audited_outside(
    who: str, action: str
):
    world = await _world()
    actor = await _actor(world, who)
    case = DIRECT[action]
    before = len(world.store.state.audit)
    async with world.store.uow() as uow:
        if who in case.allowed:
            await case.act(uow, actor, world)
            return
        with pytest.raises(PermissionDenied):
            await case.act(uow, actor, world)
        await uow.commit()  # a door keeps the refusal's audit row
    rows = world.store.state.audit[before:]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row.actor_person_id == actor.person_id
    if Role.MEMBER in actor.roles:
        assert row.action in _refusal_of_non_staff(case.refused)
    else:
        assert (row.action, row.subject) == (case.refused, case.subject(world))


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("action", list(LISTED))
async def test_a_list_shows_centre_As_item_only_in_scope(who: str, action: str):
    world = await _world()
    actor = await _actor(world, who)
    case = LISTED[action]
    async with world.store.uow() as uow:
        if Role.MEMBER in actor.roles:
            before = len(world.store.state.audit)
            with pytest.raises(PermissionDenied):
                await case.seen(uow, actor, world)
            await uow.commit()
            assert [r.action for r in world.store.state.audit[before:]] == [case.refused]
            return
        assert await case.seen(uow, actor, world) is (who in OF_A)


@pytest.mark.parametrize("who", ["staff of B", "staff of no centre"])
async def test_a_staff_member_out_of_scope_learns_no_more_from_a_forged_id_than_from_a_real_one(
    who: str,
):
    world = await _world()
    actor = await _actor(world, who)
    answers = []
    for request_id in (world.request_id, world.request_id + 100):
        async with world.store.uow() as uow:
            with pytest.raises(PermissionDenied) as refused:
                await rq.detail(uow, actor, request_id, NOW)
            answers.append(str(refused.value))
    assert answers[0] == answers[1]


async def test_a_shift_given_up_at_a_centre_is_told_to_the_staff_whose_scope_covers_it():
    world = await _world()
    names = [name for name in ACTORS if name not in {"admin", "member of A"}]
    ids = {name: (await _actor(world, name)).person_id for name in names}
    async with world.store.uow() as uow:
        told = {p.id for p in await shift_swaps.coordinators(uow, _a(world))}
    # The admin of this world has no staff role (and so no staff's notices), as before.
    assert told == {ids[name] for name in OF_A - {"admin"}}
