"""Staff look after people from the desk: lists by role, a person's data (every view audited),
invite codes (issue with `bot.services.invites`, revoke here) and roles (admins only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.coop import Shift
from bot.domain.errors import DomainError
from bot.domain.hours import HourReport
from bot.domain.invites import Invite
from bot.domain.people import Actor, Person, Role
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.desk import PAGE, Page
from bot.services.invites import invitable_roles

RECENT_DAYS = 62
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})  # who may change roles


@dataclass(frozen=True)
class PersonData:
    """What the desk shows of one person: who they are, their recent hours and coming shifts."""

    person: Person
    hours: list[HourReport]
    shifts: list[Shift]


async def people(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    role: Role | None,
    after: int = 0,
    limit: int = PAGE,
) -> Page[Person]:
    await access.require_staff(uow, actor, now, refused="desk.people_refused")
    found = list(await uow.desk.people(role, after, limit + 1))
    more = found[limit - 1].id if len(found) > limit else None
    return Page(found[:limit], more)


async def role_counts(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[Role, int]:
    await access.require_staff(uow, actor, now, refused="desk.people_refused")
    return await uow.desk.count_by_role()


async def person_data(
    uow: UnitOfWork, actor: Actor, person_id: int, today: date, now: datetime
) -> PersonData:
    """One person's data for staff; the view itself is written to the audit log."""
    await access.require_staff(uow, actor, now, refused="desk.people_refused")
    person = await uow.people.get(person_id)
    if person is None:
        await access.refuse(uow, actor, now, "person.view_refused", f"person:{person_id}")
    hours = await uow.hours.for_person(
        person.id, today - timedelta(days=RECENT_DAYS), today + timedelta(days=1)
    )
    shifts = await uow.shifts.for_person(person.id, now, now + timedelta(days=14))
    await uow.audit.add(now, actor.person_id, "person.data_viewed", f"person:{person.id}")
    return PersonData(person, list(hours), list(shifts))


async def change_role(
    uow: UnitOfWork, actor: Actor, person_id: int, role: Role, *, grant: bool, now: datetime
) -> Person:
    """Admins only. Errors: own_admin (an admin cannot drop their own admin role)."""
    subject = f"person:{person_id}"
    await access.require(uow, actor, now, ADMINS, refused="person.role_refused", subject=subject)
    person = await uow.people.get(person_id)
    if person is None:
        await access.refuse(uow, actor, now, "person.role_refused", subject)
    if not grant and role is Role.ADMIN and person.id == actor.person_id:
        raise DomainError("own_admin")  # somebody must still be able to make admins
    if grant and role not in person.roles:
        await uow.people.add_role(person.id, role)
        await uow.audit.add(now, actor.person_id, "person.role_added", subject, {"role": role})
    elif not grant and role in person.roles:
        await uow.people.remove_role(person.id, role)
        await uow.audit.add(now, actor.person_id, "person.role_removed", subject, {"role": role})
    changed = await uow.people.get(person.id)
    assert changed is not None  # noqa: S101 -- read a moment ago in this transaction
    return changed


async def open_invites(uow: UnitOfWork, actor: Actor, now: datetime) -> list[Invite]:
    await access.require_staff(uow, actor, now, refused="desk.invites_refused")
    return list(await uow.invites.open_invites(now, PAGE))


async def revoke_invite(uow: UnitOfWork, actor: Actor, code: str, now: datetime) -> None:
    """Ends an unused code at once. Staff may revoke codes for the roles they may invite.
    Errors: invite_gone (used, expired or unknown)."""
    await access.require_staff(uow, actor, now, refused="desk.invites_refused")
    invite = await uow.invites.get(code)
    if invite is None or invite.is_used or invite.is_expired(now):
        raise DomainError("invite_gone")
    if invite.role not in invitable_roles(actor):
        await access.refuse(uow, actor, now, "invite.revoke_refused", f"invite:{code[:2]}…")
    if not await uow.invites.revoke_invite(code, now):
        raise DomainError("invite_gone")
    await uow.audit.add(
        now, actor.person_id, "invite.revoked", f"invite:{code[:2]}…", {"role": invite.role}
    )
