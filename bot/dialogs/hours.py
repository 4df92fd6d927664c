"""Reporting hours by tapping, and their review by staff.

A member taps: day -> centre and kind of work (their own centres first) -> hours -> send, with an
optional note typed at the last step; four taps for a typical report. Typing is the shortcut:
`/hours 7.5`, `/hours 7:30 yesterday`, or just `今日 7時間30分`. Every step has Back and Cancel.

Callback data carries ids only (`hr:c:3:cleaning`, `hr:a:17`); every press is re-authorised by the
services, which refuse and audit forged ids.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, HOURS_REVIEW, MENU, MY_MONTH, REPORT_HOURS, Buttons, main_menu
from bot.domain.coop import BusinessCentre, WorkKind
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.hours import NOTE_LIMIT, HourReport, check_day, check_minutes, check_note
from bot.domain.hours_parser import parse_hours
from bot.domain.people import Role
from bot.domain.replies import Button, Msg, msg
from bot.services.hours import (
    ReportView,
    approve_reports,
    edit_report,
    for_review,
    month_summary,
    my_report,
    reject_report,
    report_history,
    report_hours,
    review_queue,
    withdraw_report,
    work_options,
)

NAME = "hours"
REJECT = "hours_reject"
QUICK_HOURS = (2, 4, 6, 8)
PICKER_PAGE = 14  # days per page of the date picker
REVIEW_PAGE = 8  # reports per staff review list

BACK = Button(msg("button.back"), "hr:back")


def hours(minutes: int) -> Decimal:
    """Minutes as hours for Babel to format: 450 -> 7.5."""
    return (Decimal(minutes) / 60).normalize()


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.settings.tz).date()


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _nav(*rows: tuple[Button, ...]) -> Buttons:
    return (*rows, (BACK, CANCEL))


def _state(step: str, data: dict[str, Any]) -> DialogState:
    return DialogState(NAME, step, dict(data))


def _error(turn: Turn, error: DomainError, *, buttons: Buttons = ((CANCEL,),)) -> None:
    turn.say(msg(f"hours.error.{error.code}", **error.details), buttons=buttons)


# Opening: the day ------------------------------------------------------------------------


async def start(turn: Turn, data: dict[str, Any] | None = None) -> DialogState:
    """The first step; `data` may already hold the hours typed with `/hours 7.5`."""
    await work_options(turn.uow, turn.actor, turn.now)  # refuses (and audits) non-members
    return _ask_day(turn, dict(data or {}))


def _ask_day(turn: Turn, data: dict[str, Any]) -> DialogState:
    today = _today(turn)
    turn.say(
        msg("hours.ask_day"),
        buttons=(
            (
                Button(msg("button.hours_today", day=today), "hr:d:0"),
                Button(msg("button.hours_yesterday", day=today - timedelta(days=1)), "hr:d:1"),
            ),
            (Button(msg("button.hours_other_day"), "hr:days:0"),),
            (CANCEL,),
        ),
    )
    return _state("day", data)


def _picker(turn: Turn, data: dict[str, Any], page: int) -> DialogState:
    today, window = _today(turn), turn.settings.hours_window_days
    first = page * PICKER_PAGE
    offsets = list(range(first, min(first + PICKER_PAGE, window + 1)))
    rows = [
        tuple(
            Button(msg("hours.day_button", day=today - timedelta(days=n)), f"hr:d:{n}")
            for n in offsets[i : i + 2]
        )
        for i in range(0, len(offsets), 2)
    ]
    paging: list[Button] = []
    if first + PICKER_PAGE <= window:
        paging.append(Button(msg("button.hours_earlier"), f"hr:days:{page + 1}"))
    if page > 0:
        paging.append(Button(msg("button.hours_later"), f"hr:days:{page - 1}"))
    if paging:
        rows.append(tuple(paging))
    turn.say(msg("hours.pick_day", days=window), buttons=_nav(*rows), edit=True)
    return _state("picker", data)


# Centre and kind of work -----------------------------------------------------------------


async def _ask_centre(turn: Turn, data: dict[str, Any]) -> DialogState:
    own, _ = await work_options(turn.uow, turn.actor, turn.now)
    rows = [
        (
            Button(
                msg("hours.option", kind=msg(f"work.{o.kind}"), centre=o.centre.name(turn.locale)),
                f"hr:c:{o.centre.id}:{o.kind}",
            ),
        )
        for o in own
    ]
    rows.append((Button(msg("button.hours_other_centre"), "hr:oc"),))
    turn.say(msg("hours.ask_centre", day=date.fromisoformat(data["day"])), buttons=_nav(*rows))
    return _state("centre", data)


async def _ask_other_centre(turn: Turn, data: dict[str, Any]) -> DialogState:
    _, centres = await work_options(turn.uow, turn.actor, turn.now)
    rows = [
        (Button(msg("hours.centre_button", centre=c.name(turn.locale)), f"hr:cc:{c.id}"),)
        for c in centres
    ]
    turn.say(msg("hours.ask_other_centre"), buttons=_nav(*rows))
    return _state("other_centre", data)


async def _centre_named(turn: Turn, centre_id: int) -> BusinessCentre | None:
    _, centres = await work_options(turn.uow, turn.actor, turn.now)
    return next((c for c in centres if c.id == centre_id), None)


async def _ask_kind(turn: Turn, data: dict[str, Any], centre: BusinessCentre) -> DialogState:
    rows = [(Button(msg(f"work.{kind}"), f"hr:c:{centre.id}:{kind}"),) for kind in WorkKind]
    turn.say(msg("hours.ask_kind", centre=centre.name(turn.locale)), buttons=_nav(*rows))
    return _state("kind", {**data, "other_centre": centre.id})


# Hours, note, confirmation ----------------------------------------------------------------


async def _summary(turn: Turn, data: dict[str, Any]) -> dict[str, object]:
    centre = await _centre_named(turn, int(data["centre"]))
    return {
        "day": date.fromisoformat(data["day"]),
        "centre": centre.name(turn.locale) if centre else "?",
        "kind": msg(f"work.{data['kind']}"),
    }


async def _ask_hours(turn: Turn, data: dict[str, Any]) -> DialogState:
    quick = tuple(Button(msg("hours.hours_button", hours=h), f"hr:h:{h * 60}") for h in QUICK_HOURS)
    turn.say(
        msg("hours.ask_hours", **await _summary(turn, data)),
        buttons=_nav(quick, (Button(msg("button.hours_other_amount"), "hr:ho"),)),
    )
    return _state("hours", data)


def _ask_typed_hours(turn: Turn, data: dict[str, Any]) -> DialogState:
    turn.say(msg("hours.type_hours"), buttons=_nav())
    return _state("hours_text", data)


async def _confirm(turn: Turn, data: dict[str, Any]) -> DialogState:
    parts = [msg("hours.confirm", hours=hours(int(data["minutes"])), **await _summary(turn, data))]
    if data.get("note"):
        parts.append(msg("hours.confirm_note", note=data["note"]))
    parts.append(msg("hours.confirm_hint", limit=NOTE_LIMIT))
    send = Button(msg("button.hours_send"), "hr:ok")
    turn.say(*parts, buttons=_nav((send,), (Button(msg("button.hours_add_note"), "hr:note"),)))
    return _state("confirm", data)


def _ask_note(turn: Turn, data: dict[str, Any]) -> DialogState:
    turn.say(
        msg("hours.ask_note", limit=NOTE_LIMIT),
        buttons=_nav((Button(msg("button.skip"), "hr:skip"),)),
    )
    return _state("note", data)


async def _submit(turn: Turn, data: dict[str, Any], replaces: int | None) -> DialogState | None:
    try:
        if data.get("edit"):
            report = await edit_report(
                turn.uow,
                turn.actor,
                int(data["edit"]),
                minutes=int(data["minutes"]),
                note=data.get("note"),
                now=turn.now,
            )
            done = msg("hours.edited", day=report.day, hours=hours(report.minutes))
        else:
            report = await report_hours(
                turn.uow,
                turn.actor,
                day=date.fromisoformat(data["day"]),
                centre_id=int(data["centre"]),
                kind=WorkKind(data["kind"]),
                minutes=int(data["minutes"]),
                note=data.get("note"),
                today=_today(turn),
                window_days=turn.settings.hours_window_days,
                now=turn.now,
                replaces=replaces,
            )
            done = msg("hours.sent", day=report.day, hours=hours(report.minutes))
    except PermissionDenied:
        raise
    except DomainError as error:
        first = error.details.get("report")
        if error.code == "hours_duplicate" and isinstance(first, HourReport):
            turn.say(
                msg(
                    "hours.duplicate",
                    day=first.day,
                    hours=hours(first.minutes),
                    status=msg(f"hours.status.{first.status}"),
                ),
                buttons=_nav((Button(msg("button.hours_replace"), "hr:rep"),)),
            )
            return _state("duplicate", {**data, "replaces": first.id})
        _error(turn, error, buttons=_nav())
        return _state("confirm", data)
    parts = [done]
    if replaces is not None:
        parts.append(msg("hours.replaced"))
    turn.say(*parts, buttons=((MY_MONTH,), (REPORT_HOURS,), (MENU,)))
    return None


# Typing: /hours 7.5, free text, typed hours, notes --------------------------------------


async def command(turn: Turn) -> DialogState | None:
    """`/hours` opens the dialog; `/hours 7:30 yesterday` fills in the hours (and the day)."""
    try:
        if not turn.text:
            return await start(turn)
        return await _typed_report(turn, turn.text)
    except PermissionDenied:
        turn.say(msg("hours.members_only"), buttons=((MENU,),))
        return None


async def looks_like_hours(turn: Turn) -> bool:
    """Whether a member's free text outside any dialog is about hours (`今日 7時間30分`)."""
    if Role.MEMBER not in turn.actor.roles:
        return False
    try:
        parse_hours(turn.text, _today(turn), turn.settings.hours_window_days)
    except InvalidInput as error:
        # Hours that break a rule (`25`, `7.1`) are still hours: the answer says what is wrong.
        return error.code != "hours_format"
    return True


