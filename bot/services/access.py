"""Who may do what: the one place where a use case refuses an actor, and audits the refusal.

Every service asks here before it acts. A refusal writes an audit row (the action refused and
its subject, ids only) in the caller's transaction and raises `PermissionDenied`, which every
door answers in the person's language. A forged id learns nothing beyond "not allowed".

Scope (need-to-know): `scope_of` is the one place that says which business centres a staff
member acts for: admins and coordinators the whole co-op, other staff the centres they belong
to (`uow.memberships`; none: nothing) and, for each head office among them, every centre of
that office (bot.domain.coop.BusinessCentre.office_id). Services filter their lists by it and ask
`require_in_scope` before showing or changing one centre's item, which refuses and audits
exactly like `refuse`. Something of no centre yet (a request before triage) is the whole
co-op's (bot.domain.scope).
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from bot.domain.errors import PermissionDenied
from bot.domain.people import STAFF_ROLES, Actor, Role
from bot.domain.scope import NOTHING, Scope, is_whole_coop
from bot.ports.store import UnitOfWork


async def refuse(
    uow: UnitOfWork, actor: Actor, now: datetime, action: str, subject: str | None = None
) -> NoReturn:
    """Audits the refused `action` on `subject` (the actor by default) and raises. The row
    carries the actor's Telegram id when there is one, so that a stranger's tries can be told
    apart (/forget and the retention purge remove it: bot.domain.audit.TRACES)."""
    await uow.audit.add(
        now,
        actor.person_id,
        action,
        subject or f"person:{actor.person_id}",
        audit_details(actor),
    )
    raise PermissionDenied(action)


def audit_details(actor: Actor, **details: object) -> dict[str, object] | None:
    """An audit row's details for a refusal of `actor`: with their Telegram id, if any."""
    if actor.telegram_user_id is not None:
        details["telegram_id"] = actor.telegram_user_id
    return details or None


async def require(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    roles: frozenset[Role],
    *,
    refused: str,
    subject: str | None = None,
) -> int:
    """The actor's person id if they hold one of `roles`; else `refused` is audited and raised."""
    if actor.person_id is None or not actor.has_any(roles):
        await refuse(uow, actor, now, refused, subject)
    return actor.person_id


async def require_staff(
    uow: UnitOfWork, actor: Actor, now: datetime, *, refused: str, subject: str | None = None
) -> int:
    """The acting staff member's (or admin's) person id; anyone else is refused and audited."""
    return await require(uow, actor, now, STAFF_ROLES, refused=refused, subject=subject)


async def scope_of(uow: UnitOfWork, actor: Actor) -> Scope:
    """The centres `actor` may see and act on as staff: the whole co-op for admins (the shell
    too) and coordinators, the centres they belong to for other staff (a head office's staff:
    the office and all its centres), nothing for anyone else."""
    if not actor.is_staff:
        return NOTHING
    if is_whole_coop(actor.roles):
        return Scope.whole_coop()
    if actor.person_id is None:
        return NOTHING
    return await scope_of_centres(uow, await uow.memberships.centres_of(actor.person_id))


async def scope_of_centres(uow: UnitOfWork, centre_ids: frozenset[int]) -> Scope:
    """The scope of a staff member who belongs to `centre_ids`: those centres and every centre
    whose head office is one of them."""
    if not centre_ids:
        return NOTHING
    under = {c.id for c in await uow.centres.all() if c.office_id in centre_ids}
    return Scope.of(centre_ids | under)


async def require_in_scope(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    centre_id: int | None,
    *,
    refused: str,
    subject: str | None = None,
) -> Scope:
    """The actor's scope if it covers `centre_id` (None: no centre yet, the whole co-op's);
    otherwise `refused` is audited on `subject` and raised, exactly like `refuse`."""
    scope = await scope_of(uow, actor)
    if not scope.covers(centre_id):
        await refuse(uow, actor, now, refused, subject)
    return scope


async def require_person_in_scope(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    person_id: int,
    *,
    refused: str,
    subject: str | None = None,
) -> Scope:
    """The actor's scope if the person belongs to one of its centres (a person of no centre is
    the whole co-op's; one's own record is always in scope); otherwise audited and raised."""
    scope = await scope_of(uow, actor)
    if scope.is_whole or person_id == actor.person_id:
        return scope
    if not scope.covers_any(await uow.memberships.centres_of(person_id)):
        await refuse(uow, actor, now, refused, subject or f"person:{person_id}")
    return scope
