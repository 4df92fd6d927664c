"""Reporting hours by tapping, and their review by staff.

A member taps: day -> centre and kind of work (their own centres first) -> hours -> send, with an
optional note typed at the last step; four taps for a typical report. Typing is the shortcut, in
the words people use (`bot.domain.hours_parser`): `/hours 7.5`, `昨日は7時間半働きました`,
`きょう ８じかん`; a time range (`8時から17時`) is followed by a question about the break. A shift
that is over reports in two taps: "worked as planned" (from My shifts), then Send. Every step has
Back and Cancel.

Buttons are typed callback data carrying ids only (`hr:c:3:cleaning`, `hr:a:17`); the dialog's
buttons work only at the steps they belong to, and Send is bound to the draft it was shown for,
so a Send pressed on an older message never sends a newer draft. Every press is re-authorised by
the services, which refuse and audit forged ids.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from bot.dialogs.confirm import Done, Undoable, confirm, undo_hint, undo_row, undoable
from bot.dialogs.engine import Turn
from bot.dialogs.menus import (
    CANCEL,
    HOURS_REVIEW,
    MENU,
    MY_MONTH,
    MY_SHIFTS,
    REPORT_HOURS,
    Buttons,
    MonthView,
    ReviewList,
    StartReport,
    main_menu,
)
from bot.dialogs.reach import contact_parts
from bot.dialogs.registry import Dialog, ForgedButton, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.coop import BusinessCentre, WorkKind
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.hours import (
    NOTE_LIMIT,
    HourReport,
    check_day,
    check_minutes,
    check_note,
    duration,
)
from bot.domain.hours_parser import ParsedHours, Span, parse_break, parse_hours, worked
from bot.domain.people import Role
from bot.domain.replies import Button, Msg, msg
from bot.domain.undo import UndoKind
from bot.services.hours import (
    ReportView,
    approve_reports,
    edit_report,
    for_review,
    month_summary,
    my_report,
    planned_work,
    preview_approvals,
    reject_report,
    report_history,
    report_hours,
    undo_approvals,
    waiting_for_review,
    withdraw_report,
    work_options,
)

NAME = "hours"
REJECT = "hours_reject"
QUICK_HOURS = (2, 4, 6, 8)
BREAKS = (0, 30, 45, 60)  # minutes offered after a time range; any other is typed
PICKER_PAGE = 14  # days per page of the date picker
REVIEW_PAGE = 8  # reports per staff review list

T = TypeVar("T")


# State ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class HoursDraft(DialogData):
    """A report being made (or a pending one being changed), as far as the member has got."""

    draft: int  # which draft this is: Send and Replace buttons carry it
    day: date | None = None
    centre_id: int | None = None
    kind: WorkKind | None = None
    minutes: int | None = None
    note: str | None = None
    other_centre: int | None = None  # a centre picked under "another centre", kind still to pick
    edit: int | None = None  # the pending report being changed
    replaces: int | None = None  # the report of the same day, centre and kind Replace withdraws
    # A time range typed (`8時から17時`), in minutes after the day's midnight (past 1440:
    # overnight), and the break taken off it: asked at the "break" step, shown at the summary.
    span_start: int | None = None
    span_end: int | None = None
    break_minutes: int | None = None
    shift_id: int | None = None  # "worked as planned": the shift whose hours these are


@dataclass(frozen=True, kw_only=True)
class RejectReason(DialogData):
    """Staff pressed Reject on a report: the reason is typed next."""

    report_id: int


ALL_STEPS = (
    "day",
    "picker",
    "centre",
    "other_centre",
    "kind",
    "hours",
    "hours_text",
    "break",
    "confirm",
    "note",
    "duplicate",
)
DIALOG = Dialog(
    NAME,
    prefixes=("hr", "hrm", "hrq"),
    state=StateCodec(NAME, HoursDraft),
    steps=ALL_STEPS,
)
REJECT_DIALOG = Dialog(REJECT, state=StateCodec(REJECT, RejectReason), steps=("reason",))
DIALOGS = (DIALOG, REJECT_DIALOG)


# Buttons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickDay(CallbackData, tag="hr:d"):
    days_ago: int


@dataclass(frozen=True)
class DayPage(CallbackData, tag="hr:days"):
    page: int


@dataclass(frozen=True)
class OtherCentre(CallbackData, tag="hr:oc"):
    pass


@dataclass(frozen=True)
class PickCentre(CallbackData, tag="hr:cc"):
    centre_id: int


@dataclass(frozen=True)
class PickWork(CallbackData, tag="hr:c"):
    centre_id: int
    kind: WorkKind


@dataclass(frozen=True)
class PickHours(CallbackData, tag="hr:h"):
    minutes: int


@dataclass(frozen=True)
class TypeHours(CallbackData, tag="hr:ho"):
    pass


@dataclass(frozen=True)
class PickBreak(CallbackData, tag="hr:br"):
    minutes: int


@dataclass(frozen=True)
class AsPlanned(CallbackData, tag="hr:plan"):
    """Worked as planned: the hours of this shift (its day, centre, kind, start to end)."""

    shift_id: int


@dataclass(frozen=True)
class Send(CallbackData, tag="hr:ok"):
    draft: int


@dataclass(frozen=True)
class Replace(CallbackData, tag="hr:rep"):
    draft: int


@dataclass(frozen=True)
class AddNote(CallbackData, tag="hr:note"):
    pass


@dataclass(frozen=True)
class SkipNote(CallbackData, tag="hr:skip"):
    pass


@dataclass(frozen=True)
class Back(CallbackData, tag="hr:back"):
    pass


@dataclass(frozen=True)
class ViewReport(CallbackData, tag="hr:v"):
    report_id: int


@dataclass(frozen=True)
class ChangeReport(CallbackData, tag="hr:e"):
    report_id: int


@dataclass(frozen=True)
class AskWithdraw(CallbackData, tag="hr:w"):
    report_id: int


@dataclass(frozen=True)
class Withdraw(CallbackData, tag="hr:wy"):
    report_id: int


@dataclass(frozen=True)
class Approve(CallbackData, tag="hr:a"):
    report_id: int


@dataclass(frozen=True)
class AskReject(CallbackData, tag="hr:r"):
    report_id: int


@dataclass(frozen=True)
class ApproveShown(CallbackData, tag="hr:aa"):
    first_id: int
    last_id: int


BACK = Button(msg("button.back"), Back())


hours = duration  # the name every message argument here uses


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.settings.tz).date()


def _nav(*rows: tuple[Button, ...]) -> Buttons:
    return (*rows, (BACK, CANCEL))


def _known(value: T | None) -> T:
    """A field the step needs; a draft without it is a screen of another time."""
    if value is None:
        raise StaleScreen()
    return value


def _error(turn: Turn, error: DomainError, *, buttons: Buttons = ((CANCEL,),)) -> None:
    turn.say(msg(f"hours.error.{error.code}", **error.details), buttons=buttons)


# Opening: the day ------------------------------------------------------------------------


def _new_draft(turn: Turn, minutes: int | None = None) -> HoursDraft:
    return HoursDraft(step="day", draft=turn.incoming.update_id, minutes=minutes)


@DIALOG.button(StartReport)
async def _start_pressed(turn: Turn, _: StartReport, state: DialogState | None) -> Next:
    return await start(turn)


async def start(turn: Turn, minutes: int | None = None) -> HoursDraft:
    """The first step; `minutes` may already hold the hours typed with `/hours 7.5`."""
    await work_options(turn.uow, turn.actor, turn.now)  # refuses (and audits) non-members
    return _ask_day(turn, _new_draft(turn, minutes))


def _ask_day(turn: Turn, draft: HoursDraft) -> HoursDraft:
    today = _today(turn)
    turn.say(
        msg("hours.ask_day"),
        buttons=(
            (
                Button(msg("button.hours_today", day=today), PickDay(0)),
                Button(msg("button.hours_yesterday", day=today - timedelta(days=1)), PickDay(1)),
            ),
            (Button(msg("button.hours_other_day"), DayPage(0)),),
            (CANCEL,),
        ),
    )
    return replace(draft, step="day")


def _picker(turn: Turn, draft: HoursDraft, page: int) -> HoursDraft:
    today, window = _today(turn), turn.settings.hours_window_days
    first = page * PICKER_PAGE
    offsets = list(range(first, min(first + PICKER_PAGE, window + 1)))
    rows = [
        tuple(
            Button(msg("hours.day_button", day=today - timedelta(days=n)), PickDay(n))
            for n in offsets[i : i + 2]
        )
        for i in range(0, len(offsets), 2)
    ]
    paging: list[Button] = []
    if first + PICKER_PAGE <= window:
        paging.append(Button(msg("button.hours_earlier"), DayPage(page + 1)))
    if page > 0:
        paging.append(Button(msg("button.hours_later"), DayPage(page - 1)))
    if paging:
        rows.append(tuple(paging))
    turn.say(msg("hours.pick_day", days=window), buttons=_nav(*rows), edit=True)
    return replace(draft, step="picker")


@DIALOG.button(PickDay, steps=("day", "picker"))
async def _day_picked(turn: Turn, pressed: PickDay, draft: HoursDraft) -> Next:
    window = turn.settings.hours_window_days
    if pressed.days_ago > window:
        raise ForgedButton()
    day = _today(turn) - timedelta(days=pressed.days_ago)
    check_day(day, _today(turn), window)
    return await _ask_centre(turn, replace(draft, day=day))


@DIALOG.button(DayPage, steps=("day", "picker"))
async def _day_page(turn: Turn, pressed: DayPage, draft: HoursDraft) -> Next:
    last_page = turn.settings.hours_window_days // PICKER_PAGE
    return _picker(turn, draft, min(pressed.page, last_page))


# Centre and kind of work -----------------------------------------------------------------


async def _ask_centre(turn: Turn, draft: HoursDraft) -> HoursDraft:
    own, _ = await work_options(turn.uow, turn.actor, turn.now)
    rows = [
        (
            Button(
                msg("hours.option", kind=msg(f"work.{o.kind}"), centre=o.centre.name(turn.locale)),
                PickWork(o.centre.id, o.kind),
            ),
        )
        for o in own
    ]
    rows.append((Button(msg("button.hours_other_centre"), OtherCentre()),))
    turn.say(msg("hours.ask_centre", day=_known(draft.day)), buttons=_nav(*rows))
    return replace(draft, step="centre")


@DIALOG.button(OtherCentre, steps=("centre",))
async def _other_centre_pressed(turn: Turn, _: OtherCentre, draft: HoursDraft) -> Next:
    return await _ask_other_centre(turn, draft)


async def _ask_other_centre(turn: Turn, draft: HoursDraft) -> HoursDraft:
    _, centres = await work_options(turn.uow, turn.actor, turn.now)
    rows = [
        (Button(msg("hours.centre_button", centre=c.name(turn.locale)), PickCentre(c.id)),)
        for c in centres
    ]
    turn.say(msg("hours.ask_other_centre"), buttons=_nav(*rows))
    return replace(draft, step="other_centre")


async def _centre_named(turn: Turn, centre_id: int) -> BusinessCentre | None:
    _, centres = await work_options(turn.uow, turn.actor, turn.now)
    return next((c for c in centres if c.id == centre_id), None)


@DIALOG.button(PickCentre, steps=("other_centre",))
async def _centre_picked(turn: Turn, pressed: PickCentre, draft: HoursDraft) -> Next:
    centre = await _centre_named(turn, pressed.centre_id)
    if centre is None:
        raise StaleScreen()
    return await _ask_kind(turn, draft, centre)


async def _ask_kind(turn: Turn, draft: HoursDraft, centre: BusinessCentre) -> HoursDraft:
    rows = [(Button(msg(f"work.{kind}"), PickWork(centre.id, kind)),) for kind in WorkKind]
    turn.say(msg("hours.ask_kind", centre=centre.name(turn.locale)), buttons=_nav(*rows))
    return replace(draft, step="kind", other_centre=centre.id)


@DIALOG.button(PickWork, steps=("centre", "kind"))
async def _work_picked(turn: Turn, pressed: PickWork, draft: HoursDraft) -> Next:
    centre = await _centre_named(turn, pressed.centre_id)
    if centre is None:
        raise StaleScreen()
    draft = replace(draft, centre_id=centre.id, kind=pressed.kind)
    if draft.minutes is not None:
        return await _confirm(turn, draft)
    return await _ask_hours(turn, draft)


# Hours, note, confirmation ----------------------------------------------------------------


async def _summary(turn: Turn, draft: HoursDraft) -> dict[str, object]:
    centre = await _centre_named(turn, _known(draft.centre_id))
    return {
        "day": _known(draft.day),
        "centre": centre.name(turn.locale) if centre else "?",
        "kind": msg(f"work.{_known(draft.kind)}"),
    }


async def _ask_hours(turn: Turn, draft: HoursDraft) -> HoursDraft:
    quick = tuple(
        Button(msg("hours.hours_button", hours=hours(h * 60)), PickHours(h * 60))
        for h in QUICK_HOURS
    )
    turn.say(
        msg("hours.ask_hours", **await _summary(turn, draft)),
        buttons=_nav(quick, (Button(msg("button.hours_other_amount"), TypeHours()),)),
    )
    return replace(draft, step="hours")


@DIALOG.button(PickHours, steps=("hours",))
async def _hours_picked(turn: Turn, pressed: PickHours, draft: HoursDraft) -> Next:
    try:
        minutes = check_minutes(pressed.minutes)
    except InvalidInput:
        raise ForgedButton() from None  # no screen offers such a button
    # Hours picked replace whatever range or shift the draft had.
    plain = replace(draft, span_start=None, span_end=None, break_minutes=None, shift_id=None)
    return await _confirm(turn, replace(plain, minutes=minutes))


@DIALOG.button(TypeHours, steps=("hours",))
async def _type_hours(turn: Turn, _: TypeHours, draft: HoursDraft) -> Next:
    turn.say(msg("hours.type_hours"), buttons=_nav())
    return replace(draft, step="hours_text")


async def _confirm(turn: Turn, draft: HoursDraft) -> HoursDraft:
    parts = [
        msg("hours.confirm", hours=hours(_known(draft.minutes)), **await _summary(turn, draft))
    ]
    if (span := _span(turn, draft)) is not None:
        if draft.shift_id is not None:
            parts.append(msg("hours.confirm_planned", **span))
        elif draft.break_minutes:
            pause = msg("hours.break_button", minutes=draft.break_minutes)
            parts.append(msg("hours.confirm_span", pause=pause, **span))
        else:
            parts.append(msg("hours.confirm_span_no_break", **span))
    if draft.note:
        parts.append(msg("hours.confirm_note", note=draft.note))
    parts.append(msg("hours.confirm_hint", limit=NOTE_LIMIT))
    send = Button(msg("button.hours_send"), Send(draft.draft))
    turn.say(*parts, buttons=_nav((send,), (Button(msg("button.hours_add_note"), AddNote()),)))
    return replace(draft, step="confirm")


@DIALOG.button(AddNote, steps=("confirm",))
async def _add_note(turn: Turn, _: AddNote, draft: HoursDraft) -> Next:
    turn.say(
        msg("hours.ask_note", limit=NOTE_LIMIT),
        buttons=_nav((Button(msg("button.skip"), SkipNote()),)),
    )
    return replace(draft, step="note")


@DIALOG.button(SkipNote, steps=("note",))
async def _skip_note(turn: Turn, _: SkipNote, draft: HoursDraft) -> Next:
    return await _confirm(turn, replace(draft, note=None))


@DIALOG.button(Send, steps=("confirm",))
async def _send(turn: Turn, pressed: Send, draft: HoursDraft) -> Next:
    if pressed.draft != draft.draft:
        raise StaleScreen()  # the Send of an earlier draft's summary
    return await _submit(turn, draft, replaces=None)


@DIALOG.button(Replace, steps=("duplicate",))
async def _replace(turn: Turn, pressed: Replace, draft: HoursDraft) -> Next:
    if pressed.draft != draft.draft:
        raise StaleScreen()
    return await _submit(turn, draft, replaces=_known(draft.replaces))


async def _submit(turn: Turn, draft: HoursDraft, replaces: int | None) -> Next:
    try:
        if draft.edit is not None:
            edited = await edit_report(
                turn.uow,
                turn.actor,
                draft.edit,
                minutes=_known(draft.minutes),
                note=draft.note,
                now=turn.now,
            )
            done = msg("hours.edited", day=edited.day, hours=hours(edited.minutes))
        else:
            report = await report_hours(
                turn.uow,
                turn.actor,
                day=_known(draft.day),
                centre_id=_known(draft.centre_id),
                kind=_known(draft.kind),
                minutes=_known(draft.minutes),
                note=draft.note,
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
                    **await _summary(turn, draft),
                    hours=hours(first.minutes),
                    status=msg(f"hours.status.{first.status}"),
                ),
                buttons=_nav((Button(msg("button.hours_replace"), Replace(draft.draft)),)),
            )
            return replace(draft, step="duplicate", replaces=first.id)
        _error(turn, error, buttons=_nav())
        return replace(draft, step="confirm")
    parts = [done]
    if replaces is not None:
        parts.append(msg("hours.replaced"))
    turn.say(*parts, buttons=((MY_MONTH,), (REPORT_HOURS,), (MENU,)))
    return None


# Typing: /hours 7.5, free text, typed hours, notes --------------------------------------


@DIALOG.command("hours")
async def command(turn: Turn, state: DialogState | None) -> Next:
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


async def typed(turn: Turn) -> Next:
    return await _typed_report(turn, turn.text)


async def _typed_report(turn: Turn, text: str) -> Next:
    await work_options(turn.uow, turn.actor, turn.now)  # refuses (and audits) non-members
    try:
        parsed = parse_hours(text, _today(turn), turn.settings.hours_window_days)
    except InvalidInput as error:
        _error(turn, error, buttons=((REPORT_HOURS,), (CANCEL,)))
        return None
    return await _hours_known(turn, _with_parsed(_new_draft(turn), parsed))


def _with_parsed(draft: HoursDraft, parsed: ParsedHours) -> HoursDraft:
    """The draft with what was typed: the minutes, or the range whose break is asked next."""
    span = parsed.span
    draft = replace(
        draft,
        minutes=parsed.minutes,
        span_start=None if span is None else span.start,
        span_end=None if span is None else span.end,
        break_minutes=parsed.break_minutes,
        shift_id=None,
    )
    if parsed.day is not None and draft.edit is None:
        draft = replace(draft, day=parsed.day)
    return draft


async def _hours_known(turn: Turn, draft: HoursDraft) -> Next:
    """The next question once hours were typed: the break, the day, the centre, or none."""
    if draft.minutes is None:
        return _ask_break(turn, draft)
    if draft.day is None:
        return _ask_day(turn, draft)
    if draft.centre_id is None:
        return await _ask_centre(turn, draft)
    return await _confirm(turn, draft)


def _clock(turn: Turn, draft: HoursDraft, minutes: int) -> datetime:
    """A time of the range as a datetime, so that Babel formats it in the person's language."""
    midnight = datetime.combine(draft.day or _today(turn), time(), tzinfo=turn.settings.tz)
    return midnight + timedelta(minutes=minutes)


