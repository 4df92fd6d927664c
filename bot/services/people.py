"""Use cases about who someone is: resolving the actor, registering a newcomer, their language;
and staff looking after people (lists by role, a person's data, every view audited, and roles,
which only admins change). Staff of some centres list and count only the people of their scope
(and themselves); admins and coordinators, everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.coop import Shift
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.events import RoleChanged
from bot.domain.hours import HourReport
from bot.domain.incoming import Incoming
from bot.domain.people import Actor, NewPerson, Person, Role
from bot.domain.scope import Scope
from bot.i18n import SUPPORTED, resolve_locale
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.paging import PAGE, Page

MAX_NAME_LENGTH = 64
RECENT_DAYS = 62  # a person's hours shown to staff: this far back
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})  # who may change roles


@dataclass(frozen=True)
class PersonData:
    """What staff see of one person: who they are, their recent hours and coming shifts."""

    person: Person
    hours: list[HourReport]
    shifts: list[Shift]


async def person_of_chat(uow: UnitOfWork, chat_id: int) -> Person | None:
    """The person behind a chat: the one whose first chat it is, or who linked it as their
    second messenger (bot.services.links)."""
    return await uow.people.of_chat(chat_id)  # one round trip: on every update's path


async def find_actor(
    uow: UnitOfWork, incoming: Incoming, default_locale: str
) -> tuple[Actor, Person | None]:
    """Read-only: who is writing, identified by Telegram's numeric user id, never a username."""
    person = None
    if incoming.user_id is not None:
        person = await person_of_chat(uow, incoming.user_id)
    if person is None:
        locale = resolve_locale(None, incoming.language_code, default_locale)
        actor = Actor(None, frozenset(), locale, telegram_user_id=incoming.user_id)
        return actor, None
    locale = resolve_locale(person.locale, incoming.language_code, default_locale)
    actor = Actor(person.id, person.roles, locale, telegram_user_id=incoming.user_id)
    return actor, person


async def ensure_person(uow: UnitOfWork, incoming: Incoming, now: datetime) -> Person:
    """The person behind this chat, registered on first need (with no roles)."""
    if incoming.user_id is None:
        raise InvalidInput("no_user")
    person = await person_of_chat(uow, incoming.user_id)
    if person is not None:
        if person.unreachable and person.telegram_user_id == incoming.user_id:
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


async def page(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    role: Role | None,
    after: int = 0,
    limit: int = PAGE,
) -> Page[Person]:
    """People (holding `role`, if given) after the person id `after`, by id: staff only, and
    for staff of some centres the people of their scope only (`_in_scope`)."""
    await access.require_staff(uow, actor, now, refused="desk.people_refused")
    scope = await access.scope_of(uow, actor)
    if scope.is_whole:
        found = list(await uow.people.page(role, after, limit + 1))
    else:
        mine = await _in_scope(uow, actor, scope)
        found = [p for p in mine if p.id > after and (role is None or role in p.roles)]
        found = found[: limit + 1]
    more = found[limit - 1].id if len(found) > limit else None
    return Page(found[:limit], more)


async def role_counts(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[Role, int]:
    """How many people hold each role, of the actor's scope (as `page` lists them)."""
    await access.require_staff(uow, actor, now, refused="desk.people_refused")
    scope = await access.scope_of(uow, actor)
    if scope.is_whole:
        return await uow.people.count_by_role()
    counts: dict[Role, int] = {}
    for person in await _in_scope(uow, actor, scope):
        for role in person.roles:
            counts[role] = counts.get(role, 0) + 1
    return counts


async def _in_scope(uow: UnitOfWork, actor: Actor, scope: Scope) -> list[Person]:
    """The people who belong to a centre of `scope` (not the whole co-op), and the actor, by id
    (a person of no centre is the whole co-op's: bot.services.access). A centre has hundreds
    of people and an office dozens of centres: few enough to gather here."""
    found: dict[int, Person] = {}
    for centre_id in sorted(scope.centres or ()):
        for person in await uow.memberships.members_of(centre_id):
            found[person.id] = person
    if actor.person_id is not None and actor.person_id not in found:
        me = await uow.people.get(actor.person_id)
        if me is not None:
            found[me.id] = me
    return [found[pid] for pid in sorted(found)]


async def person_data(
    uow: UnitOfWork, actor: Actor, person_id: int, today: date, now: datetime
) -> PersonData:
    """One person's data for staff; the view itself is written to the audit log. A staff
    member of some centres sees the people who belong to one of them (need-to-know); anyone
    else is refused and audited like an unknown id."""
    await access.require_staff(uow, actor, now, refused="desk.people_refused")
    person = await uow.people.get(person_id)
    if person is None:
        await access.refuse(uow, actor, now, "person.view_refused", f"person:{person_id}")
    await access.require_person_in_scope(
        uow, actor, now, person.id, refused="person.view_refused", subject=f"person:{person_id}"
    )
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
        uow.record(RoleChanged(now, person.id, role.value, granted=True))
    elif not grant and role in person.roles:
        await uow.people.remove_role(person.id, role)
        await uow.audit.add(now, actor.person_id, "person.role_removed", subject, {"role": role})
        uow.record(RoleChanged(now, person.id, role.value, granted=False))
    changed = await uow.people.get(person.id)
    assert changed is not None  # noqa: S101 -- read a moment ago in this transaction
    return changed
