"""Consequences of assembly notices: members hear of a published notice, are reminded of it by
the clock, and are asked to answer when staff ask from the desk; a member named as a proxy holder
hears of it (with a button to decline), and a giver whose proxy was declined is asked again.

The one place where these messages are composed. The service chose whom to tell (members Kyodo
can reach, who have not had this message yet); each is told once in their own language, under
the dedupe key of their copy, so a send that runs twice queues each copy once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.dialogs.assemblies import ChooseProxy, DeclineProxy
from bot.dialogs.menus import OpenAssembly
from bot.domain.coop import Assembly
from bot.domain.events import (
    AssemblyAnswerRequested,
    AssemblyProxyDeclined,
    AssemblyProxyGiven,
    AssemblyPublished,
    AssemblyReminderDue,
    Event,
)
from bot.domain.people import Person, Role
from bot.domain.reminders import recipient_key
from bot.domain.replies import Button, Msg, Reply, msg
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.services.assemblies import answer_request_key


async def members(uow: UnitOfWork, ids: Iterable[int]) -> list[Person]:
    """The members among `ids`, in that order (one query for all of them)."""
    by_id = {p.id: p for p in await uow.people.with_role(Role.MEMBER)}
    return [by_id[i] for i in ids if i in by_id]


def _item(assembly: Assembly, locale: str) -> Msg:
    return msg(
        "rem.asm.item",
        title=assembly.title(locale),
        when=assembly.starts_at,
        place=assembly.place(locale),
    )


def _reminder(head: Msg, assembly: Assembly, locale: str) -> Reply:
    open_it = Button(msg("rem.asm.open_button"), OpenAssembly(assembly.id))
    return Reply((head, _item(assembly, locale)), ((open_it,),))


async def published(ctx: NoticeContext, uow: UnitOfWork, event: AssemblyPublished) -> None:
    assembly = await uow.assemblies.get(event.assembly_id)
    if assembly is None:
        return
    for person in await members(uow, event.members):
        reply = _reminder(msg("rem.asm.notice"), assembly, ctx.locale_of(person))
        key = recipient_key(event.send_key, person.id)
        await ctx.tell(uow, person, reply, at=event.at, dedupe_key=key)


async def reminder_due(ctx: NoticeContext, uow: UnitOfWork, event: AssemblyReminderDue) -> None:
    assembly = await uow.assemblies.get(event.assembly_id)
    if assembly is None:
        return
    asked = msg("rem.asm.answer", answer_by=assembly.answer_by)
    attending = msg("rem.asm.attending")
    for head, ids in ((asked, event.asked), (attending, event.attending)):
        for person in await members(uow, ids):
            reply = _reminder(head, assembly, ctx.locale_of(person))
            key = recipient_key(event.send_key, person.id)
            await ctx.tell(uow, person, reply, at=event.at, dedupe_key=key)


async def answer_requested(
    ctx: NoticeContext, uow: UnitOfWork, event: AssemblyAnswerRequested
) -> None:
    """The reminder staff send from the desk to members who have not answered a notice."""
    assembly = await uow.assemblies.get(event.assembly_id)
    if assembly is None:
        return
    for person in await members(uow, event.members):
        locale = ctx.locale_of(person)
        text = msg(
            "desk.remind.text",
            title=assembly.title(locale),
            when=assembly.starts_at,
            place=assembly.place(locale),
            answer_by=assembly.answer_by,
        )
        open_it = Button(msg("desk.remind.open"), OpenAssembly(assembly.id))
        key = answer_request_key(assembly.id, person.id, event.day)
        await ctx.tell(uow, person, Reply((text,), ((open_it,),)), at=event.at, dedupe_key=key)


async def _pair(uow: UnitOfWork, giver: int, holder: int) -> tuple[Person, Person] | None:
    people = {p.id: p for p in await members(uow, (giver, holder))}
    if giver not in people or holder not in people:
        return None
    return people[giver], people[holder]


async def proxy_given(ctx: NoticeContext, uow: UnitOfWork, event: AssemblyProxyGiven) -> None:
    """The holder hears who gave them a proxy, and may decline it."""
    assembly = await uow.assemblies.get(event.assembly_id)
    pair = await _pair(uow, event.giver, event.holder)
    if assembly is None or pair is None:
        return
    giver, holder = pair
    locale = ctx.locale_of(holder)
    text = msg(
        "asm.proxy_given",
        name=giver.display_name,
        title=assembly.title(locale),
        when=assembly.starts_at,
    )
    buttons = (
        (Button(msg("asm.button.decline_proxy"), DeclineProxy(assembly.id, giver.id)),),
        (Button(msg("rem.asm.open_button"), OpenAssembly(assembly.id)),),
    )
    await ctx.tell(uow, holder, Reply((text,), buttons), at=event.at)


async def proxy_declined(ctx: NoticeContext, uow: UnitOfWork, event: AssemblyProxyDeclined) -> None:
    """The giver hears that the holder declined, that the chair holds the proxy meanwhile, and
    is asked to choose again."""
    assembly = await uow.assemblies.get(event.assembly_id)
    pair = await _pair(uow, event.giver, event.holder)
    if assembly is None or pair is None:
        return
    giver, holder = pair
    locale = ctx.locale_of(giver)
    text = msg("asm.proxy_declined", name=holder.display_name, title=assembly.title(locale))
    buttons = (
        (Button(msg("asm.button.choose_again"), ChooseProxy(assembly.id)),),
        (Button(msg("rem.asm.open_button"), OpenAssembly(assembly.id)),),
    )
    await ctx.tell(uow, giver, Reply((text,), buttons), at=event.at)


HANDLERS: Mapping[type[Event], Handler] = {
    AssemblyPublished: published,
    AssemblyReminderDue: reminder_due,
    AssemblyAnswerRequested: answer_requested,
    AssemblyProxyGiven: proxy_given,
    AssemblyProxyDeclined: proxy_declined,
}
