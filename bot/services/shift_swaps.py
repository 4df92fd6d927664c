"""Use cases of giving up and taking shifts, open shifts, and the calendar feed of one's shifts.

"I can't make it" is confirmed first (`preview_release` says who will be told), then releases
the member's place and records `ShiftReleased`: its consequences (`bot.notices.shifts`) tell the
coordinators (staff) and offer the place to the centre's other workers once the undo window is
over (`bot.domain.undo`), unless `undo_release` put the member back first; a reason given
after it (`ShiftReasonGiven`) and a place taken (`ShiftTaken`) reach the coordinators the same
way. Taking a place is first come, first served: the store decides under a lock on the shift,
so two people cannot both get the last place. Every shift id arrives from a button, so an
unknown or someone else's shift is refused and audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.audit import AuditQuery
from bot.domain.coop import Shift
from bot.domain.errors import DomainError
from bot.domain.events import ActionUndone, ShiftReasonGiven, ShiftReleased, ShiftTaken
from bot.domain.people import Actor, Person, Role
from bot.domain.shift_swaps import MAX_REASON_LENGTH, ShiftRelease, TakeOutcome
from bot.domain.undo import UndoKind, may_undo
from bot.ports.store import UnitOfWork
from bot.services import access, memberships
from bot.services.coop import ShiftView

OPEN_WINDOW = timedelta(days=14)
FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=92)
_WORKERS: frozenset[Role] = frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})
# Who may list, release and take shifts (volunteers: those marked for volunteers).
_MAY_SWAP: frozenset[Role] = _WORKERS | {Role.VOLUNTEER}


@dataclass(frozen=True)
class Released:
    view: ShiftView
    release: ShiftRelease


@dataclass(frozen=True)
class Taken:
    view: ShiftView
    release: ShiftRelease | None  # the release whose place this was, if any


def may_take(actor: Actor | Person, shift: Shift) -> bool:
    """Members (and staff) may work any shift; volunteers those marked for volunteers."""
    return bool(actor.roles & _WORKERS) or (shift.for_volunteers and Role.VOLUNTEER in actor.roles)


async def view_of(uow: UnitOfWork, shift: Shift) -> ShiftView:
    centres = {centre.id: centre for centre in await uow.centres.all()}
    return ShiftView(shift, centres[shift.centre_id])


async def coordinators(uow: UnitOfWork, centre_id: int) -> list[Person]:
    """Who hears of released and taken shifts at a centre: the staff whose scope covers it
    (its own staff, and coordinators; bot.services.access)."""
    return [
        p
        for p in await memberships.staff_for(uow, centre_id)
        if Role.STAFF in p.roles and p.telegram_user_id is not None
    ]


async def release_shift(uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime) -> Released:
    """Takes the actor off a shift that has not started. Errors: shift_started."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    shift = await uow.shifts.get(shift_id)
    if shift is None or not shift.is_assigned(person_id):
        await access.refuse(uow, actor, now, "shift.refused", f"shift:{shift_id}")
    if shift.starts_at <= now:
        raise DomainError("shift_started")
    await uow.shift_swaps.unassign(shift_id, person_id)
    release = await uow.shift_swaps.add_release(shift_id, person_id, now)
    await uow.audit.add(now, person_id, "shift.released", f"shift:{shift_id}")
    after = await uow.shifts.get(shift_id)
    assert after is not None  # noqa: S101 -- read above in this transaction
    uow.record(ShiftReleased(at=now, release_id=release.id, shift_id=shift_id, person_id=person_id))
    return Released(await view_of(uow, after), release)


@dataclass(frozen=True)
class ReleasePreview:
    """What "I can't make it" would do, shown before it is done: who would be told."""

    view: ShiftView
    coordinators: int
    offered: int


