"""Use cases about who someone is: resolving the actor, registering a newcomer, their language."""

from __future__ import annotations

from datetime import datetime

from bot.domain.errors import InvalidInput
from bot.domain.incoming import Incoming
from bot.domain.people import Actor, NewPerson, Person, Role
from bot.i18n import SUPPORTED, resolve_locale
from bot.ports.store import UnitOfWork

MAX_NAME_LENGTH = 64


async def find_actor(
    uow: UnitOfWork, incoming: Incoming, default_locale: str
) -> tuple[Actor, Person | None]:
    """Read-only: who is writing, identified by Telegram's numeric user id, never a username."""
    person = None
    if incoming.user_id is not None:
        person = await uow.people.by_telegram_id(incoming.user_id)
    if person is None:
        locale = resolve_locale(None, incoming.language_code, default_locale)
        return Actor(person_id=None, roles=frozenset(), locale=locale), None
    locale = resolve_locale(person.locale, incoming.language_code, default_locale)
    return Actor(person_id=person.id, roles=person.roles, locale=locale), person


async def ensure_person(uow: UnitOfWork, incoming: Incoming, now: datetime) -> Person:
    """The person behind this chat, registered on first need (with no roles)."""
    if incoming.user_id is None:
        raise InvalidInput("no_user")
    person = await uow.people.by_telegram_id(incoming.user_id)
    if person is not None:
        if person.unreachable:
            # They wrote to us, so they unblocked the bot.
            await uow.people.mark_unreachable(incoming.user_id, False)
        return person
    name = (incoming.user_name or "").strip()[:MAX_NAME_LENGTH] or f"#{incoming.user_id}"
    return await uow.people.add(
        NewPerson(
            telegram_user_id=incoming.user_id,
            display_name=name,
            telegram_language=incoming.language_code,
            created_at=now,
        )
    )


async def choose_language(
    uow: UnitOfWork, incoming: Incoming, locale: str, now: datetime
) -> Person:
    if locale not in SUPPORTED:
        raise InvalidInput("unknown_language")
    person = await ensure_person(uow, incoming, now)
    await uow.people.set_locale(person.id, locale)
    await uow.audit.add(
        now, person.id, "person.language", f"person:{person.id}", {"locale": locale}
    )
    return person


async def add_role(uow: UnitOfWork, person: Person, role: Role, now: datetime) -> None:
    if role not in person.roles:
        await uow.people.add_role(person.id, role)
        await uow.audit.add(
            now, person.id, "person.role_added", f"person:{person.id}", {"role": role}
        )
