"""The audit log read back: staff search it (the desk's audit page) by the person it concerns,
who acted, the action (exact, or a prefix such as `hours.`) and a time window, newest first.

Entries are written where things happen (`uow.audit.add`; refusals by `bot.services.access`);
this module only reads them. Staff only; a refusal is audited like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.audit import AuditEntry, AuditQuery
from bot.domain.people import Actor, Person
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.paging import PAGE, Page


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    actor: Person | None


async def search(
    uow: UnitOfWork,
    actor: Actor,
    query: AuditQuery,
    now: datetime,
    *,
    before: int | None = None,
    limit: int = PAGE,
) -> Page[AuditLine]:
    """The audit log, newest first, narrowed by the query; a page of entries older than the
    entry id `before` (the newest when None)."""
    await access.require_staff(uow, actor, now, refused="desk.audit_refused")
    entries = list(await uow.audit.search(query, before, limit + 1))
    people: dict[int, Person | None] = {}
    lines = []
    for entry in entries[:limit]:
        who = entry.actor_person_id
        if who is not None and who not in people:
            people[who] = await uow.people.get(who)
        lines.append(AuditLine(entry, people.get(who) if who is not None else None))
    more = entries[limit - 1].id if len(entries) > limit else None
    return Page(lines, more)