# A typed range ends at most on the next day's end (`22時から翌6時`); a state holding more is
# not one this dialog wrote (a stale or forged state): it is shown as no range at all.
MAX_SPAN_END = 2 * 24 * 60


def _span(turn: Turn, draft: HoursDraft) -> dict[str, object] | None:
    if draft.span_start is None or draft.span_end is None:
        return None
    if not 0 <= draft.span_start <= draft.span_end <= MAX_SPAN_END:
        return None
    return {
        "start": _clock(turn, draft, draft.span_start),
        "end": _clock(turn, draft, draft.span_end),
    }


def _ask_break(turn: Turn, draft: HoursDraft) -> HoursDraft:
    span = _span(turn, draft)
    if span is None or draft.span_start is None or draft.span_end is None:
        raise StaleScreen()
    length = hours(draft.span_end - draft.span_start)
    turn.say(msg("hours.ask_break", span=length, **span), buttons=_nav(_break_choices()))
    return replace(draft, step="break")


def _break_choices() -> tuple[Button, ...]:
    return tuple(
        Button(msg("hours.break_button", minutes=m) if m else msg("hours.break_none"), PickBreak(m))
        for m in BREAKS
    )


async def _break_taken(turn: Turn, draft: HoursDraft, pause: int) -> Next:
    span = Span(_known(draft.span_start), _known(draft.span_end))
    try:
        minutes = worked(span, pause)
    except InvalidInput as error:
        _error(turn, error, buttons=_nav(_break_choices()))
        return draft
    return await _hours_known(turn, replace(draft, minutes=minutes, break_minutes=pause))