async def typed(turn: Turn) -> DialogState | None:
    return await _typed_report(turn, turn.text)


async def _typed_report(turn: Turn, text: str) -> DialogState | None:
    await work_options(turn.uow, turn.actor, turn.now)  # refuses (and audits) non-members
    try:
        parsed = parse_hours(text, _today(turn), turn.settings.hours_window_days)
    except InvalidInput as error:
        _error(turn, error, buttons=((REPORT_HOURS,), (CANCEL,)))
        return None
    data: dict[str, Any] = {"minutes": parsed.minutes}
    if parsed.day is None:
        return _ask_day(turn, data)
    return await _ask_centre(turn, {**data, "day": parsed.day.isoformat()})


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    data = dict(state.data)
    if state.step in ("hours", "hours_text"):
        try:
            parsed = parse_hours(turn.text, _today(turn), turn.settings.hours_window_days)
        except InvalidInput as error:
            _error(turn, error, buttons=_nav())
            return state
        data["minutes"] = parsed.minutes
        if parsed.day is not None and not data.get("edit"):
            data["day"] = parsed.day.isoformat()
        return await _confirm(turn, data)
    if state.step in ("confirm", "note"):
        try:
            data["note"] = check_note(turn.text)
        except InvalidInput as error:
            _error(turn, error, buttons=_nav())
            return state
        return await _confirm(turn, data)
    turn.say(msg("hours.use_buttons"), buttons=_nav())
    return state


