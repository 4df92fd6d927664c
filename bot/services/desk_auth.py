"""Signing in to the staff web desk without a password.

`/desk` in Telegram asks `issue_link` for a one-time token (valid ten minutes, stored hashed);
opening the link calls `sign_in`, which uses the token up and opens a session; every later
request calls `current`, which refuses an ended, idle or 12-hour-old session (whatever its use)
and re-checks the staff role, so losing the role locks the desk at the next click. Refusals of a
real link are audited with why; a token that is no link at all (a guess) is not written down
one by one: the door counts guesses per client and writes one row a minute
(bot.services.refusals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.desk import (
    IDLE_TIMEOUT,
    LINK_TTL,
    SESSION_MAX_AGE,
    DeskLogin,
    DeskSession,
    looks_like_token,
    new_token,
    token_hash,
)
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.languages import SUPPORTED
from bot.domain.people import Actor, Person
from bot.i18n import resolve_locale
from bot.ports.store import UnitOfWork


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie's value (never stored as is) and the session's CSRF token."""

    session_id: str
    csrf_token: str
    person: Person


@dataclass(frozen=True)
class DeskUser:
    """Who is at the desk for this request, with their current roles."""

    person: Person
    actor: Actor
    csrf_token: str


def actor_of(person: Person, default_locale: str) -> Actor:
    locale = resolve_locale(person.locale, person.telegram_language, default_locale)
    return Actor(person.id, person.roles, locale, telegram_user_id=person.telegram_user_id)


async def issue_link(uow: UnitOfWork, actor: Actor, now: datetime) -> str:
    """A one-time sign-in token for a staff member; the link is built by the caller."""
    if actor.person_id is None or not actor.is_staff:
        await uow.audit.add(now, actor.person_id, "desk.link_refused", f"person:{actor.person_id}")
        raise PermissionDenied("desk_not_staff")
    token = new_token()
    await uow.desk.add_login(DeskLogin(token_hash(token), actor.person_id, now, now + LINK_TTL))
    await uow.audit.add(now, actor.person_id, "desk.link_issued", f"person:{actor.person_id}")
    return token


async def _refuse(uow: UnitOfWork, person_id: int | None, code: str, now: datetime) -> DomainError:
    await uow.audit.add(
        now, person_id, "desk.sign_in_refused", f"person:{person_id}", {"why": code}
    )
    return DomainError(code)


async def sign_in(uow: UnitOfWork, token: str, now: datetime) -> SignedIn:
    """Uses the link up and opens a session. Errors: desk_link_unknown (a guess: not written
    down here, the door counts it), desk_link_used, desk_link_expired, desk_not_staff (each
    audited). The caller commits, refusal or not."""
    if not looks_like_token(token):
        raise DomainError("desk_link_unknown")
    login = await uow.desk.get_login(token_hash(token))
    if login is None:
        raise DomainError("desk_link_unknown")
    if login.used_at is not None:
        raise await _refuse(uow, login.person_id, "desk_link_used", now)
    if now >= login.expires_at:
        raise await _refuse(uow, login.person_id, "desk_link_expired", now)
    person = await uow.people.get(login.person_id)
    if person is None or not actor_of(person, "ja").is_staff:
        raise await _refuse(uow, login.person_id, "desk_not_staff", now)
    if not await uow.desk.use_login(login.token_hash, now):
        raise await _refuse(uow, login.person_id, "desk_link_used", now)  # another tab won
    session_id, csrf = new_token(), new_token()
    await uow.desk.add_session(DeskSession(token_hash(session_id), person.id, csrf, now, now))
    await uow.audit.add(now, person.id, "desk.signed_in", f"person:{person.id}")
    return SignedIn(session_id, csrf, person)


async def current(
    uow: UnitOfWork,
    session_id: str,
    now: datetime,
    default_locale: str,
    idle: timedelta = IDLE_TIMEOUT,
) -> DeskUser:
    """The staff member of a live session, seen now. Errors: desk_signed_out (no, ended, idle
    or 12-hour-old session), desk_not_staff (the role was taken away: the session is ended,
    audited)."""
    if not looks_like_token(session_id):
        raise DomainError("desk_signed_out")
    id_hash = token_hash(session_id)
    session = await uow.desk.get_session(id_hash)
    if session is None or not session.is_live(now, idle):
        raise DomainError("desk_signed_out")
    if now - session.created_at >= SESSION_MAX_AGE:
        # However busy: a stolen cookie is good for half a day at most.
        await uow.desk.end_session(id_hash, now)
        await uow.audit.add(
            now, session.person_id, "desk.session_expired", f"person:{session.person_id}"
        )
        raise DomainError("desk_signed_out")
    person = await uow.people.get(session.person_id)
    actor = actor_of(person, default_locale) if person is not None else None
    if person is None or actor is None or not actor.is_staff:
        await uow.desk.end_session(id_hash, now)
        await uow.audit.add(
            now, session.person_id, "desk.session_refused", f"person:{session.person_id}"
        )
        raise PermissionDenied("desk_not_staff")
    await uow.desk.touch_session(id_hash, now)
    return DeskUser(person, actor, session.csrf_token)


async def sign_out(uow: UnitOfWork, session_id: str, now: datetime) -> None:
    if not looks_like_token(session_id):
        return
    id_hash = token_hash(session_id)
    session = await uow.desk.get_session(id_hash)
    if session is not None and session.ended_at is None:
        await uow.desk.end_session(id_hash, now)
        await uow.audit.add(
            now, session.person_id, "desk.signed_out", f"person:{session.person_id}"
        )


async def link_problem(uow: UnitOfWork, token: str, now: datetime) -> str | None:
    """Why the link could not sign anyone in now (the codes of `sign_in`), or None; uses
    nothing up, so the page behind the link can say so before anyone presses a button."""
    if not looks_like_token(token):
        return "desk_link_unknown"
    login = await uow.desk.get_login(token_hash(token))
    if login is None:
        return "desk_link_unknown"
    if login.used_at is not None:
        return "desk_link_used"
    if now >= login.expires_at:
        return "desk_link_expired"
    person = await uow.people.get(login.person_id)
    if person is None or not actor_of(person, "ja").is_staff:
        return "desk_not_staff"
    return None


async def set_locale(uow: UnitOfWork, actor: Actor, locale: str, now: datetime) -> None:
    """The staff member's own language, for the desk and for Kyodo in Telegram alike."""
    if actor.person_id is None or locale not in SUPPORTED:
        raise DomainError("unknown_language")
    await uow.people.set_locale(actor.person_id, locale)
    await uow.audit.add(
        now, actor.person_id, "person.language", f"person:{actor.person_id}", {"locale": locale}
    )