@DIALOG.button(PickBreak, steps=("break",))
async def _break_picked(turn: Turn, pressed: PickBreak, draft: HoursDraft) -> Next:
    if pressed.minutes not in BREAKS:
        raise ForgedButton()  # no screen offers such a button
    return await _break_taken(turn, draft, pressed.minutes)


# Worked as planned ---------------------------------------------------------------------------


@DIALOG.button(AsPlanned)
async def _as_planned(turn: Turn, pressed: AsPlanned, state: DialogState | None) -> Next:
    """One tap on a shift that is over: its hours, ready to send (the usual summary)."""
    try:
        planned = await planned_work(
            turn.uow,
            turn.actor,
            pressed.shift_id,
            now=turn.now,
            tz=turn.settings.tz,
            window_days=turn.settings.hours_window_days,
        )
    except PermissionDenied:
        raise
    except DomainError as error:
        _error(turn, error, buttons=((MY_SHIFTS,), (MENU,)))
        return state
    midnight = datetime.combine(planned.day, time(), tzinfo=turn.settings.tz)
    minutes_after = (planned.shift.starts_at - midnight).total_seconds() // 60
    draft = HoursDraft(
        step="confirm",
        draft=turn.incoming.update_id,
        day=planned.day,
        centre_id=planned.centre.id,
        kind=planned.shift.kind,
        minutes=planned.minutes,
        span_start=int(minutes_after),
        span_end=int(minutes_after) + planned.minutes,
        shift_id=planned.shift.id,
    )
    return await _confirm(turn, draft)


