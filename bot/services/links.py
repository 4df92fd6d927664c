"""Linking one person's two messengers: `/link` in one shows a short code, typing
`/link CODE` in the other makes that chat the same person's (docs/line.md, "One person, two
messengers").

The code is 8 characters of the invite codes' alphabet, lives 10 minutes, works once, and is
stored as its hash only. The chat that redeems it must be on the other messenger, and belong
to nobody with a role (a role-less row made when they chose a language is removed in the same
transaction, as a letter's code does). Everything happens in the caller's one transaction and
is audited.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.domain.channels import Channel
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.invites import code_hash, new_code, normalise_code
from bot.domain.people import Actor, Person
from bot.ports.links import LinkCode
from bot.ports.store import UnitOfWork

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
