"""Use cases the staff web desk adds to the core: its queues' pages and counts, and the audit
log's search. Decisions themselves (approve, reject, check in...) stay with the services the
Telegram buttons call, so a click on the desk and a tap in Telegram do exactly the same thing.

Every function checks that the actor is staff first; a refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from bot.domain.coop import BusinessCentre
from bot.domain.desk import AuditEntry, AuditQuery
from bot.domain.people import Actor, Person
from bot.domain.requests import OPEN
from bot.ports.store import UnitOfWork
from bot.services import access, hours, requests
from bot.services.hours import ReportView

T = TypeVar("T")
COUNT_CAP = 100
PAGE = 25  # rows per page on every list: short enough to read on a tablet


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: int | None  # the cursor of the next page, None on the last


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    actor: Person | None


async def centres(uow: UnitOfWork) -> list[BusinessCentre]:
    return list(await uow.centres.all())


async def pending_hours(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    centre_id: int | None = None,
    after: int = 0,
    limit: int = PAGE,
) -> Page[ReportView]:
    """The review queue's page the desk shows: the same service function as the Telegram
    review list (`bot.services.hours.waiting_for_review`)."""
    views, more = await hours.waiting_for_review(
        uow, actor, now, centre_id=centre_id, after=after, limit=limit, refused="desk.hours_refused"
    )
    return Page(views, more)


async def counts(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[str, int]:
    """What the navigation shows beside each queue."""
    staff_id = await access.require_staff(uow, actor, now, refused="desk.counts_refused")
    by_status = await requests.counts(uow, actor, now)
    return {
        "hours": await uow.desk.count_pending_hours(None, staff_id),
        "requests": sum(n for status, n in by_status.items() if status in OPEN),
        # The applications' store has no count: a queue of volunteers is short, 100 at most.
        "volunteers": len(await uow.volunteers.pending(COUNT_CAP)),
    }


async def count_hours(uow: UnitOfWork, actor: Actor, now: datetime, centre_id: int | None) -> int:
    staff_id = await access.require_staff(uow, actor, now, refused="desk.hours_refused")
    return await uow.desk.count_pending_hours(centre_id, staff_id)


async def audit_log(
    uow: UnitOfWork,
    actor: Actor,
    query: AuditQuery,
    now: datetime,
    *,
    before: int | None = None,
    limit: int = PAGE,
) -> Page[AuditLine]:
    """The audit log, newest first, narrowed by the query."""
    await access.require_staff(uow, actor, now, refused="desk.audit_refused")
    entries = list(await uow.desk.audit(query, before, limit + 1))
    people: dict[int, Person | None] = {}
    lines = []
    for entry in entries[:limit]:
        who = entry.actor_person_id
        if who is not None and who not in people:
            people[who] = await uow.people.get(who)
        lines.append(AuditLine(entry, people.get(who) if who is not None else None))
    more = entries[limit - 1].id if len(entries) > limit else None
    return Page(lines, more)