@DIALOG.text
async def on_text(turn: Turn, draft: HoursDraft) -> Next:
    if draft.step in ("hours", "hours_text"):
        try:
            parsed = parse_hours(turn.text, _today(turn), turn.settings.hours_window_days)
        except InvalidInput as error:
            _error(turn, error, buttons=_nav())
            return draft
        return await _hours_known(turn, _with_parsed(draft, parsed))
    if draft.step == "break":
        try:
            pause = parse_break(turn.text)
        except InvalidInput as error:
            _error(turn, error, buttons=_nav(_break_choices()))
            return draft
        return await _break_taken(turn, draft, pause)
    if draft.step in ("confirm", "note"):
        try:
            note = check_note(turn.text)
        except InvalidInput as error:
            _error(turn, error, buttons=_nav())
            return draft
        return await _confirm(turn, replace(draft, note=note))
    turn.say(msg("hours.use_buttons"), buttons=_nav())
    return draft


@DIALOG.resumes
async def _resume(turn: Turn, draft: HoursDraft) -> Next:
    """After a stale press: the step the draft is at, asked again."""
    return await _back_to(turn, draft, draft.step)


@DIALOG.button(Back, steps=ALL_STEPS)
async def _back(turn: Turn, _: Back, draft: HoursDraft) -> Next:
    if draft.edit is not None and draft.step in ("hours", "hours_text"):
        await _show_report(turn, draft.edit)
        return None
    if draft.step == "break" and draft.centre_id is not None:
        return await _ask_hours(turn, replace(draft, span_start=None, span_end=None))
    previous = {
        "centre": "day",
        "picker": "day",
        "other_centre": "centre",
        "kind": "other_centre",
        "hours": "centre",
        "hours_text": "centre",
        "confirm": "hours",
        "duplicate": "hours",
        "note": "confirm",
    }
    if draft.step not in previous:
        title, buttons = main_menu(turn.actor)
        turn.say(title, buttons=buttons)
        return None
    return await _back_to(turn, draft, previous[draft.step])


