"""Use cases of one-time invite codes: staff issue them, list the open ones and revoke them;
people redeem them to gain a role."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.invites import Invite, new_code, normalise_code
from bot.domain.people import Actor, Person, Role
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.paging import PAGE
from bot.services.people import add_role

# Who may invite whom: staff bring in members and volunteers; only admins make staff and admins.
INVITABLE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.MEMBER, Role.VOLUNTEER, Role.STAFF, Role.ADMIN}),
    Role.STAFF: frozenset({Role.MEMBER, Role.VOLUNTEER}),
}


def invitable_roles(actor: Actor) -> frozenset[Role]:
    allowed: frozenset[Role] = frozenset()
    for role in actor.roles:
        allowed |= INVITABLE.get(role, frozenset())
    return allowed


async def issue_invite(
    uow: UnitOfWork, actor: Actor, role: Role, now: datetime, ttl_hours: int
) -> Invite:
    if role not in invitable_roles(actor):
        await uow.audit.add(now, actor.person_id, "invite.refused", f"role:{role}")
        raise PermissionDenied("invite_not_allowed", role=role)
    for _ in range(5):
        code = new_code()
        if await uow.invites.get(code) is None:
            break
    else:  # pragma: no cover - 31^8 codes make five collisions in a row practically impossible
        raise DomainError("invite_code_exhausted")
    invite = Invite(
        code=code,
        role=role,
        created_by=actor.person_id,
        created_at=now,
        expires_at=now + timedelta(hours=ttl_hours),
    )
    await uow.invites.add(invite)
    await uow.audit.add(
        now, actor.person_id, "invite.issued", f"invite:{code[:2]}…", {"role": role}
    )
    return invite


async def redeem_invite(uow: UnitOfWork, person: Person, typed: str, now: datetime) -> Invite:
    """Gives `person` the invite's role. Errors: invite_malformed, _unknown, _used, _expired."""
    code = normalise_code(typed)
    invite = await uow.invites.get(code)
    if invite is None:
        raise DomainError("invite_unknown")
    if invite.is_used:
        raise DomainError("invite_used")
    if invite.is_expired(now):
        raise DomainError("invite_expired")
    if not await uow.invites.mark_used(code, person.id, now):
        raise DomainError("invite_used")  # someone redeemed it a moment before us
    await add_role(uow, person, invite.role, now)
    await uow.audit.add(
        now, person.id, "invite.redeemed", f"person:{person.id}", {"role": invite.role}
    )
    return invite


async def open_invites(uow: UnitOfWork, actor: Actor, now: datetime) -> list[Invite]:
    """Unused codes that have not expired, newest first (a page): staff only."""
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