async def preview_release(
    uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime
) -> ReleasePreview:
    """The shift the actor would give up and who would hear of it. Errors: shift_started."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    shift = await uow.shifts.get(shift_id)
    if shift is None or not shift.is_assigned(person_id):
        await access.refuse(uow, actor, now, "shift.refused", f"shift:{shift_id}")
    if shift.starts_at <= now:
        raise DomainError("shift_started")
    offered = await offered_to(uow, shift, person_id)
    staff = [p for p in await coordinators(uow, shift.centre_id) if p.id != person_id]
    return ReleasePreview(await view_of(uow, shift), len(staff), len(offered))


async def undo_release(uow: UnitOfWork, actor: Actor, release_id: int, now: datetime) -> ShiftView:
    """Puts the actor back on the shift they gave up, within the undo window and while nobody
    took the place; nobody is told of the release (`ActionUndone` withdraws its notices).

    Errors: undo_expired, undo_taken, shift_started."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    release = await uow.shift_swaps.get_release(release_id)
    if release is None or release.person_id != person_id:
        await access.refuse(uow, actor, now, "shift.refused", f"release:{release_id}")
    if release.taken_by is not None:
        raise DomainError("undo_taken")
    if not may_undo(release.released_at, now):
        raise DomainError("undo_expired")
    shift = await uow.shifts.get(release.shift_id)
    if shift is None or shift.starts_at <= now:
        raise DomainError("shift_started")
    if not await uow.shift_swaps.take_back(release_id):
        raise DomainError("undo_taken")
    await uow.audit.add(now, person_id, "shift.release_undone", f"shift:{release.shift_id}")
    uow.record(
        ActionUndone(at=now, kind=UndoKind.SHIFT_RELEASE, subject=release_id, person_id=person_id)
    )
    after = await uow.shifts.get(release.shift_id)
    assert after is not None  # noqa: S101 -- read above in this transaction
    return await view_of(uow, after)


async def offered_to(uow: UnitOfWork, shift: Shift, released_by: int) -> list[Person]:
    """Who is offered a released place: the centre's other workers who may take it, are free
    at that time and can be reached."""
    offered = []
    for person in await uow.shift_swaps.centre_workers(shift.centre_id):
        if (
            person.id == released_by
            or shift.is_assigned(person.id)
            or person.telegram_user_id is None
            or person.unreachable
            or not may_take(person, shift)
            or await uow.shift_swaps.overlapping(person.id, shift.starts_at, shift.ends_at)
        ):
            continue
        offered.append(person)
    return offered


async def give_reason(
    uow: UnitOfWork, actor: Actor, release_id: int, reason: str, now: datetime
) -> None:
    """Adds the member's reason to their release (the coordinators hear it).

    Errors: reason_too_long."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    release = await uow.shift_swaps.get_release(release_id)
    if release is None or release.person_id != person_id:
        await access.refuse(uow, actor, now, "shift.refused", f"release:{release_id}")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError("reason_too_long", limit=MAX_REASON_LENGTH)
    await uow.shift_swaps.set_reason(release_id, reason)
    uow.record(ShiftReasonGiven(at=now, release_id=release_id))


async def _takeable(
    uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime
) -> tuple[int, Shift]:
    """The actor's person id and the shift, if they may take a place on it (asked and taken
    alike). Errors: shift_started, already_on_shift, shift_overlaps; refused, audited."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    shift = await uow.shifts.get(shift_id)
    if shift is None or not may_take(actor, shift):
        await access.refuse(uow, actor, now, "shift.refused", f"shift:{shift_id}")
    if shift.starts_at <= now:
        raise DomainError("shift_started")
    if shift.is_assigned(person_id):
        raise DomainError("already_on_shift")
    if await uow.shift_swaps.overlapping(person_id, shift.starts_at, shift.ends_at):
        raise DomainError("shift_overlaps")
    return person_id, shift


async def take_shift(uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime) -> Taken:
    """A free place on a shift.

    Errors: shift_started, shift_full, shift_overlaps, already_on_shift.
    """
    person_id, _ = await _takeable(uow, actor, shift_id, now)
    outcome = await uow.shift_swaps.take(shift_id, person_id)
    if outcome is TakeOutcome.ALREADY:
        raise DomainError("already_on_shift")
    if outcome is not TakeOutcome.TAKEN:
        raise DomainError("shift_full")
    release = await uow.shift_swaps.mark_taken(shift_id, person_id, now)
    # The release whose place this took: an undo of the take opens it again.
    details = None if release is None else {"release": release.id}
    await uow.audit.add(now, person_id, "shift.taken", f"shift:{shift_id}", details)
    after = await uow.shifts.get(shift_id)
    assert after is not None  # noqa: S101 -- read above in this transaction
    uow.record(
        ShiftTaken(
            at=now,
            shift_id=shift_id,
            person_id=person_id,
            release_id=None if release is None else release.id,
        )
    )
    return Taken(await view_of(uow, after), release)


