"""'My shifts': today's and the coming week's shifts, and who else works each one; from there a
member gives up a shift ("I can't make it"), finds open shifts, or gets their calendar link.

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
from bot.domain.replies import Button, Msg, msg
from bot.services.calendar import holiday_name
from bot.services.coop import ShiftView, my_shifts, shift_colleagues

NAME = "shifts"
WEEK = 7

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
    if not views:
        turn.say(msg("shifts.title"), msg("shifts.none"), buttons=((OPEN_SHIFTS,), (MENU,)))
        return
    todays = [v for v in views if v.shift.starts_at < tomorrow]
    later = [v for v in views if v.shift.starts_at >= tomorrow]
    parts = [msg("shifts.title"), msg("shifts.today")]
    parts += [_item(turn, v) for v in todays] or [msg("shifts.today_none")]
    parts.append(msg("shifts.week"))
    parts += [_item(turn, v) for v in later] or [msg("shifts.week_none")]
    buttons = tuple(
        (Button(msg("shifts.who_button", start=v.shift.starts_at), WhoElse(v.shift.id)),)
        for v in views
    )
    turn.say(*parts, buttons=(*buttons, (OPEN_SHIFTS,), (CALENDAR_LINK,), (MENU,)))


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
    if view.shift.is_assigned(turn.actor.person_id) and view.shift.starts_at > turn.now:
        rows = ((Button(msg("shifts.cant_button"), CantMakeShift(shift_id)),), *rows)
    turn.say(header, body, buttons=rows)
