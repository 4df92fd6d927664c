"""Use cases of one-time invite codes: staff issue them, list the open ones and revoke them;
people redeem them to gain a role."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.invites import (
    Invite,
    InviteFailures,
    IssuedInvite,
    code_hash,
    new_code,
    normalise_code,
    roles_granted,
)
from bot.domain.people import Actor, Person, Role
from bot.ports.store import UnitOfWork
from bot.services import access, member_import
from bot.services.paging import PAGE
from bot.services.people import add_role

# Who may invite whom: staff bring in members and volunteers; only admins make staff,
# coordinators (staff for the whole co-op) and admins.
INVITABLE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.MEMBER, Role.VOLUNTEER, Role.STAFF, Role.COORDINATOR, Role.ADMIN}),
    Role.STAFF: frozenset({Role.MEMBER, Role.VOLUNTEER}),
}


def invitable_roles(actor: Actor) -> frozenset[Role]:
    allowed: frozenset[Role] = frozenset()
    for role in actor.roles:
        allowed |= INVITABLE.get(role, frozenset())
    return allowed


async def _hashed(code: str) -> str:
    # ~50 ms of CPU (a slow hash, on purpose): off the event loop, which serves everyone else.
    return await asyncio.to_thread(code_hash, code)


def invite_subject(invite: Invite) -> str:
    """How the audit log names an invite: a few characters of its hash, never of its code."""
    return f"invite:{invite.code_hash[:8]}"


async def issue_invite(
    uow: UnitOfWork, actor: Actor, role: Role, now: datetime, ttl_hours: int
) -> IssuedInvite:
    """A new code for `role`, shown once to the issuer: only its hash is stored."""
    if role not in invitable_roles(actor):
        details = access.audit_details(actor)
        await uow.audit.add(now, actor.person_id, "invite.refused", f"role:{role}", details)
        raise PermissionDenied("invite_not_allowed", role=role)
    for _ in range(5):
        code = new_code()
        hashed = await _hashed(code)
        if await uow.invites.get(hashed) is None:
            break
    else:  # pragma: no cover - 31^8 codes make five collisions in a row practically impossible
        raise DomainError("invite_code_exhausted")
    invite = Invite(
        code_hash=hashed,
        role=role,
        created_by=actor.person_id,
        created_at=now,
        expires_at=now + timedelta(hours=ttl_hours),
    )
    await uow.invites.add(invite)
    subject = invite_subject(invite)
    await uow.audit.add(now, actor.person_id, "invite.issued", subject, {"role": role})
    return IssuedInvite(invite, code)


async def redeem_invite(
    uow: UnitOfWork,
    telegram_user_id: int,
    typed: str,
    now: datetime,
    register: Callable[[], Awaitable[Person]],
    telegram_language: str | None = None,
) -> tuple[Person, Invite]:
    """Gives the person behind `telegram_user_id` the invite's role; `register` gives that
    person, registering them, and is called only for a code that works (a wrong code leaves no
    person behind). Errors: invite_locked, invite_malformed, _unknown, _used, _expired.

    Every wrong code counts against the Telegram account, whichever way it was typed, and is
    audited with its Telegram id; the fifth in a row locks the account for LOCKOUT. The caller
    commits, refusal or not (the count and the audit row must stay).

    A letter's code (an invite bound to an imported person) makes the redeemer that person:
    their name, language and centres are the import's (bot.services.member_import.claim)."""
    failures = await uow.invites.failures(telegram_user_id)
    if failures is not None and failures.locked(now):
        details = {"why": "invite_locked", "telegram_id": telegram_user_id}
        await uow.audit.add(now, None, "invite.refused", "invite", details)
        raise DomainError("invite_locked")
    try:
        invite = await _usable(uow, typed, now)
    except DomainError as error:
        counted = (failures or InviteFailures(0)).after_one_more(now)
        await uow.invites.put_failures(telegram_user_id, counted, now)
        details = {
            "why": error.code,
            "telegram_id": telegram_user_id,
            "locked": counted.locked(now),
        }
        await uow.audit.add(now, None, "invite.refused", "invite", details)
        raise
    if invite.person_id is not None:
        person = await member_import.claim(uow, invite, telegram_user_id, telegram_language, now)
    else:
        person = await register()
    if not await uow.invites.mark_used(invite.code_hash, person.id, now):
        raise DomainError("invite_used")  # someone redeemed it a moment before us
    await uow.invites.clear_failures(telegram_user_id)
    for role in sorted(roles_granted(invite.role)):
        await add_role(uow, person, role, now)
    await uow.audit.add(
        now, person.id, "invite.redeemed", f"person:{person.id}", {"role": invite.role}
    )
    return person, invite


async def _usable(uow: UnitOfWork, typed: str, now: datetime) -> Invite:
    """The unused, unexpired invite of the typed code. Errors: invite_malformed, _unknown,
    _used, _expired."""
    invite = await uow.invites.get(await _hashed(normalise_code(typed)))
    if invite is None:
        raise DomainError("invite_unknown")
    if invite.is_used:
        raise DomainError("invite_used")
    if invite.is_expired(now):
        raise DomainError("invite_expired")
    return invite


async def open_invites(uow: UnitOfWork, actor: Actor, now: datetime) -> list[Invite]:
    """Unused codes that have not expired, newest first (a page): staff only."""
    await access.require_staff(uow, actor, now, refused="desk.invites_refused")
    return list(await uow.invites.open_invites(now, PAGE))


async def revoke_invite(uow: UnitOfWork, actor: Actor, hashed: str, now: datetime) -> None:
    """Ends an unused invite at once, named by its hash (the list shows no codes). Staff may
    revoke invites for the roles they may invite. Errors: invite_gone (used, expired or
    unknown)."""
    await access.require_staff(uow, actor, now, refused="desk.invites_refused")
    invite = await uow.invites.get(hashed)
    if invite is None or invite.is_used or invite.is_expired(now):
        raise DomainError("invite_gone")
    if invite.role not in invitable_roles(actor):
        await access.refuse(uow, actor, now, "invite.revoke_refused", invite_subject(invite))
    if not await uow.invites.revoke_invite(hashed, now):
        raise DomainError("invite_gone")
    await uow.audit.add(
        now, actor.person_id, "invite.revoked", invite_subject(invite), {"role": invite.role}
    )
