"""Consequences of broadcasts: the copies readers get, the coordinator's progress and summary.

The copies are the broadcast itself, queued in bulk: the pump streams a page of recipients and
queues the page in a few statements, so it is given `BroadcastCopies` at composition (as it was
given a renderer before) rather than recording an event per person. `BroadcastCopies` renders
the message once per language for the page and addresses it to each recipient.

The coordinator hears of progress through the pump's events: `BroadcastProgressed` edits one
progress message in place (the first is sent once, by its dedupe key; an edit goes out only when
the text changes, which Telegram requires), and `BroadcastFinished` makes that message read
finished (or cancelled, with what was not sent) and then sends the summary naming who could not
be reached, so staff can phone them. Progress edits are people's answers, not bulk: they go
ahead of the copies, and a newer one replaces one still pending (the outbox keeps the latest
edit of a message). While the message shows a question (`Broadcast.asking`: cancel?), progress
waits; only the end of the broadcast replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bot.dialogs.broadcasts import control_buttons, message_for, progress_reply
from bot.dialogs.engine import DialogSettings
from bot.domain.broadcasts import (
    OPEN_STATUSES,
    Broadcast,
    BroadcastChanged,
    BroadcastStatus,
    Draft,
    Progress,
    Recipient,
    Unreached,
)
from bot.domain.events import BroadcastFinished, BroadcastHeld, BroadcastProgressed, Event
from bot.domain.outbound import OutboundMessage
from bot.domain.replies import Msg, Reply, msg
from bot.i18n import resolve_locale
from bot.notices.context import Handler, NoticeContext
from bot.ports.line import MonthQuota
from bot.ports.store import UnitOfWork
from bot.rendering import Renderer
from bot.services.line_quota import LineCost, cost_lines

UNREACHED_SHOWN = 200  # names looked up for the final summary
SUMMARY_CHARS = 3000  # of names in it; the rest are counted


class BroadcastCopies:
    """Implements `bot.services.broadcasts.Copies`: each recipient's copy in their language."""

    def __init__(self, renderer: Renderer, settings: DialogSettings) -> None:
        self._renderer = renderer
        self._default_locale = settings.default_locale

    def __call__(
        self, draft: Draft, page: Sequence[Recipient]
    ) -> list[tuple[int, OutboundMessage]]:
        rendered: dict[str, OutboundMessage] = {}  # one rendering per language, not per person
        copies = []
        for recipient in page:
            locale = resolve_locale(
                recipient.locale, recipient.telegram_language, self._default_locale
            )
            message = rendered.get(locale)
            if message is None:
                message = rendered[locale] = self._renderer.render(
                    message_for(draft, locale), recipient.telegram_user_id, locale
                )
            copies.append(
                (recipient.person_id, replace(message, chat_id=recipient.telegram_user_id))
            )
        return copies


async def progressed(ctx: NoticeContext, uow: UnitOfWork, event: BroadcastProgressed) -> None:
    broadcast = await uow.broadcasts.get(event.broadcast_id)
    if broadcast is not None:
        await _show_progress(ctx, uow, broadcast, event.progress, event.at)


async def finished(ctx: NoticeContext, uow: UnitOfWork, event: BroadcastFinished) -> None:
    broadcast = await uow.broadcasts.get(event.broadcast_id)
    if broadcast is None or broadcast.coordinator_chat_id is None:
        return
    if broadcast.status is BroadcastStatus.CANCELLED and broadcast.progress_outbox_id is None:
        return  # cancelled before its first progress: the coordinator's answer said it all
    await _show_progress(ctx, uow, broadcast, event.progress, event.at)
    # After the last progress edit, so that it reads finished when the summary arrives.
    missed = await uow.broadcasts.unreached(broadcast.id, UNREACHED_SHOWN + 1)
    rendered = ctx.renderer.render(
        summary(broadcast, event.progress, missed),
        broadcast.coordinator_chat_id,
        broadcast.coordinator_locale,
    )
    await uow.outbox.add(rendered, event.at, dedupe_key=f"bc:{broadcast.id}:summary")


