"""Read-only use cases of the co-op's working life: its centres, my shifts, who else works one,
assemblies.

Members and staff may look; everyone else is refused, and the refusal is audited. A shift's
colleagues are shown only to the people on that shift and to staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.coop import Assembly, BusinessCentre, Shift
from bot.domain.people import Actor, Person, Role
from bot.ports.store import UnitOfWork
from bot.services import access

MAY_SEE_WORK: frozenset[Role] = frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})
# Volunteers see the slots they took (to give one up), but not the members' assemblies.
MAY_SEE_SHIFTS: frozenset[Role] = MAY_SEE_WORK | {Role.VOLUNTEER}


@dataclass(frozen=True)
class ShiftView:
    """A shift with its centre, as lists show it."""

    shift: Shift
    centre: BusinessCentre


async def centres(uow: UnitOfWork) -> list[BusinessCentre]:
    """The co-op's business centres, by id, as filters and forms offer them (names only: no
    check, no audit)."""
    return list(await uow.centres.all())


async def _views(uow: UnitOfWork, shifts: Sequence[Shift]) -> list[ShiftView]:
    centres = {centre.id: centre for centre in await uow.centres.all()}
    return [ShiftView(shift, centres[shift.centre_id]) for shift in shifts]


async def my_shifts(
    uow: UnitOfWork, actor: Actor, start: datetime, end: datetime, now: datetime
) -> list[ShiftView]:
    """The actor's shifts starting in [start, end), earliest first."""
    person_id = await access.require(uow, actor, now, MAY_SEE_SHIFTS, refused="shifts.refused")
    return await _views(uow, await uow.shifts.for_person(person_id, start, end))


async def shift_colleagues(
    uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime
) -> tuple[ShiftView, list[Person]]:
    """The shift and everyone else on it; only for the people on it and staff.

    An unknown shift id is refused like someone else's shift: a forged id learns nothing.
    """
    await access.require(uow, actor, now, MAY_SEE_SHIFTS, refused="shifts.refused")
    shift = await uow.shifts.get(shift_id)
    if shift is None or not (shift.is_assigned(actor.person_id) or actor.is_staff):
        await access.refuse(uow, actor, now, "shift.refused", f"shift:{shift_id}")
    others = [p for p in await uow.shifts.on_shift(shift_id) if p.id != actor.person_id]
    return (await _views(uow, [shift]))[0], others


async def upcoming_assemblies(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 5
) -> Sequence[Assembly]:
    await access.require(uow, actor, now, MAY_SEE_WORK, refused="assemblies.refused")
    return await uow.assemblies.upcoming(now, limit)
