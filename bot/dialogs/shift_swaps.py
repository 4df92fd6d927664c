"""Giving up and taking shifts: "I can't make it", the open place offered first come first
served, open shifts with take buttons, and the member's calendar link.

A release tells the coordinators at once and offers the place to the centre's other workers,
each in their own language, through the outbox. A reason is optional: after the tap the member
may type one, and the coordinators hear it too.
"""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU, MY_SHIFTS, OPEN_SHIFTS
from bot.dialogs.shifts import item
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.people import Person
from bot.domain.replies import Button, msg
from bot.i18n import resolve_locale
from bot.services.shift_swaps import (
    give_reason,
    new_calendar_token,
    open_shifts,
    release_shift,
    take_shift,
)

NAME = "shift_reason"
ACTIONS = ("cant", "take")
MAX_OPEN_LISTED = 20


def _locale(turn: Turn, person: Person) -> str:
    return resolve_locale(person.locale, person.telegram_language, turn.settings.default_locale)


def _name(turn: Turn) -> str:
    if turn.person is not None:
        return turn.person.display_name
    return turn.incoming.user_name or "?"


def _refused(turn: Turn, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    turn.toast = msg(f"shifts.error.{error.code}", **error.details)
    turn.say(
        msg(f"shifts.error.{error.code}", **error.details),
        buttons=((OPEN_SHIFTS,), (MY_SHIFTS,), (MENU,)),
    )


async def on_button(turn: Turn, action: str, shift_id: int) -> DialogState | None:
    if action == "cant":
        return await _release(turn, shift_id)
    await _take(turn, shift_id)
    return None


async def _release(turn: Turn, shift_id: int) -> DialogState | None:
    try:
        done = await release_shift(turn.uow, turn.actor, shift_id, turn.now)
    except DomainError as error:
        _refused(turn, error)
        return None
    tz, name = turn.settings.tz, _name(turn)
    for staff in done.coordinators:
        assert staff.telegram_user_id is not None  # noqa: S101 -- coordinators() checks it
        locale = _locale(turn, staff)
        turn.notify(
            staff.telegram_user_id,
            locale,
            msg("shifts.released_staff", name=name, offered=len(done.offered_to)),
            item(done.view, locale, tz),
            dedupe_key=f"shift-release:{done.release.id}:staff:{staff.id}",
        )
    take = Button(
        msg("shifts.take_button", start=done.view.shift.starts_at), f"shift:take:{shift_id}"
    )
    for person in done.offered_to:
        assert person.telegram_user_id is not None  # noqa: S101 -- release_shift checks it
        locale = _locale(turn, person)
        turn.notify(
            person.telegram_user_id,
            locale,
            msg("shifts.offer"),
            item(done.view, locale, tz),
            buttons=((take,),),
            dedupe_key=f"shift-release:{done.release.id}:offer:{person.id}",
        )
    turn.toast = msg("shifts.released_toast")
    turn.say(
        msg("shifts.released"),
        item(done.view, turn.locale, tz),
        msg("shifts.ask_reason", limit=200),
        buttons=((MY_SHIFTS,), (MENU,)),
    )
    return DialogState(NAME, "reason", {"release": done.release.id})


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    release_id = int(state.data.get("release", 0))
    try:
        view, coordinators = await give_reason(
            turn.uow, turn.actor, release_id, turn.text, turn.now
        )
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
        return None
    except DomainError as error:
        turn.say(msg(f"shifts.error.{error.code}", **error.details), buttons=((MENU,),))
        return state
    for staff in coordinators:
        assert staff.telegram_user_id is not None  # noqa: S101 -- coordinators() checks it
        locale = _locale(turn, staff)
        turn.notify(
            staff.telegram_user_id,
            locale,
            msg("shifts.reason_staff", name=_name(turn), reason=turn.text),
            item(view, locale, turn.settings.tz),
        )
    turn.say(msg("shifts.reason_sent"), buttons=((MY_SHIFTS,), (MENU,)))
    return None


async def _take(turn: Turn, shift_id: int) -> None:
    try:
        done = await take_shift(turn.uow, turn.actor, shift_id, turn.now)
    except DomainError as error:
        _refused(turn, error)
        return
    for staff in done.coordinators:
        assert staff.telegram_user_id is not None  # noqa: S101 -- coordinators() checks it
        locale = _locale(turn, staff)
        turn.notify(
            staff.telegram_user_id,
            locale,
            msg("shifts.taken_staff", name=_name(turn)),
            item(done.view, locale, turn.settings.tz),
            dedupe_key=f"shift-take:{shift_id}:{turn.actor.person_id}:{turn.now.isoformat()}",
        )
    turn.toast = msg("shifts.taken_toast")
    turn.say(
        msg("shifts.taken"),
        item(done.view, turn.locale, turn.settings.tz),
        buttons=((MY_SHIFTS,), (MENU,)),
    )


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
    buttons = tuple(
        (Button(msg("shifts.take_button", start=v.shift.starts_at), f"shift:take:{v.shift.id}"),)
        for v in shown
    )
    turn.say(*parts, buttons=(*buttons, (MENU,)))


async def show_calendar_link(turn: Turn) -> None:
    token = await new_calendar_token(turn.uow, turn.actor, turn.now)
    url = f"{turn.settings.calendar_url.rstrip('/')}/{token}.ics"
    turn.say(msg("shifts.calendar_link", url=url), buttons=((MY_SHIFTS,), (MENU,)))
