"""`/desk`: a staff member asks for a one-time link that signs them in to the web desk.

Also the notices the desk sends when staff decide on hours there: the same words, buttons and
dedupe keys as the Telegram review, so a member hears once, whichever door staff used.
"""

from __future__ import annotations

from bot.dialogs.engine import Notice, Turn
from bot.dialogs.hours import hours
from bot.dialogs.menus import MENU, MY_MONTH, REPORT_HOURS, Buttons
from bot.domain.coop import Assembly
from bot.domain.errors import PermissionDenied
from bot.domain.replies import Button, Reply, msg
from bot.i18n import resolve_locale
from bot.services.desk_auth import issue_link
from bot.services.hours import ReportView


async def command(turn: Turn) -> None:
    try:
        token = await issue_link(turn.uow, turn.actor, turn.now)
    except PermissionDenied:
        turn.say(msg("desk.tg.staff_only"), buttons=((MENU,),))
        return
    link = f"{turn.settings.desk_url}/login/{token}"
    turn.say(msg("desk.tg.link", link=link, minutes=10), buttons=((MENU,),))


def decision_notice(view: ReportView, default_locale: str) -> Notice | None:
    """What the member reads when their report is approved or rejected (None: no Telegram)."""
    person, report = view.person, view.report
    if person.telegram_user_id is None:
        return None
    locale = resolve_locale(person.locale, person.telegram_language, default_locale)
    facts = {
        "day": report.day,
        "hours": hours(report.minutes),
        "centre": view.centre.name(locale),
    }
    if report.status == "rejected":
        body = msg("hours.notice_rejected", **facts, reason=report.reason or "")
        buttons: Buttons = ((MY_MONTH,), (REPORT_HOURS,))
    else:
        body = msg("hours.notice_approved", **facts)
        buttons = ((MY_MONTH,),)
    return Notice(
        person.telegram_user_id,
        locale,
        Reply(parts=(body,), buttons=buttons),
        dedupe_key=f"hours:decided:{report.id}",
    )


def assembly_reminder(assembly: Assembly, locale: str) -> Reply:
    """The reminder staff send from the desk to members who have not answered a notice."""
    text = msg(
        "desk.remind.text",
        title=assembly.title(locale),
        when=assembly.starts_at,
        place=assembly.place(locale),
        answer_by=assembly.answer_by,
    )
    return Reply(
        parts=(text,), buttons=((Button(msg("desk.remind.open"), f"asm:o:{assembly.id}"),),)
    )
