"""Giving up and taking shifts: "I can't make it", the open place offered first come first
served, open shifts with take buttons, and the member's calendar link.

The buttons are registered on the shifts dialog (`bot.dialogs.shifts.DIALOG`, which owns the
`shift` and `shifts` prefixes); the one step with state is the optional reason typed after
"I can't make it" (`REASON_DIALOG`). "I can't make it" goes through the confirm-and-undo
mechanism (`bot.dialogs.confirm`): the shift and who will be told first, an Undo after. The
services record what happened; telling the coordinators and offering the place to others are
its consequences (`bot.notices.shifts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.dialogs.confirm import Done, Undoable, confirm, undo_row, undoable
from bot.dialogs.engine import Turn
from bot.dialogs.menus import (
    MENU,
    MY_SHIFTS,
    OPEN_SHIFTS,
    CalendarLink,
    CantMakeShift,
    OpenShifts,
)
from bot.dialogs.reach import contact_parts
from bot.dialogs.registry import Dialog, Next
from bot.dialogs.shifts import DIALOG, item
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.replies import Button, Msg, msg
from bot.domain.shift_swaps import MAX_REASON_LENGTH
from bot.domain.undo import UndoKind
from bot.services.shift_swaps import (
    give_reason,
    new_calendar_token,
    open_shifts,
    preview_release,
    preview_take,
    release_shift,
    take_shift,
    undo_release,
    undo_take,
)

NAME = "shift_reason"
MAX_OPEN_LISTED = 20


@dataclass(frozen=True, kw_only=True)
class ShiftReason(DialogData):
    """The member gave up a shift (`release_id`): a reason may be typed next."""

    release_id: int


REASON_DIALOG = Dialog(NAME, state=StateCodec(NAME, ShiftReason), steps=("reason",))
DIALOGS = (REASON_DIALOG,)


@dataclass(frozen=True)
class TakeShift(CallbackData, tag="shift:take"):
    """Take a free place on a shift (the open list, and the offer sent when one is released)."""

    shift_id: int


def take_button(shift_id: int, starts_at: datetime) -> Button:
    """The button that takes a free place on a shift, labelled with its start."""
    return Button(msg("shifts.take_button", start=starts_at), TakeShift(shift_id))


def _refused(turn: Turn, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    turn.toast = msg(f"shifts.error.{error.code}", **error.details)
    turn.say(
        msg(f"shifts.error.{error.code}", **error.details),
        buttons=((OPEN_SHIFTS,), (MY_SHIFTS,), (MENU,)),
    )


@DIALOG.button(CantMakeShift)
async def _release(turn: Turn, pressed: CantMakeShift, state: DialogState | None) -> Next:
    # Never at once, however old the message: the shift and who will be told, then Yes or No.
    await confirm(turn, UndoKind.SHIFT_RELEASE, pressed.shift_id)
    return state


async def _ask_release(turn: Turn, shift_id: int, _: int = 0) -> tuple[Msg, ...]:
    preview = await preview_release(turn.uow, turn.actor, shift_id, turn.now)
    return (
        item(preview.view, turn.locale, turn.settings.tz),
        msg("undo.shift_release.who", staff=preview.coordinators, offered=preview.offered),
    )


async def _do_release(turn: Turn, shift_id: int, _: int = 0) -> Done:
    done = await release_shift(turn.uow, turn.actor, shift_id, turn.now)
    return Done(
        done.release.id,
        (
            msg("undo.shift_release.done"),
            item(done.view, turn.locale, turn.settings.tz),
            msg("shifts.ask_reason", limit=MAX_REASON_LENGTH),
        ),
        buttons=((MY_SHIFTS,), (MENU,)),
        toast=msg("shifts.released_toast"),
        state=ShiftReason(step="reason", release_id=done.release.id),
    )


async def _undo_release(turn: Turn, release_id: int, _: int) -> tuple[Msg, ...]:
    view = await undo_release(turn.uow, turn.actor, release_id, turn.now)
    return (msg("undo.shift_release.undone"), item(view, turn.locale, turn.settings.tz))


async def _release_refused(turn: Turn, _: int, error: DomainError) -> None:
    _refused(turn, error)


undoable(
    Undoable(
        UndoKind.SHIFT_RELEASE,
        ask=_ask_release,
        do=_do_release,
        undo=_undo_release,
        refused=_release_refused,
        back=((MY_SHIFTS,), (MENU,)),
    )
)


@REASON_DIALOG.text
async def on_text(turn: Turn, state: ShiftReason) -> Next:
    try:
        await give_reason(turn.uow, turn.actor, state.release_id, turn.text, turn.now)
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
        return None
    except DomainError as error:
        turn.say(msg(f"shifts.error.{error.code}", **error.details), buttons=((MENU,),))
        return state
    # The Undo stays at hand on the latest screen (a reason does not end the undo window).
    undo = undo_row(UndoKind.SHIFT_RELEASE, state.release_id)
    turn.say(msg("shifts.reason_sent"), buttons=(undo, (MY_SHIFTS,), (MENU,)))
    return None


@DIALOG.button(TakeShift)
async def _take(turn: Turn, pressed: TakeShift, state: DialogState | None) -> Next:
    # Taking a place tells the coordinators: asked first, undoable (bot/dialogs/confirm.py).
    await confirm(turn, UndoKind.SHIFT_TAKE, pressed.shift_id)
    return None


async def _ask_take(turn: Turn, shift_id: int, _: int = 0) -> tuple[Msg, ...]:
    preview = await preview_take(turn.uow, turn.actor, shift_id, turn.now)
    return (
        item(preview.view, turn.locale, turn.settings.tz),
        msg("undo.shift_take.who", staff=preview.coordinators),
    )


async def _do_take(turn: Turn, shift_id: int, _: int = 0) -> Done:
    done = await take_shift(turn.uow, turn.actor, shift_id, turn.now)
    return Done(
        shift_id,
        (msg("shifts.taken"), item(done.view, turn.locale, turn.settings.tz)),
        buttons=((MY_SHIFTS,), (MENU,)),
        toast=msg("shifts.taken_toast"),
    )


async def _undo_take(turn: Turn, shift_id: int, _: int) -> tuple[Msg, ...]:
    view = await undo_take(turn.uow, turn.actor, shift_id, turn.now)
    return (msg("undo.shift_take.undone"), item(view, turn.locale, turn.settings.tz))


undoable(
    Undoable(
        UndoKind.SHIFT_TAKE,
        ask=_ask_take,
        do=_do_take,
        undo=_undo_take,
        refused=_release_refused,
        back=((OPEN_SHIFTS,), (MY_SHIFTS,), (MENU,)),
    )
)


@DIALOG.button(OpenShifts)
async def _open_pressed(turn: Turn, _: OpenShifts, state: DialogState | None) -> Next:
    await show_open(turn)
    return None


async def show_open(turn: Turn) -> None:
    views = await open_shifts(turn.uow, turn.actor, turn.now)
    if not views:
        turn.say(msg("shifts.open_title"), msg("shifts.open_none"), buttons=((MENU,),))
        return
    shown = views[:MAX_OPEN_LISTED]
    parts = [msg("shifts.open_title")]
    parts += [
        msg(
            "shifts.open_item",
            shift=item(v, turn.locale, turn.settings.tz),
            free=v.shift.free_places,
        )
        for v in shown
    ]
    buttons = tuple((take_button(v.shift.id, v.shift.starts_at),) for v in shown)
    turn.say(*parts, buttons=(*buttons, (MENU,)))


@DIALOG.button(CalendarLink)
async def _calendar_pressed(turn: Turn, _: CalendarLink, state: DialogState | None) -> Next:
    await show_calendar_link(turn)
    return None


async def show_calendar_link(turn: Turn) -> None:
    token = await new_calendar_token(turn.uow, turn.actor, turn.now)
    url = f"{turn.settings.calendar_url.rstrip('/')}/{token}.ics"
    turn.say(msg("shifts.calendar_link", url=url), buttons=((MY_SHIFTS,), (MENU,)))
