"""Consequences of conversations with the staff: staff hear of a message (with a button to
answer), and the person gets the staff's answer in their own language.

A message goes to the staff group when one is configured, else to the private chat of every
staff member whose scope covers the person (bot/services/conversations.staff_of); with staff
cards off (KYODO_STAFF_CARDS=off) staff find it in /queue and on the desk instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.engine import Notice
from bot.dialogs.menus import MENU
from bot.dialogs.reach import WRITE, StaffMedia, StaffReply, language_msg
from bot.domain.bilingual import for_reader
from bot.domain.events import ConversationAnswered, ConversationWritten, Event
from bot.domain.replies import Button, Reply, msg
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.services.conversations import staff_of


async def written(ctx: NoticeContext, uow: UnitOfWork, event: ConversationWritten) -> None:
    conversation = await uow.conversations.get(event.conversation_id)
    message = await uow.conversations.message(event.message_id)
    if conversation is None or message is None or not ctx.settings.staff_cards:
        return
    person = (
        None if conversation.person_id is None else await uow.people.get(conversation.person_id)
    )
    reads = conversation.locale if person is None else ctx.locale_of(person)
    if message.file_id is not None and message.media is not None:
        body = msg(
            "help.staff.media",
            id=conversation.id,
            name=conversation.name,
            language=language_msg(reads),
            media=msg(f"help.media.{message.media.value}"),
        )
    else:
        body = msg(
            "help.staff.new",
            id=conversation.id,
            name=conversation.name,
            language=language_msg(reads),
            text=message.text,
        )
    rows = [
        (Button(msg("help.staff.button.reply", id=conversation.id), StaffReply(conversation.id)),)
    ]
    if message.file_id is not None:
        # Whoever presses gets the file itself (a Telegram file to Telegram staff), or the
        # desk's page that streams it (a LINE message's content: bot.dialogs.reach).
        rows.insert(
            0,
            (Button(msg("help.staff.button.media", id=conversation.id), StaffMedia(message.id)),),
        )
    buttons = tuple(rows)
    chat = ctx.settings.staff_chat_id
    targets: list[tuple[int, str, bool]] = (
        [(chat, ctx.settings.default_locale, True)]
        if chat is not None
        else [
            (p.telegram_user_id, ctx.locale_of(p), False)
            for p in await staff_of(uow, conversation)
            if p.telegram_user_id is not None
        ]
    )
    for chat_id, locale, is_group in targets:
        await ctx.queue(
            uow,
            Notice(
                chat_id,
                locale,
                Reply((body,), buttons=buttons),
                dedupe_key=f"conv:in:{message.id}:{chat_id}",
                is_group=is_group,
            ),
            at=event.at,
        )


async def answered(ctx: NoticeContext, uow: UnitOfWork, event: ConversationAnswered) -> None:
    conversation = await uow.conversations.get(event.conversation_id)
    message = await uow.conversations.message(event.message_id)
    if conversation is None or message is None:
        return
    person = (
        None if conversation.person_id is None else await uow.people.get(conversation.person_id)
    )
    # Their own language now (they may have changed it since writing); a stranger's as written.
    locale = conversation.locale if person is None else ctx.locale_of(person)
    reply = Reply(
        (
            # Written in two languages (bot.domain.bilingual): the person's part only.
            msg("help.reply.to_person", id=conversation.id, text=for_reader(message.text, locale)),
            msg("help.reply.more"),
        ),
        buttons=((WRITE,), (MENU,)),
    )
    await ctx.queue(
        uow,
        Notice(conversation.chat_id, locale, reply, dedupe_key=f"conv:out:{message.id}"),
        at=event.at,
    )


HANDLERS: Mapping[type[Event], Handler] = {
    ConversationWritten: written,
    ConversationAnswered: answered,
}
