"""Consequences of linking: a person whose further chat an admin unlinked is told, in their
language, in the chat they keep (that the other messenger is no longer linked, and /link
links it again) and in the chat that is no longer theirs (that Kyodo does not know them there
any more). That last message loses its chat id once sent, like a farewell (bot/rendering.py):
the chat is nobody's now, so nothing of theirs is kept under it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.channels import Channel
from bot.domain.events import ChatUnlinked, Event
from bot.domain.replies import Reply, msg
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork


async def unlinked(ctx: NoticeContext, uow: UnitOfWork, event: ChatUnlinked) -> None:
    person = await uow.people.get(event.person_id)
    if person is None:
        return
    messenger = msg(f"line.messenger.{Channel.of(event.chat_id).value}")
    key = f"link:unlinked:{event.chat_id}:{int(event.at.timestamp())}"
    await ctx.tell(
        uow,
        person,
        Reply((msg("line.unlink.kept", messenger=messenger),)),
        at=event.at,
        dedupe_key=key + ":kept",
    )
    there = ctx.renderer.render(
        Reply((msg("line.unlink.there"),)),
        event.chat_id,
        ctx.locale_of(person),
    )
    await uow.outbox.add(there, event.at, dedupe_key=key + ":there")


HANDLERS: Mapping[type[Event], Handler] = {ChatUnlinked: unlinked}