async def _back_to(turn: Turn, draft: HoursDraft, step: str) -> Next:
    """Asks `step` again with what the draft has."""
    if step == "day":
        return _ask_day(turn, draft)
    if step == "picker":
        return _picker(turn, draft, 0)
    if step == "centre":
        return await _ask_centre(turn, draft)
    if step == "other_centre":
        return await _ask_other_centre(turn, draft)
    if step == "kind":
        centre = await _centre_named(turn, _known(draft.other_centre))
        return await _ask_kind(turn, draft, _known(centre))
    if step in ("hours", "hours_text"):
        return await _ask_hours(turn, draft)
    if step == "break":
        return _ask_break(turn, draft)
    return await _confirm(turn, draft)


# A member's own reports: the month, one report, change, withdraw -----------------------------


def _month_of(value: int | None, today: date) -> date:
    """`MonthView`'s YYYYMM as the month's first day (this month when none)."""
    if value is None:
        return today.replace(day=1)
    year, month = divmod(value, 100)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ForgedButton()  # no screen offers such a month
    return date(year, month, 1)


def _month_button(label: Msg, month: date) -> Button:
    return Button(label, MonthView(month.year * 100 + month.month))


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


@DIALOG.button(MonthView)
async def _month_pressed(turn: Turn, pressed: MonthView, state: DialogState | None) -> Next:
    await show_month(turn, _month_of(pressed.month, _today(turn)))
    return None


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
        rows.append((Button(label, ViewReport(v.report.id)),))
    previous = (summary.first_day - timedelta(days=1)).replace(day=1)
    paging = [_month_button(msg("button.hours_prev_month"), previous)]
    following = (summary.first_day + timedelta(days=32)).replace(day=1)
    if following <= _today(turn):
        paging.append(_month_button(msg("button.hours_next_month"), following))
    rows += [tuple(paging), (REPORT_HOURS,), (MENU,)]
    turn.say(*parts, buttons=tuple(rows))