# Buttons --------------------------------------------------------------------------------


async def on_button(
    turn: Turn, state: DialogState | None, data: str
) -> tuple[bool, DialogState | None]:
    """(handled, new state) for the buttons of this module; (False, None) for anyone else's."""
    parts = data.split(":")
    head = parts[0]
    if data == "hr":
        return True, await start(turn)
    if data == "hrq":
        await show_review(turn)
        return True, None
    if head == "hrm" and len(parts) <= 2:
        month = _month_arg(parts[1]) if len(parts) == 2 else _today(turn)
        if month is None:
            return False, None
        await show_month(turn, month)
        return True, None
    if head != "hr" or len(parts) < 2:
        return False, None
    action, args = parts[1], parts[2:]
    ids_ok = all(_is_id(a) for a in args)
    if action in ("v", "e", "w", "wy", "a", "r") and len(args) == 1 and ids_ok:
        return True, await _report_action(turn, state, action, int(args[0]))
    if action == "aa" and len(args) == 2 and ids_ok:
        await _approve_range(turn, int(args[0]), int(args[1]))
        return True, None
    return await _dialog_button(turn, state, action, args)


async def _dialog_button(
    turn: Turn, state: DialogState | None, action: str, args: list[str]
) -> tuple[bool, DialogState | None]:
    """Buttons inside the reporting dialog: they need its state, or they are stale."""
    if state is None or state.dialog != NAME:
        if action in ("d", "days", "c", "cc", "oc", "h", "ho", "ok", "rep", "note", "skip", "back"):
            turn.toast = msg("hours.stale")
            return True, await start(turn)
        return False, None
    data = dict(state.data)
    window = turn.settings.hours_window_days
    if action == "d" and len(args) == 1 and _is_id(args[0]) and int(args[0]) <= window:
        day = _today(turn) - timedelta(days=int(args[0]))
        check_day(day, _today(turn), window)
        data["day"] = day.isoformat()
        return True, await _ask_centre(turn, data)
    if action == "days" and len(args) == 1 and _is_id(args[0]):
        return True, _picker(turn, data, min(int(args[0]), window // PICKER_PAGE))
    if action == "oc" and not args:
        return True, await _ask_other_centre(turn, data)
    if action == "cc" and len(args) == 1 and _is_id(args[0]):
        centre = await _centre_named(turn, int(args[0]))
        if centre is not None and "day" in data:
            return True, await _ask_kind(turn, data, centre)
    if action == "c" and len(args) == 2 and _is_id(args[0]) and args[1] in set(WorkKind):
        centre = await _centre_named(turn, int(args[0]))
        if centre is not None and "day" in data:
            data.update(centre=centre.id, kind=args[1])
            if "minutes" in data:
                return True, await _confirm(turn, data)
            return True, await _ask_hours(turn, data)
    if action == "h" and len(args) == 1 and _is_id(args[0]) and "centre" in data:
        try:
            data["minutes"] = check_minutes(int(args[0]))
        except InvalidInput:
            return False, None
        return True, await _confirm(turn, data)
    if action == "ho" and "centre" in data:
        return True, _ask_typed_hours(turn, data)
    if action in ("ok", "rep") and "minutes" in data:
        replaces = data.get("replaces") if action == "rep" else None
        return True, await _submit(turn, data, replaces)
    if action == "note":
        return True, _ask_note(turn, data)
    if action == "skip":
        data.pop("note", None)
        return True, await _confirm(turn, data)
    if action == "back":
        return True, await _back(turn, state.step, data)
    return False, None


async def _back(turn: Turn, step: str, data: dict[str, Any]) -> DialogState | None:
    if data.get("edit") and step in ("hours", "hours_text"):
        await _show_report(turn, int(data["edit"]))
        return None
    if step in ("centre", "picker"):
        return _ask_day(turn, data)
    if step == "other_centre":
        return await _ask_centre(turn, data)
    if step == "kind":
        return await _ask_other_centre(turn, data)
    if step in ("hours", "hours_text"):
        return await _ask_centre(turn, data)
    if step in ("confirm", "duplicate"):
        return await _ask_hours(turn, data)
    if step == "note":
        return await _confirm(turn, data)
    title, buttons = main_menu(turn.actor)
    turn.say(title, buttons=buttons)
    return None


# A member's own reports: the month, one report, change, withdraw -----------------------------


def _month_arg(text: str) -> date | None:
    if len(text) != 6 or not _is_id(text):
        return None
    year, month = int(text[:4]), int(text[4:])
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _item(turn: Turn, view: ReportView) -> Msg:
    report = view.report
    item = msg(
        "hours.month_item",
        day=report.day,
        hours=hours(report.minutes),
        centre=view.centre.name(turn.locale),
        status=msg(f"hours.status.{report.status}"),
    )
    return _flagged(item, report)


def _flagged(item: Msg, report: HourReport) -> Msg:
    """Volunteer hours are marked wherever reports are listed: they are counted apart."""
    return msg("volunteers.hours_flag", item=item) if report.volunteer else item


async def show_month(turn: Turn, month: date) -> None:
    summary = await month_summary(turn.uow, turn.actor, month, turn.now)
    parts = [msg("hours.month_title", month=summary.first_day)]
    if not summary.reports:
        parts.append(msg("hours.month_none"))
    else:
        parts.append(
            msg(
                "hours.month_totals",
                days=summary.days,
                approved=hours(summary.approved),
                pending=hours(summary.pending),
                rejected=hours(summary.rejected),
            )
        )
        parts += [
            msg("hours.month_centre", centre=c.centre.name(turn.locale), hours=hours(c.minutes))
            for c in summary.per_centre
        ]
        parts.append(msg("hours.month_list"))
        parts += [_item(turn, v) for v in summary.reports]
    rows: list[tuple[Button, ...]] = []
    for v in [v for v in summary.reports if v.report.is_active][:20]:
        label = msg("hours.view_button", day=v.report.day, hours=hours(v.report.minutes))
        rows.append((Button(label, f"hr:v:{v.report.id}"),))
    previous = (summary.first_day - timedelta(days=1)).replace(day=1)
    paging = [Button(msg("button.hours_prev_month"), f"hrm:{previous:%Y%m}")]
    following = (summary.first_day + timedelta(days=32)).replace(day=1)
    if following <= _today(turn):
        paging.append(Button(msg("button.hours_next_month"), f"hrm:{following:%Y%m}"))
    rows += [tuple(paging), (REPORT_HOURS,), (MENU,)]
    turn.say(*parts, buttons=tuple(rows))


async def _show_report(turn: Turn, report_id: int) -> None:
    view, changes = await report_history(turn.uow, turn.actor, report_id, turn.now)
    report = view.report
    parts = [
        msg(
            "hours.report",
            day=report.day,
            centre=view.centre.name(turn.locale),
            kind=msg(f"work.{report.kind}"),
            hours=hours(report.minutes),
            status=msg(f"hours.status.{report.status}"),
        )
    ]
    if report.note:
        parts.append(msg("hours.confirm_note", note=report.note))
    if report.reason:
        parts.append(msg("hours.reason", reason=report.reason))
    parts.append(msg("hours.history_title"))
    parts += [
        msg(
            "hours.history_row",
            when=change.at,
            who=who.display_name if who else "—",
            action=msg(f"hours.action.{change.action}"),
        )
        for change, who in changes
    ]
    rows: list[tuple[Button, ...]] = []
    if report.status == "pending" and report.person_id == turn.actor.person_id:
        rows.append((Button(msg("button.hours_change"), f"hr:e:{report.id}"),))
        rows.append((Button(msg("button.hours_withdraw"), f"hr:w:{report.id}"),))
    rows += [(Button(msg("button.my_month"), f"hrm:{report.day:%Y%m}"),), (MENU,)]
    turn.say(*parts, buttons=tuple(rows))


async def _report_action(
    turn: Turn, state: DialogState | None, action: str, report_id: int
) -> DialogState | None:
    if action == "v":
        await _show_report(turn, report_id)
        return None
    if action == "a":
        await _approve(turn, [report_id])
        return None
    if action == "r":
        return await _ask_reason(turn, report_id)
    view = await my_report(turn.uow, turn.actor, report_id, turn.now)
    report = view.report
    if action == "e":
        if report.status != "pending":
            _error(turn, DomainError("hours_not_pending"), buttons=((MY_MONTH,), (MENU,)))
            return None
        data = {
            "edit": report.id,
            "day": report.day.isoformat(),
            "centre": report.centre_id,
            "kind": report.kind.value,
            "note": report.note,
        }
        return await _ask_hours(turn, data)
    if action == "w":
        turn.say(
            _item(turn, view),
            msg("hours.withdraw_confirm"),
            buttons=(
                (Button(msg("button.hours_withdraw_yes"), f"hr:wy:{report.id}"),),
                (Button(msg("button.back"), f"hr:v:{report.id}"),),
            ),
        )
        return state
    try:
        await withdraw_report(turn.uow, turn.actor, report_id, turn.now)
    except DomainError as error:
        _error(turn, error, buttons=((MY_MONTH,), (MENU,)))
        return None
    turn.say(msg("hours.withdrawn"), buttons=((MY_MONTH,), (REPORT_HOURS,), (MENU,)))
    return None


# Staff review ---------------------------------------------------------------------------


def _review_item(turn: Turn, view: ReportView) -> Msg:
    report = view.report
    item = msg(
        "hours.review_item",
        id=report.id,
        name=view.person.display_name,
        day=report.day,
        centre=view.centre.name(turn.locale),
        kind=msg(f"work.{report.kind}"),
        hours=hours(report.minutes),
        note=report.note or "—",
    )
    return _flagged(item, report)


async def show_review(turn: Turn) -> None:
    views = await review_queue(turn.uow, turn.actor, turn.now, REVIEW_PAGE + 1)
    shown = views[:REVIEW_PAGE]
    if not shown:
        turn.say(msg("hours.review_title"), msg("hours.review_none"), buttons=((MENU,),))
        return
    parts = [msg("hours.review_title"), *(_review_item(turn, v) for v in shown)]
    if len(views) > len(shown):
        parts.append(msg("hours.review_more"))
    rows: list[tuple[Button, ...]] = [
        (
            Button(msg("button.hours_approve", id=v.report.id), f"hr:a:{v.report.id}"),
            Button(msg("button.hours_reject", id=v.report.id), f"hr:r:{v.report.id}"),
        )
        for v in shown
    ]
    first, last = shown[0].report.id, shown[-1].report.id
    all_shown = Button(msg("button.hours_approve_all", count=len(shown)), f"hr:aa:{first}:{last}")
    rows += [(all_shown,), (MENU,)]
    turn.say(*parts, buttons=tuple(rows))


async def _approve(turn: Turn, report_ids: list[int]) -> None:
    approved = await approve_reports(turn.uow, turn.actor, report_ids, turn.now)
    done = msg("hours.approved_count", count=len(approved))
    turn.toast = done if approved else msg("hours.approved_none")
    turn.say(turn.toast)
    await show_review(turn)


async def _approve_range(turn: Turn, first: int, last: int) -> None:
    """'Approve all shown': the list shows pending reports by id, so the range is what was shown."""
    if last < first:
        first, last = last, first
    views = await review_queue(turn.uow, turn.actor, turn.now, REVIEW_PAGE * 4)
    ids = [v.report.id for v in views if first <= v.report.id <= last]
    await _approve(turn, ids[:REVIEW_PAGE])


async def _ask_reason(turn: Turn, report_id: int) -> DialogState | None:
    view = await for_review(turn.uow, turn.actor, report_id, turn.now)
    if view.report.status != "pending":
        _error(turn, DomainError("hours_not_pending"), buttons=((HOURS_REVIEW,), (MENU,)))
        return None
    turn.say(_review_item(turn, view), msg("hours.ask_reason"), buttons=((CANCEL,),))
    return DialogState(REJECT, "reason", {"id": report_id})


async def on_reason(turn: Turn, state: DialogState) -> DialogState | None:
    report_id = int(state.data["id"])
    try:
        await reject_report(turn.uow, turn.actor, report_id, turn.text, turn.now)
    except InvalidInput as error:
        _error(turn, error)
        return state
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
        return None
    except DomainError as error:
        _error(turn, error, buttons=((HOURS_REVIEW,), (MENU,)))
        return None
    turn.say(msg("hours.rejected_done", id=report_id))
    await show_review(turn)
    return None
