"""Use cases of the co-op's setup: its business centres created, renamed, described (phone,
kinds of work, service areas), closed, and imported from a CSV file.

Staff may read the list (closed centres too); only admins change it (`MAY_CHANGE`). Every change
is audited; a refusal is audited by bot.services.access. A closed centre is kept for the history
of its shifts, hours and requests, but `open_centres` no longer offers it for anything new.
Names are unique in each language (case and width folded), so that a shift or member import can
find a centre by either name. A centre row may be a head office (本部/事務局), and a centre may
belong to one open office (`set_office`); an office belongs to none (one level), and its staff
act for its centres too (bot.services.access.scope_of). The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain import centre_csv, csv_rows
from bot.domain.centre_csv import CentreFields, CentreLine
from bot.domain.contact import OfficeHours
from bot.domain.coop import BusinessCentre, WorkKind
from bot.domain.csv_rows import LineError
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.people import STAFF_ROLES, Actor, Role
from bot.ports.store import UnitOfWork
from bot.services import access

# Setting up the co-op's centres is an admin's task (the co-op has no coordinator role yet).
MAY_CHANGE: frozenset[Role] = frozenset({Role.ADMIN})


@dataclass
class CentreImportReport:
    good: list[CentreLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    imported: int = 0  # centres written (0 for a dry run or a refused file)


def _key(name: str) -> str:
    return csv_rows.normalise(name).casefold()


async def _require(uow: UnitOfWork, actor: Actor, now: datetime, roles: frozenset[Role]) -> None:
    # The shell acts as an admin without a person row, so a role is enough here.
    if not actor.has_any(roles):
        await access.refuse(uow, actor, now, "centres.refused", "centres")


async def listing(uow: UnitOfWork, actor: Actor, now: datetime) -> list[BusinessCentre]:
    """Every centre, closed ones too, by id; for staff only."""
    await _require(uow, actor, now, STAFF_ROLES)
    return list(await uow.centres.all())


async def open_centres(uow: UnitOfWork) -> list[BusinessCentre]:
    """The centres to offer for something new (a shift, hours, a request), by id."""
    return [centre for centre in await uow.centres.all() if centre.is_open]


def _check_names(
    centres: list[BusinessCentre], name_ja: str, name_en: str, but: int | None = None
) -> None:
    taken = {
        _key(name)
        for centre in centres
        if centre.id != but
        for name in (centre.name_ja, centre.name_en)
    }
    if _key(name_ja) in taken or _key(name_en) in taken:
        raise InvalidInput("name_taken")


async def _get(uow: UnitOfWork, centre_id: int) -> BusinessCentre:
    centre = await uow.centres.get(centre_id)
    if centre is None:
        raise NotFound("centre")
    return centre


async def _audit(uow: UnitOfWork, actor: Actor, now: datetime, action: str, centre_id: int) -> None:
    await uow.audit.add(now, actor.person_id, action, f"centre:{centre_id}")


async def add(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    fields: CentreFields,
    *,
    office_id: int | None = None,
) -> BusinessCentre:
    """A new open centre (an office if `fields.is_office`), belonging to `office_id` if given.
    InvalidInput: name_taken if either name is already a centre's; office_of_office for an office
    given an office; not_an_office for an id that is no open office."""
    await _require(uow, actor, now, MAY_CHANGE)
    known = list(await uow.centres.all())
    _check_names(known, fields.name_ja, fields.name_en)
    if office_id is not None:
        if fields.is_office:
            raise InvalidInput("office_of_office")
        _check_office({c.id: c for c in known}, office_id)
    centre = await _write(uow, fields, office_id)
    await _audit(uow, actor, now, "centre.created", centre.id)
    return centre


async def _write(
    uow: UnitOfWork, fields: CentreFields, office_id: int | None = None
) -> BusinessCentre:
    added = await uow.centres.add(fields.name_ja, fields.name_en)
    centre = replace(
        added,
        phone=fields.phone,
        kinds=fields.kinds,
        areas=fields.areas,
        is_office=fields.is_office,
        office_id=office_id,
    )
    await uow.centres.update(centre)
    return centre


def _check_office(centres: Mapping[int, BusinessCentre], office_id: int) -> None:
    office = centres.get(office_id)
    if office is None or not office.is_office or not office.is_open:
        raise InvalidInput("not_an_office")


async def set_office(
    uow: UnitOfWork, actor: Actor, now: datetime, centre_id: int, office_id: int | None
) -> BusinessCentre:
    """The centre belongs to the open office `office_id` from now on (None: to no office).
    InvalidInput: office_of_office for an office, not_an_office for an id that is no open
    office. Audited as `centre.office_set` with the office's id (or null)."""
    await _require(uow, actor, now, MAY_CHANGE)
    centre = await _get(uow, centre_id)
    if centre.office_id == office_id:
        return centre  # unchanged (a closed office a centre still has is kept)
    if office_id is not None:
        if centre.is_office:
            raise InvalidInput("office_of_office")
        _check_office({c.id: c for c in await uow.centres.all()}, office_id)
    moved = replace(centre, office_id=office_id)
    await uow.centres.update(moved)
    await uow.audit.add(
        now, actor.person_id, "centre.office_set", f"centre:{centre_id}", {"office": office_id}
    )
    return moved


