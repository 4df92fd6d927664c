"""Scheduled sends for staff, and shift reminder choices for members and volunteers.

Staff: `/scheduled` (or the menu button) lists what is still to go out, soonest first: assembly
notices and reminders, shift reminders, morning digests, and scheduled broadcasts, each with a
cancel button that asks once more before cancelling. Members and volunteers: `/reminders` (or the
button under every shift reminder) turns shift reminders off entirely or for some weekdays.

Callback data (ids only, every press re-authorised by the services): `sch` list ·
`sch:x:<id>` ask to cancel a send · `sch:xy:<id>` cancel it · `sch:b:<id>` / `sch:by:<id>` the
same for a scheduled broadcast · `rem:prefs` the choices · `rem:d:<0-6>` turn a weekday on or
off · `rem:all:<0|1>` all shift reminders off (1) or on (0).
"""

from __future__ import annotations

from datetime import date, datetime

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU
from bot.domain.broadcasts import BroadcastStatus
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.reminders import Audience, SendKind
from bot.domain.replies import Button, Msg, msg
from bot.services import broadcasts as broadcast_service
from bot.services import reminders as service

LISTED = 15  # a phone screen's worth; the desk shows more


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


async def show_list(turn: Turn, *before: Msg, edit: bool = False) -> None:
    sends = await service.upcoming(turn.uow, turn.actor, turn.now, LISTED)
    scheduled = [
        b
        for b in await broadcast_service.upcoming(turn.uow, turn.actor, turn.now, LISTED)
        if b.status is BroadcastStatus.SCHEDULED
    ]
    entries: list[tuple[datetime, Msg, str]] = []
    for view in sends:
        entries.append((view.send.due_at, _describe(view, turn.locale), f"sch:x:{view.send.id}"))
    for b in scheduled:
        entries.append(
            (b.send_at, msg("rem.list.broadcast", when=b.send_at, id=str(b.id)), f"sch:b:{b.id}")
        )
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


async def command(turn: Turn, state: DialogState | None) -> DialogState | None:
    """`/scheduled`: staff see the list; anyone else is told it is not for them."""
    try:
        await show_list(turn)
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
    return state


async def prefs_command(turn: Turn, state: DialogState | None) -> DialogState | None:
    try:
        await show_prefs(turn)
    except PermissionDenied:
        turn.say(msg("rem.prefs.not_for_you"), buttons=((MENU,),))
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
        rows.append((Button(msg("rem.prefs.turn_on"), "rem:all:0"),))
    else:
        day_buttons = [
            Button(
                msg(
                    "rem.prefs.day_off" if day in weekdays else "rem.prefs.day_on",
                    day=msg(f"rem.weekday.{day}"),
                ),
                f"rem:d:{day}",
            )
            for day in range(7)
        ]
        rows += [tuple(day_buttons[i : i + 2]) for i in range(0, 7, 2)]
        rows.append((Button(msg("rem.prefs.turn_off"), "rem:all:1"),))
    turn.say(
        *before,
        msg("rem.prefs.title"),
        status,
        msg("rem.prefs.how", hour=hour),
        buttons=(*rows, (MENU,)),
        edit=edit,
    )


async def on_button(turn: Turn, state: DialogState | None, data: str) -> DialogState | None:
    """`data` is the whole callback data, starting with `sch` or `rem`."""
    parts = data.split(":")
    head, action = parts[0], parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    valid_id = arg.isascii() and arg.isdigit() and len(arg) <= 18
    if data == "sch":
        await show_list(turn)
        return state
    if head == "sch" and action in ("x", "xy", "b", "by") and valid_id and len(parts) == 3:
        await _cancel(turn, action, int(arg))
        return state
    if data == "rem:prefs":
        await show_prefs(turn)
        return state
    if head == "rem" and action == "d" and arg in {str(d) for d in range(7)}:
        all_off, weekdays = await service.set_prefs(
            turn.uow, turn.actor, turn.now, toggle_weekday=int(arg)
        )
        turn.toast = msg("rem.prefs.saved")
        _prefs_reply(turn, all_off, weekdays, (), True)
        return state
    if head == "rem" and action == "all" and arg in ("0", "1") and len(parts) == 3:
        all_off, weekdays = await service.set_prefs(
            turn.uow, turn.actor, turn.now, all_off=arg == "1"
        )
        turn.toast = msg("rem.prefs.saved")
        _prefs_reply(turn, all_off, weekdays, (), True)
        return state
    await turn.uow.audit.add(
        turn.now, turn.actor.person_id, "callback.unknown", f"chat:{turn.incoming.chat_id}"
    )
    turn.toast = msg("button.invalid")
    turn.say(msg("button.invalid"), buttons=((MENU,),))
    return state


async def _cancel(turn: Turn, action: str, item_id: int) -> None:
    is_broadcast = action in ("b", "by")
    if action in ("x", "b"):
        # Ask once more: a cancelled reminder cannot be brought back.
        kind = "broadcast" if is_broadcast else "scheduled"
        await service.require_staff(turn.uow, turn.actor, turn.now, f"{kind}:{item_id}")
        confirm = f"sch:{action}y:{item_id}"
        turn.say(
            msg("rem.cancel.confirm"),
            buttons=(
                (Button(msg("rem.cancel.yes"), confirm),),
                (Button(msg("rem.cancel.no"), "sch"),),
            ),
        )
        return
    try:
        if is_broadcast:
            await broadcast_service.cancel(turn.uow, turn.actor, item_id, turn.now)
        else:
            await service.cancel(turn.uow, turn.actor, item_id, turn.now)
    except PermissionDenied:
        raise
    except DomainError:
        turn.toast = msg("rem.cancel.too_late")
        await show_list(turn, msg("rem.cancel.too_late"))
        return
    turn.toast = msg("rem.cancel.done")
    await show_list(turn, msg("rem.cancel.done"))
