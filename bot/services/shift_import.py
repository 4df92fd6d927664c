"""Use case: staff import shifts from a CSV file (`kyodo shifts import FILE`).

Rows are first read (bot.domain.shift_csv), then checked against the store: the centre by its
Japanese or English name, members by Telegram id (members, or volunteers on a volunteers' shift),
no duplicate of a shift already there or earlier in the file, nobody booked twice at once. A file
with any broken row imports nothing, unless the good rows only are asked for; a dry run writes
nothing at all. The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import csv_rows, shift_csv
from bot.domain.coop import BusinessCentre, NewShift, WorkKind
from bot.domain.csv_rows import LineError
from bot.domain.errors import InvalidInput
from bot.domain.people import Actor, Person, Role
from bot.domain.shift_csv import ShiftLine
from bot.ports.store import UnitOfWork
from bot.services import access


@dataclass
class ImportReport:
    good: list[ShiftLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    imported: int = 0  # shifts written (0 for a dry run or a refused file)


def _centre_index(centres: list[BusinessCentre]) -> dict[str, BusinessCentre]:
    index: dict[str, BusinessCentre] = {}
    for centre in centres:
        for name in (centre.name_ja, centre.name_en):
            index.setdefault(csv_rows.normalise(name).casefold(), centre)
    return index


async def _check(
    uow: UnitOfWork,
    line: ShiftLine,
    centre: BusinessCentre,
    seen: set[tuple[int, datetime, datetime, WorkKind]],
    booked: dict[int, list[tuple[datetime, datetime]]],
) -> list[Person]:
    key = (centre.id, line.starts_at, line.ends_at, line.kind)
    existing = await uow.shift_swaps.at_centre(centre.id, line.starts_at, line.ends_at)
    if key in seen or any(
        (s.starts_at, s.ends_at, s.kind) == (line.starts_at, line.ends_at, line.kind)
        for s in existing
    ):
        raise InvalidInput("duplicate")
    people = []
    for telegram_id in line.members:
        person = await uow.people.by_telegram_id(telegram_id)
        allowed = {Role.MEMBER} | ({Role.VOLUNTEER} if line.for_volunteers else set())
        if person is None or not person.roles & allowed:
            raise InvalidInput("unknown_member", member=telegram_id)
        times = booked.get(person.id, [])
        if any(s < line.ends_at and line.starts_at < e for s, e in times) or (
            await uow.shift_swaps.overlapping(person.id, line.starts_at, line.ends_at)
        ):
            raise InvalidInput("member_busy", member=telegram_id)
        people.append(person)
    return people


async def import_shifts(
    uow: UnitOfWork,
    actor: Actor,
    data: bytes,
    now: datetime,
    tz: ZoneInfo,
    *,
    kind_names: Mapping[str, WorkKind] | None = None,
    dry_run: bool = False,
    good_rows_only: bool = False,
) -> ImportReport:
    """Raises InvalidInput for a file that cannot be read at all (encoding, header)."""
    if not actor.is_staff:
        await access.refuse(uow, actor, now, "shifts.import_refused", "shifts")
    lines, errors = shift_csv.parse(csv_rows.decode(data), tz, kind_names)
    report = ImportReport(errors=list(errors))
    centres = _centre_index(list(await uow.centres.all()))
    seen: set[tuple[int, datetime, datetime, WorkKind]] = set()
    booked: dict[int, list[tuple[datetime, datetime]]] = {}
    planned: list[tuple[ShiftLine, BusinessCentre, list[Person]]] = []
    for line in lines:
        centre = centres.get(line.centre.casefold())
        try:
            if centre is None:
                raise InvalidInput("unknown_centre")
            if not centre.is_open:
                raise InvalidInput("centre_closed")
            if line.starts_at <= now:
                raise InvalidInput("in_the_past")
            people = await _check(uow, line, centre, seen, booked)
        except InvalidInput as error:
            report.errors.append(LineError(line.line, error.code))
            continue
        seen.add((centre.id, line.starts_at, line.ends_at, line.kind))
        for person in people:
            booked.setdefault(person.id, []).append((line.starts_at, line.ends_at))
        planned.append((line, centre, people))
        report.good.append(line)
    report.errors.sort(key=lambda e: e.line)
    if dry_run or (report.errors and not good_rows_only):
        return report
    for line, centre, people in planned:
        shift = await uow.shifts.add(
            NewShift(
                centre.id,
                line.starts_at,
                line.ends_at,
                line.kind,
                line.capacity,
                for_volunteers=line.for_volunteers,
            )
        )
        for person in people:
            await uow.shifts.assign(shift.id, person.id)
        report.imported += 1
    await uow.audit.add(
        now,
        actor.person_id,
        "shifts.imported",
        "shifts",
        {"imported": report.imported, "broken": len(report.errors)},
    )
    return report
