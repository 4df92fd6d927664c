"""Consequences of hour reports: the member hears of a decision; staff cards follow the report.

The one place where "your hours were approved / rejected" is composed, whichever door decided
(a Telegram review list, a staff card, the desk). One notice per report: its dedupe key is the
report's and the decision's time, so a decision told twice (a retried update) is queued once.
The notice is held for the undo window (`bot.domain.undo`): an undone decision is never told.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.menus import MY_MONTH, REPORT_HOURS, Buttons
from bot.domain.bilingual import for_reader
from bot.domain.cards import CardKind
from bot.domain.events import Event, HoursDecided, HoursReported, HoursWithdrawn
from bot.domain.hours import ReportStatus, duration
from bot.domain.replies import Reply, msg
from bot.domain.undo import UndoKind, held_key, held_until
from bot.notices.cards import item_changed
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.services.hours import report_view


async def reported(ctx: NoticeContext, uow: UnitOfWork, event: HoursReported) -> None:
    await item_changed(ctx, uow, CardKind.HOURS, event.report_id, event.at)


async def withdrawn(ctx: NoticeContext, uow: UnitOfWork, event: HoursWithdrawn) -> None:
    await item_changed(ctx, uow, CardKind.HOURS, event.report_id, event.at)


async def decided(ctx: NoticeContext, uow: UnitOfWork, event: HoursDecided) -> None:
    view = await report_view(uow, event.report_id)
    if view is None:
        return
    person, report = view.person, view.report
    locale = ctx.locale_of(person)
    facts = {
        "day": report.day,
        "hours": duration(report.minutes),
        "centre": view.centre.name(locale),
    }
    buttons: Buttons
    if report.status is ReportStatus.REJECTED:
        # Written in two languages (bot.domain.bilingual): the member's part only.
        reason = for_reader(report.reason or "", locale)
        body = msg("hours.notice_rejected", **facts, reason=reason)
        buttons = ((MY_MONTH,), (REPORT_HOURS,))
    else:
        body = msg("hours.notice_approved", **facts)
        buttons = ((MY_MONTH,),)
    await ctx.tell(
        uow,
        person,
        Reply(parts=(body,), buttons=buttons),
        at=event.at,
        # Held while the decider may still undo it (bot/dialogs/confirm.py); a decision made
        # again after an undo is a notice of its own.
        dedupe_key=f"{held_key(UndoKind.HOURS_DECISION, report.id)}{event.at.isoformat()}",
        not_before=held_until(event.at),
    )
    await item_changed(ctx, uow, CardKind.HOURS, event.report_id, event.at)


HANDLERS: Mapping[type[Event], Handler] = {
    HoursReported: reported,
    HoursWithdrawn: withdrawn,
    HoursDecided: decided,
}
