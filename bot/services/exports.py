"""Use case: a month's hours for payroll, as `kyodo export hours` and the desk export them.

Only staff export (the file holds every member's name and hours), and each export is written to
the audit log with what was asked and how many lines it had, never with the data itself.
A staff member of some centres exports those centres' lines only, and asking for another
centre is refused and audited (bot.services.access); admins and coordinators export all.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.domain.errors import NotFound, PermissionDenied
from bot.domain.exports import (
    ExportFile,
    ExportFormat,
    HoursExport,
    HoursQuery,
    Label,
    render,
)
from bot.domain.people import Actor
from bot.ports.store import UnitOfWork
from bot.services import access


async def hours_export(
    uow: UnitOfWork, actor: Actor, query: HoursQuery, now: datetime
) -> HoursExport:
    """The month's lines; audited. Refuses non-staff (audited too) and an unknown centre."""
    if not actor.is_staff:
        await uow.audit.add(now, actor.person_id, "export.refused", f"hours:{query.month:%Y-%m}")
        await uow.commit()
        raise PermissionDenied()
    centres = await uow.centres.all()
    if query.centre_id is not None and all(c.id != query.centre_id for c in centres):
        raise NotFound("export_centre")
    scope = await access.scope_of(uow, actor)
    if query.centre_id is not None and not scope.covers(query.centre_id):
        try:
            await access.refuse(uow, actor, now, "export.refused", f"hours:{query.month:%Y-%m}")
        finally:
            await uow.commit()  # the refusal is kept, whatever the door does next
    lines = [line for line in await uow.exports.hours(query) if scope.covers(line.centre_id)]
    if scope.centres is not None:
        centres = [c for c in centres if c.id in scope.centres]
    details: dict[str, object] = {
        "month": f"{query.month:%Y-%m}",
        "centre": query.centre_id,
        "scope": query.scope.value,
        "lines": len(lines),
    }
    if scope.centres is not None:
        details["centres"] = sorted(scope.centres)  # what a centre's staff member could see
    await uow.audit.add(now, actor.person_id, "export.hours", "hours", details)
    await uow.commit()
    return HoursExport(query=query, lines=lines, centres=centres)


async def hours_file(
    export: HoursExport, fmt: ExportFormat, label: Label, locale: str
) -> ExportFile:
    """The export as a file in `fmt`, headings in `locale` (`label` translates a key).

    Call it after the unit of work is closed: an xlsx of 6,000 lines is about a second of CPU,
    which must neither hold SQLite's write lock nor stall the event loop that serves the bot, so
    it runs in a worker thread.
    """
    return await asyncio.to_thread(render, export, fmt, label, locale)
