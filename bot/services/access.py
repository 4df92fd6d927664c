"""Who may do what: the one place where a use case refuses an actor, and audits the refusal.

Every service asks here before it acts. A refusal writes an audit row (the action refused and
its subject, ids only) in the caller's transaction and raises `PermissionDenied`, which every
door answers in the person's language. A forged id learns nothing beyond "not allowed".
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from bot.domain.errors import PermissionDenied
from bot.domain.people import STAFF_ROLES, Actor, Role
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