async def preview_take(
    uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime
) -> ReleasePreview:
    """The shift the actor would take and who would hear of it (its coordinators), asked before
    it is taken. Errors: as `take_shift`."""
    person_id, shift = await _takeable(uow, actor, shift_id, now)
    if shift.free_places < 1:
        raise DomainError("shift_full")
    staff = [p for p in await coordinators(uow, shift.centre_id) if p.id != person_id]
    return ReleasePreview(await view_of(uow, shift), len(staff), 0)


async def undo_take(uow: UnitOfWork, actor: Actor, shift_id: int, now: datetime) -> ShiftView:
    """Takes the actor off the shift they took, within the undo window and while nothing else
    happened to their place since; the coordinators are never told (`ActionUndone` withdraws the
    held notices) and a release whose place the take filled is open again.

    Errors: undo_expired, undo_acted, undo_already."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    subject = f"shift:{shift_id}"
    # The audit row of the take is its record: when, and which release it filled.
    query = AuditQuery(subject=subject, actor_person_id=person_id, action="shift.")
    latest = await uow.audit.search(query, None, 1)
    if not latest:
        await access.refuse(uow, actor, now, "shift.refused", subject)
    entry = latest[0]
    if entry.action == "shift.take_undone":
        raise DomainError("undo_already")
    if entry.action != "shift.taken":
        raise DomainError("undo_acted")  # released since, or put back by the coordinator
    if not may_undo(entry.at, now):
        raise DomainError("undo_expired")
    shift = await uow.shifts.get(shift_id)
    if shift is None or not shift.is_assigned(person_id) or shift.starts_at <= now:
        raise DomainError("undo_acted")
    await uow.shift_swaps.unassign(shift_id, person_id)
    release_id = (entry.details or {}).get("release")
    if isinstance(release_id, int):
        await uow.shift_swaps.untake(release_id, person_id)
    await uow.audit.add(now, person_id, "shift.take_undone", subject)
    uow.record(
        ActionUndone(at=now, kind=UndoKind.SHIFT_TAKE, subject=shift_id, person_id=person_id)
    )
    after = await uow.shifts.get(shift_id)
    assert after is not None  # noqa: S101 -- read above in this transaction
    return await view_of(uow, after)


async def open_shifts(uow: UnitOfWork, actor: Actor, now: datetime) -> list[ShiftView]:
    """Shifts of the next two weeks with a free place that the actor may take and is not on."""
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    found = await uow.shift_swaps.open_between(now, now + OPEN_WINDOW)
    centres = {centre.id: centre for centre in await uow.centres.all()}
    return [
        ShiftView(s, centres[s.centre_id])
        for s in found
        if may_take(actor, s) and not s.is_assigned(person_id)
    ]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_calendar_token(uow: UnitOfWork, actor: Actor, now: datetime) -> str:
    """A fresh secret for the actor's calendar link; the previous link stops working.

    Only the token's hash is stored, so a leaked database does not leak anyone's calendar.
    """
    person_id = await access.require(uow, actor, now, _MAY_SWAP, refused="shifts.refused")
    token = secrets.token_urlsafe(24)
    await uow.shift_swaps.set_calendar_token(person_id, _hash(token), now)
    await uow.audit.add(now, person_id, "calendar.link", f"person:{person_id}")
    return token


async def feed_shifts(uow: UnitOfWork, person_id: int, now: datetime) -> list[ShiftView]:
    """The shifts a calendar feed shows: the last month and the next three."""
    shifts = await uow.shifts.for_person(person_id, now - FEED_PAST, now + FEED_AHEAD)
    centres = {centre.id: centre for centre in await uow.centres.all()}
    return [ShiftView(s, centres[s.centre_id]) for s in shifts]


async def calendar_owner(uow: UnitOfWork, token: str) -> Person | None:
    """Whose calendar link this is (None: no such link, or a replaced one)."""
    if not token or len(token) > 100:
        return None
    person_id = await uow.shift_swaps.person_by_calendar_token(_hash(token))
    return None if person_id is None else await uow.people.get(person_id)