@DIALOG.button(ViewReport)
async def _view_pressed(turn: Turn, pressed: ViewReport, state: DialogState | None) -> Next:
    await _show_report(turn, pressed.report_id)
    return None


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
        rows.append((Button(msg("button.hours_change"), ChangeReport(report.id)),))
        rows.append((Button(msg("button.hours_withdraw"), AskWithdraw(report.id)),))
    rows += [(_month_button(msg("button.my_month"), report.day.replace(day=1)),), (MENU,)]
    turn.say(*parts, buttons=tuple(rows))


@DIALOG.button(ChangeReport)
async def _change_pressed(turn: Turn, pressed: ChangeReport, state: DialogState | None) -> Next:
    report = (await my_report(turn.uow, turn.actor, pressed.report_id, turn.now)).report
    if report.status != "pending":
        _error(turn, DomainError("hours_not_pending"), buttons=((MY_MONTH,), (MENU,)))
        return None
    draft = HoursDraft(
        step="hours",
        draft=turn.incoming.update_id,
        edit=report.id,
        day=report.day,
        centre_id=report.centre_id,
        kind=report.kind,
        note=report.note,
    )
    return await _ask_hours(turn, draft)


@DIALOG.button(AskWithdraw)
async def _withdraw_asked(turn: Turn, pressed: AskWithdraw, state: DialogState | None) -> Next:
    view = await my_report(turn.uow, turn.actor, pressed.report_id, turn.now)
    turn.say(
        _item(turn, view),
        msg("hours.withdraw_confirm"),
        buttons=(
            (Button(msg("button.hours_withdraw_yes"), Withdraw(view.report.id)),),
            (Button(msg("button.back"), ViewReport(view.report.id)),),
        ),
    )
    return state


