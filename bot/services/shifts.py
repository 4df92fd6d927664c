"""Staff plan shifts: a centre's week, create and edit a shift, put members on it and take them
off (the desk's shifts pages call these).

A module of its own rather than part of `bot.services.shift_swaps` or `bot.services.coop`: those
are what members do with their own shifts (give a place up, take an open one, see their week and
colleagues), with members' rules (only one's own place, only an open shift); this is the staff's
plan, with staff's rules (any member, capacity, no overlap). Importing a CSV file of shifts is
`bot.services.shift_import`, as from the shell.

Staff only; a refusal, or an id that does not exist, is audited alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.coop import BusinessCentre, NewShift, Shift, WorkKind
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.people import Actor, Person, Role
from bot.ports.store import UnitOfWork
from bot.services import access

MAX_CAPACITY = 100


@dataclass(frozen=True)
class ShiftDetail:
    shift: Shift
    centre: BusinessCentre
    people: list[Person]  # on the shift, by id

    @property
    def understaffed(self) -> bool:
        return len(self.shift.assigned) < self.shift.capacity


async def _centre(uow: UnitOfWork, centre_id: int) -> BusinessCentre:
    for centre in await uow.centres.all():
        if centre.id == centre_id:
            return centre
    raise InvalidInput("unknown_centre")


async def _detail(uow: UnitOfWork, shift: Shift) -> ShiftDetail:
    people = list(await uow.shifts.on_shift(shift.id))
    return ShiftDetail(shift, await _centre(uow, shift.centre_id), people)


async def week(
    uow: UnitOfWork, actor: Actor, centre_id: int, start: datetime, end: datetime, now: datetime
) -> list[ShiftDetail]:
    """The centre's shifts starting in [start, end), earliest first, with who is on each."""
    await _require_centre(uow, actor, centre_id, now)
    await _centre(uow, centre_id)
    return [await _detail(uow, s) for s in await uow.shift_swaps.at_centre(centre_id, start, end)]


async def _require_centre(uow: UnitOfWork, actor: Actor, centre_id: int, now: datetime) -> None:
    """Staff plan the shifts of centres in their scope (bot.services.access); audited if not."""
    await access.require_staff(uow, actor, now, refused="desk.shifts_refused")
    await access.require_in_scope(
        uow, actor, now, centre_id, refused="desk.shifts_refused", subject=f"centre:{centre_id}"
    )


async def shift(uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime) -> ShiftDetail:
    await access.require_staff(uow, actor, now, refused="desk.shifts_refused")
    found = await uow.shifts.get(shift_id)
    if found is None:
        await access.refuse(uow, actor, now, "desk.shift_refused", f"shift:{shift_id}")
    await access.require_in_scope(
        uow, actor, now, found.centre_id, refused="desk.shift_refused", subject=f"shift:{shift_id}"
    )
    return await _detail(uow, found)


def _check(starts_at: datetime, ends_at: datetime, capacity: int) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("end_before_start")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput("bad_capacity")


async def create_shift(uow: UnitOfWork, actor: Actor, draft: NewShift, now: datetime) -> Shift:
    """Errors: unknown_centre, end_before_start, bad_capacity, in_the_past."""
    await _require_centre(uow, actor, draft.centre_id, now)
    if not (await _centre(uow, draft.centre_id)).is_open:
        raise InvalidInput("unknown_centre")  # a closed centre gets no new shift
    if draft.starts_at <= now:
        raise InvalidInput("in_the_past")
    created = await uow.shifts.add(draft)
    await uow.audit.add(now, actor.person_id, "shift.created", f"shift:{created.id}")
    return created


async def edit_shift(
    uow: UnitOfWork,
    actor: Actor,
    shift_id: int,
    *,
    centre_id: int,
    starts_at: datetime,
    ends_at: datetime,
    kind: WorkKind,
    capacity: int,
    for_volunteers: bool,
    now: datetime,
) -> Shift:
    """Errors: those of create_shift, and capacity_below_assigned."""
    current = (await shift(uow, actor, shift_id, now)).shift
    await _require_centre(uow, actor, centre_id, now)  # moved to another centre: theirs too
    await _centre(uow, centre_id)
    _check(starts_at, ends_at, capacity)
    if capacity < len(current.assigned):
        raise InvalidInput("capacity_below_assigned", assigned=len(current.assigned))
    edited = replace(
        current,
        centre_id=centre_id,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=WorkKind(kind),
        capacity=capacity,
        for_volunteers=for_volunteers,
    )
    await uow.shifts.update(edited)
    await uow.audit.add(now, actor.person_id, "shift.edited", f"shift:{shift_id}")
    return edited


async def assign(
    uow: UnitOfWork, actor: Actor, shift_id: int, person_id: int, now: datetime
) -> ShiftDetail:
    """Puts a member (or a volunteer, on a volunteers' shift) on it.
    Errors: unknown_member, shift_full, member_busy, already_on_shift."""
    current = (await shift(uow, actor, shift_id, now)).shift
    person = await uow.people.get(person_id)
    allowed = {Role.MEMBER} | ({Role.VOLUNTEER} if current.for_volunteers else set())
    if person is None or not person.roles & allowed:
        raise InvalidInput("unknown_member")
    if person.id in current.assigned:
        raise DomainError("already_on_shift")
    if current.free_places < 1:
        raise DomainError("shift_full")
    if await uow.shift_swaps.overlapping(person.id, current.starts_at, current.ends_at):
        raise DomainError("member_busy")
    await uow.shifts.assign(shift_id, person.id)
    await uow.audit.add(
        now, actor.person_id, "shift.assigned", f"shift:{shift_id}", {"person": person.id}
    )
    return await shift(uow, actor, shift_id, now)


async def unassign(
    uow: UnitOfWork, actor: Actor, shift_id: int, person_id: int, now: datetime
) -> ShiftDetail:
    await shift(uow, actor, shift_id, now)
    if await uow.shift_swaps.unassign(shift_id, person_id):
        await uow.audit.add(
            now, actor.person_id, "shift.unassigned", f"shift:{shift_id}", {"person": person_id}
        )
    return await shift(uow, actor, shift_id, now)


async def candidates(uow: UnitOfWork, actor: Actor, centre_id: int, now: datetime) -> list[Person]:
    """Who usually works at the centre: the first names offered when assigning."""
    await _require_centre(uow, actor, centre_id, now)
    return list(await uow.shift_swaps.centre_workers(centre_id))
