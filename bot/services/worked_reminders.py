"""The evening-after reminder's choice of whom to ask: "you worked this shift: as planned?".

Each evening (`bot.domain.reminders.plan_worked_reminder`) the people whose shifts ended since
the evening before, and who have reported none of them yet, are asked with one "worked as
planned" button per shift (the same button as on My shifts, `bot.dialogs.hours.AsPlanned`), so
that the most common report of all is one tap and a Send. Those who turned shift reminders off
(all of them, or that weekday's) are not asked; staff are not, they do not report hours.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.coop import Shift
from bot.domain.reminders import ReminderPrefs, worked_window
from bot.ports.store import UnitOfWork
from bot.services.hours import MAY_REPORT


async def unreported_by_person(
    uow: UnitOfWork, day: date, hour: int, tz: ZoneInfo
) -> dict[int, list[Shift]]:
    """Person id -> their shifts that ended in the reminder's window with no pending or
    approved report of the shift's day, centre and kind, earliest first."""
    start, end = worked_window(day, hour, tz)
    ended: dict[int, list[Shift]] = {}
    for centre in await uow.centres.all():
        # A shift that ends in the window began at most a day before it (shifts are shorter).
        for shift in await uow.shift_swaps.at_centre(centre.id, start - timedelta(days=1), end):
            if start <= shift.ends_at < end:
                for person_id in shift.assigned:
                    ended.setdefault(person_id, []).append(shift)
    prefs = await uow.reminders.prefs_of(list(ended))
    wanted: dict[int, list[Shift]] = {}
    for person_id in sorted(ended):
        person = await uow.people.get(person_id)
        if person is None or not MAY_REPORT & person.roles:
            continue
        shifts = [s for s in ended[person_id] if _wants(prefs.get(person_id), s, tz)]
        unreported = await _unreported(uow, person_id, shifts, tz)
        if unreported:
            wanted[person_id] = sorted(unreported, key=lambda s: (s.starts_at, s.id))
    return wanted


def _wants(choice: ReminderPrefs | None, shift: Shift, tz: ZoneInfo) -> bool:
    return choice is None or choice.wants_shift_reminder(shift.starts_at.astimezone(tz).date())


async def _unreported(
    uow: UnitOfWork, person_id: int, shifts: list[Shift], tz: ZoneInfo
) -> list[Shift]:
    if not shifts:
        return []
    days = [s.starts_at.astimezone(tz).date() for s in shifts]
    reports = await uow.hours.for_person(person_id, min(days), max(days) + timedelta(days=1))
    reported = {(r.day, r.centre_id, r.kind) for r in reports if r.is_active}
    return [
        s for s, day in zip(shifts, days, strict=True) if (day, s.centre_id, s.kind) not in reported
    ]
