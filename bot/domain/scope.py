"""A staff member's scope: the business centres whose people and work they may see and act on.

Need-to-know (APPI): a staff member sees the requests, reports, cards and contact details of
their own centres only. Admins, and staff who also hold `Role.COORDINATOR`, see the whole
co-op. Which centres a person belongs to is `uow.memberships`; `bot.services.access.scope_of`
is the one place that turns an actor into a `Scope`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.people import STAFF_ROLES, Actor, Role


@dataclass(frozen=True)
class Scope:
    """`centres` is None for the whole co-op; otherwise the centre ids in scope (maybe none)."""

    centres: frozenset[int] | None

    @classmethod
    def whole_coop(cls) -> Scope:
        return cls(None)

    @classmethod
    def of(cls, centre_ids: Iterable[int]) -> Scope:
        return cls(frozenset(centre_ids))

    @property
    def is_whole(self) -> bool:
        return self.centres is None

    def covers(self, centre_id: int | None) -> bool:
        """Whether something of `centre_id` is in scope. Something of no centre yet (a service
        request before triage) belongs to the whole co-op: only whole-co-op scope covers it."""
        if self.centres is None:
            return True
        return centre_id is not None and centre_id in self.centres

    def covers_any(self, centre_ids: Iterable[int]) -> bool:
        """Whether a person belonging to `centre_ids` is in scope (one shared centre is enough)."""
        if self.centres is None:
            return True
        return not self.centres.isdisjoint(centre_ids)


NOTHING = Scope(frozenset())


def is_whole_coop(roles: frozenset[Role]) -> bool:
    """Admins, and staff who are also coordinators, act for the whole co-op."""
    return Role.ADMIN in roles or (Role.STAFF in roles and Role.COORDINATOR in roles)


def needs_membership(actor: Actor) -> bool:
    """Staff whose scope is the centres they belong to (not the whole co-op)."""
    return actor.has_any(STAFF_ROLES) and not is_whole_coop(actor.roles)
