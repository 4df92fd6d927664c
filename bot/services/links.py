"""Linking one person's two messengers: `/link` in one shows a short code, typing
`/link CODE` in the other makes that chat the same person's (docs/line.md, "One person, two
messengers").

The code is 8 characters of the invite codes' alphabet, lives 10 minutes, works once, and is
stored as its hash only. The chat that redeems it must be on the other messenger, and belong
to nobody with a role (a role-less row made when they chose a language is removed in the same
transaction, as a letter's code does). Everything happens in the caller's one transaction and
is audited.

The desk lists the people who use both messengers (`linked`: admins see everyone, other staff
the people of their centres) and lets an admin unlink a further chat (`unlink`): audited, and
the person told in their language (bot/notices/links.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.channels import Channel
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.events import ChatUnlinked
from bot.domain.invites import code_hash, new_code, normalise_code
from bot.domain.people import Actor, Person, Role
from bot.ports.links import LinkCode
from bot.ports.store import UnitOfWork
from bot.services import access, personal_data
from bot.services.paging import PAGE, Page

CODE_TTL = timedelta(minutes=10)


async def start(uow: UnitOfWork, actor: Actor, chat_id: int, now: datetime) -> tuple[str, datetime]:
    """A new code for the actor (who must be someone: a stranger has nothing to link); returns
    it in clear, once, with when it stops working."""
    if actor.person_id is None:
        raise NotFound("link_nobody")
    code = new_code()
    expires = now + CODE_TTL
    hashed = await asyncio.to_thread(code_hash, code)  # scrypt: ~50 ms off the event loop
    await uow.links.add_code(hashed, LinkCode(actor.person_id, chat_id, expires))
    await uow.audit.add(now, actor.person_id, "person.link_code", f"person:{actor.person_id}", {})
    return code, expires


async def redeem(uow: UnitOfWork, chat_id: int, typed: str, now: datetime) -> Person:
    """Makes `chat_id` the code's person's too; returns that person. Raises InvalidInput with
    `link_malformed`, `link_unknown` (no such code, used or expired), `link_same_messenger`
    or `link_taken` (the chat is someone's with a role, or linked already)."""
    try:
        code = normalise_code(typed)
    except InvalidInput:
        raise InvalidInput("link_malformed") from None
    found = await uow.links.take_code(await asyncio.to_thread(code_hash, code))
    if found is None or found.expires_at <= now:
        raise InvalidInput("link_unknown")
    person = await uow.people.get(found.person_id)
    if person is None:
        raise InvalidInput("link_unknown")
    if Channel.of(found.chat_id) is Channel.of(chat_id):
        raise InvalidInput("link_same_messenger")
    if await uow.links.person_of(chat_id) is not None:
        raise InvalidInput("link_taken")
    here = await uow.people.by_telegram_id(chat_id)
    if here is not None:
        if here.id == person.id or here.roles:
            raise InvalidInput("link_taken")
        # A role-less row made before (a language chosen): the chat is the linked person's now.
        await uow.privacy.delete_person(here.id)
    await uow.links.attach(chat_id, person.id, now)
    await uow.audit.add(
        now,
        person.id,
        "person.linked",
        f"person:{person.id}",
        {"messenger": Channel.of(chat_id).value},
    )
    return person


@dataclass(frozen=True)
class LinkedPerson:
    person: Person
    linked: tuple[int, ...]  # their further chats, oldest link first (the first is the person's)


async def linked(
    uow: UnitOfWork, actor: Actor, now: datetime, *, after: int = 0, limit: int = PAGE
) -> Page[LinkedPerson]:
    """People with both messengers linked, by id after `after`: staff only, and staff of some
    centres see the people of those centres only (bot.services.access)."""
    await access.require_staff(uow, actor, now, refused="desk.links_refused", subject="links")
    scope = await access.scope_of(uow, actor)
    found: list[LinkedPerson] = []
    while len(found) <= limit:
        ids = await uow.links.linked_people(after, limit + 1)
        for person_id in ids:
            person = await uow.people.get(person_id)
            in_scope = scope.is_whole or person_id == actor.person_id
            if not in_scope:
                in_scope = scope.covers_any(await uow.memberships.centres_of(person_id))
            if person is not None and in_scope:
                found.append(LinkedPerson(person, tuple(await uow.links.chats_of(person_id))))
        if len(ids) <= limit:
            break
        after = ids[-1]
    more = found[limit - 1].person.id if len(found) > limit else None
    return Page(found[:limit], more)


async def unlink(uow: UnitOfWork, actor: Actor, chat_id: int, now: datetime) -> Person:
    """An admin unlinks a person's further chat: it is nobody's from now on (their first chat
    and everything Kyodo keeps of them stay). Audited; the person is told (`ChatUnlinked`).
    Raises NotFound("link_gone") when the chat is not linked (any more)."""
    admin = frozenset({Role.ADMIN})
    await access.require(uow, actor, now, admin, refused="desk.links_refused", subject="links")
    person_id = await uow.links.detach(chat_id)
    person = None if person_id is None else await uow.people.get(person_id)
    if person_id is None or person is None:
        raise NotFound("link_gone")
    # What was kept under the chat was the person's, and their /forget would no longer reach
    # it: it goes now (dialog, copies, what they wrote from it); a stranger starts afresh there.
    # A LINE user id is kept only to deliver the notice below (bot/ports/line.py: forget).
    await personal_data.forget_chat(uow, chat_id)
    await uow.audit.add(
        now,
        actor.person_id,
        "person.unlinked",
        f"person:{person.id}",
        {"messenger": Channel.of(chat_id).value},
    )
    uow.record(ChatUnlinked(at=now, person_id=person.id, chat_id=chat_id))
    return person