@DIALOG.button(Withdraw)
async def _withdraw(turn: Turn, pressed: Withdraw, state: DialogState | None) -> Next:
    try:
        await withdraw_report(turn.uow, turn.actor, pressed.report_id, turn.now)
    except PermissionDenied:
        raise
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


@DIALOG.button(ReviewList)
async def _review_pressed(turn: Turn, _: ReviewList, state: DialogState | None) -> Next:
    await show_review(turn)
    return None


async def show_review(turn: Turn) -> None:
    page = await waiting_for_review(turn.uow, turn.actor, turn.now, limit=REVIEW_PAGE)
    shown = page.items
    if not shown:
        turn.say(msg("hours.review_title"), msg("hours.review_none"), buttons=((MENU,),))
        return
    parts = [msg("hours.review_title"), *(_review_item(turn, v) for v in shown)]
    if page.next_cursor is not None:
        parts.append(msg("hours.review_more"))
    rows: list[tuple[Button, ...]] = [
        (
            Button(msg("button.hours_approve", id=v.report.id), Approve(v.report.id)),
            Button(msg("button.hours_reject", id=v.report.id), AskReject(v.report.id)),
        )
        for v in shown
    ]
    first, last = shown[0].report.id, shown[-1].report.id
    all_shown = Button(msg("button.hours_approve_all", count=len(shown)), ApproveShown(first, last))
    rows += [(all_shown,), (MENU,)]
    turn.say(*parts, buttons=tuple(rows))


