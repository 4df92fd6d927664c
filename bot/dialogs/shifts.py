"""'My shifts': today's and the coming week's shifts, and who else works each one; from there a
member gives up a shift ("I can't make it"), finds open shifts, or gets their calendar link. The
shifts of the last week that are over and not yet reported come with "worked as planned", which
reports the shift's hours with one tap and a Send (`bot.dialogs.hours.AsPlanned`).

This module owns the `shifts` and `shift` callback prefixes (`DIALOG`); the buttons of giving
up and taking shifts (`bot.dialogs.shift_swaps`) are registered on it too. None of them keeps
state: each shows a screen from what the button carries, re-authorised by the services.

Dates are passed to the messages as datetimes, so Babel formats them in the co-op's zone and the
person's language; Japanese public holidays are marked with their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dialogs.engine import Turn
from bot.dialogs.hours import AsPlanned
from bot.dialogs.menus import (
    MENU,
    MY_SHIFTS,
    OPEN_SHIFTS,
    Buttons,
    CalendarLink,
    CantMakeShift,
    MyShifts,
)
from bot.dialogs.registry import Dialog, Next
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, msg
from bot.services.calendar import holiday_name
from bot.services.coop import ShiftView, my_shifts, shift_colleagues
from bot.services.hours import MAY_REPORT, PlannedWork, unreported_shifts

NAME = "shifts"
WEEK = 7
UNREPORTED_DAYS = 7  # how far back "worked as planned" is offered (the window may be longer)

DIALOG = Dialog(NAME, prefixes=("shifts", "shift"))
DIALOGS = (DIALOG,)


@dataclass(frozen=True)
class WhoElse(CallbackData, tag="shift:who"):
    """Who else works a shift (the person's own, or any for staff)."""

    shift_id: int


CALENDAR_LINK = Button(msg("shifts.calendar_button"), CalendarLink())


def _midnight(turn: Turn, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=turn.settings.tz)


def item(view: ShiftView, locale: str, tz: ZoneInfo) -> Msg:
    """One shift as lists and notices show it, in `locale` (a notice may go to someone else)."""
    shift = view.shift
    details = {
        "start": shift.starts_at,
        "end": shift.ends_at,
        "kind": msg(f"work.{shift.kind}"),
        "centre": view.centre.name(locale),
    }
    holiday = holiday_name(shift.starts_at.astimezone(tz).date(), locale)
    if holiday is None:
        return msg("shifts.item", **details)
    return msg("shifts.item_holiday", holiday=holiday, **details)


def _item(turn: Turn, view: ShiftView) -> Msg:
    return item(view, turn.locale, turn.settings.tz)


@DIALOG.button(MyShifts)
async def _mine_pressed(turn: Turn, _: MyShifts, state: DialogState | None) -> Next:
    await show_mine(turn)
    return None


def _reports(actor: Actor) -> bool:
    return bool(MAY_REPORT & actor.roles)


async def _unreported(turn: Turn) -> list[PlannedWork]:
    if not _reports(turn.actor):
        return []
    days = min(UNREPORTED_DAYS, turn.settings.hours_window_days)
    return await unreported_shifts(
        turn.uow, turn.actor, now=turn.now, tz=turn.settings.tz, days=days
    )


def _as_planned_button(shift_id: int, start: datetime) -> Button:
    return Button(msg("shifts.planned_button", start=start), AsPlanned(shift_id))


async def show_mine(turn: Turn) -> None:
    today = turn.now.astimezone(turn.settings.tz).date()
    tomorrow = _midnight(turn, today + timedelta(days=1))
    views = await my_shifts(
        turn.uow,
        turn.actor,
        _midnight(turn, today),
        _midnight(turn, today + timedelta(days=WEEK + 1)),
        turn.now,
    )
    unreported = await _unreported(turn)
    planned_parts = [msg("shifts.unreported")] if unreported else []
    planned_parts += [_item(turn, ShiftView(p.shift, p.centre)) for p in unreported]
    planned_rows = tuple((_as_planned_button(p.shift.id, p.shift.starts_at),) for p in unreported)
    if not views:
        turn.say(
            msg("shifts.title"),
            msg("shifts.none"),
            *planned_parts,
            buttons=(*planned_rows, (OPEN_SHIFTS,), (MENU,)),
        )
        return
    todays = [v for v in views if v.shift.starts_at < tomorrow]
    later = [v for v in views if v.shift.starts_at >= tomorrow]
    parts = [msg("shifts.title"), msg("shifts.today")]
    parts += [_item(turn, v) for v in todays] or [msg("shifts.today_none")]
    parts.append(msg("shifts.week"))
    parts += [_item(turn, v) for v in later] or [msg("shifts.week_none")]
    parts += planned_parts
    buttons = tuple(
        (Button(msg("shifts.who_button", start=v.shift.starts_at), WhoElse(v.shift.id)),)
        for v in views
    )
    turn.say(*parts, buttons=(*planned_rows, *buttons, (OPEN_SHIFTS,), (CALENDAR_LINK,), (MENU,)))


@DIALOG.button(WhoElse)
async def _who_pressed(turn: Turn, pressed: WhoElse, state: DialogState | None) -> Next:
    await show_who(turn, pressed.shift_id)
    return None


async def show_who(turn: Turn, shift_id: int) -> None:
    view, others = await shift_colleagues(turn.uow, turn.actor, shift_id, turn.now)
    names = "\n".join(person.display_name for person in others)
    header = _item(turn, view)
    body = msg("shifts.who", names=names) if others else msg("shifts.who_nobody")
    rows: Buttons = ((MY_SHIFTS,), (MENU,))
    mine = view.shift.is_assigned(turn.actor.person_id)
    if mine and view.shift.starts_at > turn.now:
        rows = ((Button(msg("shifts.cant_button"), CantMakeShift(shift_id)),), *rows)
    elif mine and view.shift.ends_at <= turn.now and _reports(turn.actor):
        rows = ((_as_planned_button(shift_id, view.shift.starts_at),), *rows)
    turn.say(header, body, buttons=rows)
