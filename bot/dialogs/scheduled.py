"""Scheduled sends for staff, and shift reminder choices for members and volunteers.

Staff: `/scheduled` (or the menu button) lists what is still to go out, soonest first: assembly
notices and reminders, shift reminders, morning digests, and scheduled broadcasts, each with a
cancel button that asks once more before cancelling. Members and volunteers: `/reminders` (or the
button under every shift reminder) turns shift reminders off entirely or for some weekdays.

Buttons are typed callback data carrying ids only (`sch:x:4`, `rem:d:0`), every press
re-authorised by the services. The dialog keeps no state: its buttons work from any message, and
whatever dialog is going on goes on.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, datetime

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU, ReminderPrefs, ScheduledSends
from bot.dialogs.reach import contact_parts
from bot.dialogs.registry import Dialog, ForgedButton, Next
from bot.domain.broadcasts import BroadcastStatus
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.reminders import Audience, SendKind
from bot.domain.replies import Button, Msg, msg
from bot.services import access
from bot.services import broadcasts as broadcast_service
from bot.services import reminders as service

LISTED = 15  # a phone screen's worth; the desk shows more

DIALOG = Dialog("scheduled", prefixes=("sch", "rem"))
DIALOGS = (DIALOG,)


@dataclass(frozen=True)
class AskCancelSend(CallbackData, tag="sch:x"):
    send_id: int


@dataclass(frozen=True)
class CancelSend(CallbackData, tag="sch:xy"):
    send_id: int


@dataclass(frozen=True)
class AskCancelBroadcast(CallbackData, tag="sch:b"):
    broadcast_id: int


@dataclass(frozen=True)
class CancelBroadcast(CallbackData, tag="sch:by"):
    broadcast_id: int


@dataclass(frozen=True)
class ToggleWeekday(CallbackData, tag="rem:d"):
    weekday: int  # 0 = Monday ... 6 = Sunday


@dataclass(frozen=True)
class AllReminders(CallbackData, tag="rem:all"):
    off: bool


def _describe(view: service.UpcomingSend, locale: str) -> Msg:
    send = view.send
    title = view.assembly.title(locale) if view.assembly is not None else "?"
    if send.kind is SendKind.ASSEMBLY_NOTICE:
        return msg("rem.list.asm_notice", when=send.due_at, title=title)
    if send.kind is SendKind.ASSEMBLY:
        audience = Audience(send.payload.get("audience", Audience.BOTH.value))
        return msg(
            "rem.list.asm", when=send.due_at, title=title, audience=msg(f"rem.audience.{audience}")
        )
    if send.kind is SendKind.SHIFTS:
        day = date.fromisoformat(str(send.payload.get("day", send.due_at.date().isoformat())))
        return msg("rem.list.shifts", when=send.due_at, day=day)
    return msg("rem.list.digest", when=send.due_at)


@DIALOG.button(ScheduledSends)
async def _list_pressed(turn: Turn, _: ScheduledSends, state: DialogState | None) -> Next:
    await show_list(turn)
    return state


async def show_list(turn: Turn, *before: Msg, edit: bool = False) -> None:
    sends = await service.upcoming(turn.uow, turn.actor, turn.now, LISTED)
    scheduled = [
        b
        for b in await broadcast_service.upcoming(turn.uow, turn.actor, turn.now, LISTED)
        if b.status is BroadcastStatus.SCHEDULED
    ]
    entries: list[tuple[datetime, Msg, CallbackData]] = []
    for view in sends:
        entries.append(
            (view.send.due_at, _describe(view, turn.locale), AskCancelSend(view.send.id))
        )
    for b in scheduled:
        text = msg("rem.list.broadcast", when=b.send_at, id=str(b.id))
        entries.append((b.send_at, text, AskCancelBroadcast(b.id)))
    entries.sort(key=lambda entry: entry[0])
    entries = entries[:LISTED]
    parts: list[Msg] = [*before, msg("rem.list.title")]
    rows: list[tuple[Button, ...]] = []
    for number, (_, text, data) in enumerate(entries, start=1):
        parts.append(msg("rem.list.item", number=str(number), text=text))
        rows.append((Button(msg("rem.list.cancel_button", number=str(number)), data),))
    if not entries:
        parts.append(msg("rem.list.none"))
    turn.say(*parts, buttons=(*rows, (MENU,)), edit=edit)


@DIALOG.command("scheduled")
async def command(turn: Turn, state: DialogState | None) -> Next:
    """`/scheduled`: staff see the list; anyone else is told it is not for them."""
    try:
        await show_list(turn)
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
    return state


@DIALOG.command("reminders")
async def prefs_command(turn: Turn, state: DialogState | None) -> Next:
    """`/reminders`: a member's or volunteer's shift reminder choices."""
    try:
        await show_prefs(turn)
    except PermissionDenied:
        turn.say(msg("rem.prefs.not_for_you"), buttons=((MENU,),))
    return state


@DIALOG.button(ReminderPrefs)
async def _prefs_pressed(turn: Turn, _: ReminderPrefs, state: DialogState | None) -> Next:
    await show_prefs(turn)
    return state


async def show_prefs(turn: Turn, *before: Msg, edit: bool = False) -> None:
    all_off, weekdays = await service.my_prefs(turn.uow, turn.actor, turn.now)
    _prefs_reply(turn, all_off, weekdays, before, edit)


def _prefs_reply(
    turn: Turn, all_off: bool, weekdays: frozenset[int], before: tuple[Msg, ...], edit: bool
) -> None:
    hour = str(turn.settings.shift_reminder_hour)
    if all_off:
        status = msg("rem.prefs.all_off")
    elif weekdays:
        status = msg("rem.prefs.some_off", hour=hour, count=len(weekdays))
    else:
        status = msg("rem.prefs.all_on", hour=hour)
    rows: list[tuple[Button, ...]] = []
    if all_off:
        rows.append((Button(msg("rem.prefs.turn_on"), AllReminders(off=False)),))
    else:
        day_buttons = [
            Button(
                msg(
                    "rem.prefs.day_off" if day in weekdays else "rem.prefs.day_on",
                    day=msg(f"rem.weekday.{day}"),
                ),
                ToggleWeekday(day),
            )
            for day in range(7)
        ]
        rows += [tuple(day_buttons[i : i + 2]) for i in range(0, 7, 2)]
        rows.append((Button(msg("rem.prefs.turn_off"), AllReminders(off=True)),))
    turn.say(
        *before,
        msg("rem.prefs.title"),
        status,
        msg("rem.prefs.how", hour=hour),
        buttons=(*rows, (MENU,)),
        edit=edit,
    )


@DIALOG.button(ToggleWeekday)
async def _weekday_pressed(turn: Turn, pressed: ToggleWeekday, state: DialogState | None) -> Next:
    if not 0 <= pressed.weekday <= 6:
        raise ForgedButton()
    all_off, weekdays = await service.set_prefs(
        turn.uow, turn.actor, turn.now, toggle_weekday=pressed.weekday
    )
    turn.toast = msg("rem.prefs.saved")
    _prefs_reply(turn, all_off, weekdays, (), True)
    return state


@DIALOG.button(AllReminders)
async def _all_pressed(turn: Turn, pressed: AllReminders, state: DialogState | None) -> Next:
    all_off, weekdays = await service.set_prefs(turn.uow, turn.actor, turn.now, all_off=pressed.off)
    turn.toast = msg("rem.prefs.saved")
    _prefs_reply(turn, all_off, weekdays, (), True)
    return state


# Cancelling: asked once more, since a cancelled send cannot be brought back.


def _ask_cancel(turn: Turn, confirm: CallbackData) -> None:
    turn.say(
        msg("rem.cancel.confirm"),
        buttons=(
            (Button(msg("rem.cancel.yes"), confirm),),
            (Button(msg("rem.cancel.no"), ScheduledSends()),),
        ),
    )


@DIALOG.button(AskCancelSend)
async def _ask_send(turn: Turn, pressed: AskCancelSend, state: DialogState | None) -> Next:
    await access.require(
        turn.uow,
        turn.actor,
        turn.now,
        service.MAY_MANAGE,
        refused=service.SCHEDULED_REFUSED,
        subject=f"scheduled:{pressed.send_id}",
    )
    _ask_cancel(turn, CancelSend(pressed.send_id))
    return state


@DIALOG.button(AskCancelBroadcast)
async def _ask_broadcast(
    turn: Turn, pressed: AskCancelBroadcast, state: DialogState | None
) -> Next:
    subject = f"broadcast:{pressed.broadcast_id}"
    await access.require(
        turn.uow,
        turn.actor,
        turn.now,
        service.MAY_MANAGE,
        refused=service.SCHEDULED_REFUSED,
        subject=subject,
    )
    _ask_cancel(turn, CancelBroadcast(pressed.broadcast_id))
    return state


@DIALOG.button(CancelSend)
async def _cancel_send(turn: Turn, pressed: CancelSend, state: DialogState | None) -> Next:
    return await _cancel(
        turn, state, service.cancel(turn.uow, turn.actor, pressed.send_id, turn.now)
    )


@DIALOG.button(CancelBroadcast)
async def _cancel_broadcast(
    turn: Turn, pressed: CancelBroadcast, state: DialogState | None
) -> Next:
    cancelling = broadcast_service.cancel(turn.uow, turn.actor, pressed.broadcast_id, turn.now)
    return await _cancel(turn, state, cancelling)


async def _cancel(turn: Turn, state: DialogState | None, cancelling: Awaitable[object]) -> Next:
    """Cancels one scheduled thing; "too late" if it went out (or was cancelled) meanwhile."""
    try:
        await cancelling
    except PermissionDenied:
        raise
    except DomainError:
        await _too_late(turn)
        return state
    await _cancelled(turn)
    return state


async def _too_late(turn: Turn) -> None:
    turn.toast = msg("rem.cancel.too_late")
    await show_list(turn, msg("rem.cancel.too_late"))


async def _cancelled(turn: Turn) -> None:
    turn.toast = msg("rem.cancel.done")
    await show_list(turn, msg("rem.cancel.done"))