@DIALOG.button(Approve)
async def _approve_pressed(turn: Turn, pressed: Approve, state: DialogState | None) -> Next:
    # One report: asked first, undoable, the member told after the window (bot/dialogs/confirm.py).
    await confirm(turn, UndoKind.HOURS_DECISION, pressed.report_id)
    return None


@DIALOG.button(ApproveShown)
async def _approve_range(turn: Turn, pressed: ApproveShown, state: DialogState | None) -> Next:
    """'Approve all shown': the list shows pending reports by id, so the range is what was shown.
    Asked first with the count, then undoable as one (bot/dialogs/confirm.py)."""
    first, last = sorted((pressed.first_id, pressed.last_id))
    await confirm(turn, UndoKind.HOURS_BATCH, first, last)
    return None


async def _shown(turn: Turn, first: int, last: int) -> list[int]:
    page = await waiting_for_review(turn.uow, turn.actor, turn.now, limit=REVIEW_PAGE * 4)
    return [v.report.id for v in page.items if first <= v.report.id <= last][:REVIEW_PAGE]


async def _ask_batch(turn: Turn, first: int, last: int) -> tuple[Msg, ...]:
    shown = await _shown(turn, first, last)
    if not shown:
        raise DomainError("hours_not_pending")
    people = {v.person.id for v in await preview_approvals(turn.uow, turn.actor, shown, turn.now)}
    return (msg("undo.hours_batch.who", count=len(shown), people=len(people)),)


async def _do_batch(turn: Turn, first: int, last: int) -> Done:
    approved = await approve_reports(
        turn.uow, turn.actor, await _shown(turn, first, last), turn.now
    )
    if not approved:
        raise DomainError("hours_not_pending")
    done = msg("hours.approved_count", count=len(approved))
    return Done(
        first,
        (done, msg("undo.hours.later")),
        also=last,
        buttons=((HOURS_REVIEW,), (MENU,)),
        toast=done,
    )


async def _undo_batch(turn: Turn, first: int, last: int) -> tuple[Msg, ...]:
    undone = await undo_approvals(turn.uow, turn.actor, range(first, last + 1), turn.now)
    return (msg("undo.hours_batch.undone", count=len(undone)),)


async def _batch_refused(turn: Turn, _: int, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    _error(turn, error, buttons=((HOURS_REVIEW,), (MENU,)))


undoable(
    Undoable(
        UndoKind.HOURS_BATCH,
        ask=_ask_batch,
        do=_do_batch,
        undo=_undo_batch,
        refused=_batch_refused,
        back=((HOURS_REVIEW,), (MENU,)),
    )
)


@DIALOG.button(AskReject)
async def _ask_reason(turn: Turn, pressed: AskReject, state: DialogState | None) -> Next:
    view = await for_review(turn.uow, turn.actor, pressed.report_id, turn.now)
    if view.report.status != "pending":
        _error(turn, DomainError("hours_not_pending"), buttons=((HOURS_REVIEW,), (MENU,)))
        return None
    turn.say(_review_item(turn, view), msg("hours.ask_reason"), buttons=((CANCEL,),))
    return RejectReason(step="reason", report_id=pressed.report_id)


@REJECT_DIALOG.text
async def on_reason(turn: Turn, state: RejectReason) -> Next:
    try:
        await reject_report(turn.uow, turn.actor, state.report_id, turn.text, turn.now)
    except InvalidInput as error:
        _error(turn, error)
        return state
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
        return None
    except DomainError as error:
        _error(turn, error, buttons=((HOURS_REVIEW,), (MENU,)))
        return None
    turn.say(
        msg("hours.rejected_done", id=state.report_id),
        undo_hint(),
        buttons=(undo_row(UndoKind.HOURS_DECISION, state.report_id),),
    )
    await show_review(turn)
    return None
