"""People, their roles, and the actor on whose behalf a use case runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """What a person is to the co-op; a person may hold several roles."""

    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"
    VOLUNTEER = "volunteer"
    RESIDENT = "resident"
    # Held together with STAFF: a staff member whose scope is the whole co-op, not only the
    # centres they belong to (bot.domain.scope). On its own it grants nothing.
    COORDINATOR = "coordinator"


# Roles that can only be obtained with an invite code issued by staff.
INVITED_ROLES: frozenset[Role] = frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})
# Roles that may issue invites, and which roles each may invite.
STAFF_ROLES: frozenset[Role] = frozenset({Role.STAFF, Role.ADMIN})


@dataclass(frozen=True)
class Person:
    """Someone known to Kyodo. `locale` is their own choice; None means 'not chosen yet'."""

    id: int
    telegram_user_id: int | None
    display_name: str
    locale: str | None
    telegram_language: str | None
    roles: frozenset[Role]
    created_at: datetime
    unreachable: bool = False


@dataclass(frozen=True)
class NewPerson:
    """A person about to be stored (the store assigns the id)."""

    telegram_user_id: int | None
    display_name: str
    telegram_language: str | None
    created_at: datetime
    locale: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Actor:
    """Who is acting: resolved from the transport's numeric user id, never from a username."""

    person_id: int | None
    roles: frozenset[Role]
    locale: str
    # Who is acting as Telegram knows them (a refusal is audited with it, strangers' too);
    # None from the shell, and where no Telegram account is involved.
    telegram_user_id: int | None = None

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def is_staff(self) -> bool:
        return self.has_any(STAFF_ROLES)