async def rename(
    uow: UnitOfWork, actor: Actor, now: datetime, centre_id: int, name_ja: str, name_en: str
) -> BusinessCentre:
    await _require(uow, actor, now, MAY_CHANGE)
    centre = await _get(uow, centre_id)
    name_ja, name_en = centre_csv.parse_name(name_ja), centre_csv.parse_name(name_en)
    _check_names(list(await uow.centres.all()), name_ja, name_en, but=centre_id)
    renamed = replace(centre, name_ja=name_ja, name_en=name_en)
    await uow.centres.update(renamed)
    await _audit(uow, actor, now, "centre.renamed", centre_id)
    return renamed


async def describe(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    centre_id: int,
    *,
    phone: str | None,
    kinds: frozenset[WorkKind],
    areas: tuple[str, ...],
    office_hours: tuple[OfficeHours, ...] | None = None,
) -> BusinessCentre:
    """Sets a centre's phone number, kinds of work and service areas (already parsed), and its
    office hours when given (None: as they were; the CSV import has no column for them)."""
    await _require(uow, actor, now, MAY_CHANGE)
    centre = replace(await _get(uow, centre_id), phone=phone, kinds=kinds, areas=areas)
    if office_hours is not None:
        centre = replace(centre, office_hours=office_hours)
    await uow.centres.update(centre)
    await _audit(uow, actor, now, "centre.described", centre_id)
    return centre


async def close(uow: UnitOfWork, actor: Actor, now: datetime, centre_id: int) -> BusinessCentre:
    """Closes an open centre; InvalidInput("already_closed") for a closed one."""
    await _require(uow, actor, now, MAY_CHANGE)
    centre = await _get(uow, centre_id)
    if not centre.is_open:
        raise InvalidInput("already_closed")
    closed = replace(centre, closed_at=now)
    await uow.centres.update(closed)
    await _audit(uow, actor, now, "centre.closed", centre_id)
    return closed


async def import_centres(
    uow: UnitOfWork,
    actor: Actor,
    data: bytes,
    now: datetime,
    *,
    kind_names: Mapping[str, WorkKind] | None = None,
    dry_run: bool = False,
) -> CentreImportReport:
    """All or nothing: a file with any broken row (or a name already taken, in the store or
    earlier in the file, or an `office` that is no office of the store or the file) imports
    nothing. Offices are written first, so a centre may name an office further down the file.
    Raises InvalidInput for a file that cannot be read."""
    await _require(uow, actor, now, MAY_CHANGE)
    lines, errors = centre_csv.parse(csv_rows.decode(data), kind_names)
    report = CentreImportReport(errors=list(errors))
    known = list(await uow.centres.all())
    # An office by either name: the store's open offices, and the file's (written below).
    offices: dict[str, BusinessCentre | None] = {
        _key(name): centre
        for centre in known
        if centre.is_office and centre.is_open
        for name in (centre.name_ja, centre.name_en)
    }
    for line in lines:
        if line.fields.is_office:
            offices.setdefault(_key(line.fields.name_ja), None)
            offices.setdefault(_key(line.fields.name_en), None)
    seen: set[str] = set()
    for line in lines:
        names = {_key(line.fields.name_ja), _key(line.fields.name_en)}
        try:
            _check_names(known, line.fields.name_ja, line.fields.name_en)
            if names & seen:
                raise InvalidInput("duplicate")
            if line.fields.office is not None and _key(line.fields.office) not in offices:
                raise InvalidInput("not_an_office")
        except InvalidInput as error:
            report.errors.append(LineError(line.line, error.code))
            continue
        seen |= names
        report.good.append(line)
    report.errors.sort(key=lambda e: e.line)
    if dry_run or report.errors:
        return report
    written: dict[str, int] = {}
    for line in sorted(report.good, key=lambda one: not one.fields.is_office):
        office = line.fields.office
        office_id = None
        if office is not None:
            in_store = offices[_key(office)]
            office_id = in_store.id if in_store is not None else written[_key(office)]
        centre = await _write(uow, line.fields, office_id)
        if centre.is_office:
            written[_key(centre.name_ja)] = written[_key(centre.name_en)] = centre.id
        report.imported += 1
    await uow.audit.add(
        now, actor.person_id, "centres.imported", "centres", {"imported": report.imported}
    )
    return report