async def _show_progress(
    ctx: NoticeContext, uow: UnitOfWork, broadcast: Broadcast, state: Progress, at: datetime
) -> None:
    """Sends the progress message, or edits it if its text changed; the broadcast keeps which
    message it is and what it says."""
    chat_id = broadcast.coordinator_chat_id
    if chat_id is None:
        return
    if broadcast.asking and broadcast.status in OPEN_STATUSES:
        return  # the message asks the coordinator something: the answer shows the progress
    reply = progress_reply(broadcast, state)
    locale = broadcast.coordinator_locale
    message = ctx.renderer.render(reply, chat_id, locale)
    if message.text == broadcast.progress_text:
        return  # Telegram refuses an edit that changes nothing
    if broadcast.progress_outbox_id is None:
        outbox_id = await uow.outbox.add(message, at, dedupe_key=f"bc:{broadcast.id}:progress")
    else:
        message_id = await uow.broadcasts.message_id(broadcast.progress_outbox_id)
        if message_id is None:
            return  # the first progress message has not gone out yet
        edit = ctx.renderer.render(
            replace(reply, edit=True), chat_id, locale, edit_message_id=message_id
        )
        await uow.outbox.add(edit, at)
        outbox_id = broadcast.progress_outbox_id
    shown = replace(
        broadcast, progress_outbox_id=outbox_id, progress_at=at, progress_text=message.text
    )
    if not await uow.broadcasts.save(shown, was=broadcast.status, was_cursor=broadcast.cursor):
        raise BroadcastChanged()  # nothing of this step is kept; the pump's next one retries


def summary(broadcast: Broadcast, state: Progress, missed: Sequence[Unreached]) -> Reply:
    """The final report: counts, then who could not be reached, so staff can phone them.

    Names fill at most `SUMMARY_CHARS` (a Telegram message holds 4,096 characters, and a name
    may be long); the rest are counted, and the desk lists them all.
    """
    if broadcast.status is BroadcastStatus.CANCELLED:
        head = msg(
            "broadcasts.summary.cancelled",
            id=broadcast.id,
            sent=state.sent,
            not_sent=state.not_sent,
            failed=state.failed,
        )
    else:
        head = msg("broadcasts.summary", id=broadcast.id, sent=state.sent, failed=state.failed)
    parts: list[Msg] = [head]
    lines: list[str] = []
    used = 0
    for person in missed:
        line = f"・{person.display_name} (#{person.person_id})"
        if used + len(line) > SUMMARY_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        parts.append(msg("broadcasts.summary.unreached", names="\n".join(lines)))
    if state.failed > len(lines):
        parts.append(msg("broadcasts.summary.more", count=state.failed - len(lines)))
    if broadcast.skipped:
        parts.append(msg("broadcasts.summary.skipped", count=broadcast.skipped))
    return Reply(parts=tuple(parts))


async def held(ctx: NoticeContext, uow: UnitOfWork, event: BroadcastHeld) -> None:
    """The coordinator hears that their broadcast, due now, was held for LINE's monthly
    messages: what it costs, what is left, and Resume (checked again) or Cancel. One composed
    on the desk has no coordinator's chat: its author is told in their own chat."""
    broadcast = await uow.broadcasts.get(event.broadcast_id)
    if broadcast is None:
        return
    cost = LineCost(event.line_messages, MonthQuota(event.limit, event.used))
    reply = Reply(
        parts=(msg("line.quota.held", id=broadcast.id), *cost_lines(cost)),
        buttons=control_buttons(broadcast),
    )
    # Once per hold: a resumed broadcast held again is told again.
    key = f"bc:{broadcast.id}:held-{int(event.at.timestamp())}"
    if broadcast.coordinator_chat_id is not None:
        rendered = ctx.renderer.render(
            reply, broadcast.coordinator_chat_id, broadcast.coordinator_locale
        )
        await uow.outbox.add(rendered, event.at, dedupe_key=key)
        return
    author = None if broadcast.created_by is None else await uow.people.get(broadcast.created_by)
    if author is not None:
        await ctx.tell(uow, author, reply, at=event.at, dedupe_key=key)


HANDLERS: Mapping[type[Event], Handler] = {
    BroadcastProgressed: progressed,
    BroadcastFinished: finished,
    BroadcastHeld: held,
}
