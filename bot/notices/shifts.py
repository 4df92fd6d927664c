"""Consequences of shifts: a released place offered to others, coordinators told, reminders.

The one place where the coordinators hear that a member gave up a shift (and why) or took a free
place, where the centre's free workers are offered a released place with a Take button, and
where a member's shift reminder and evening-after "worked as planned?" are composed, whichever
door did it. Each person reads it in their own language; the dedupe keys make a notice told
twice (a retried update) queue once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.dialogs.hours import AsPlanned
from bot.dialogs.menus import REMINDER_SETTINGS, REPORT_HOURS, CantMakeShift
from bot.dialogs.shift_swaps import take_button
from bot.dialogs.shifts import item
from bot.domain.coop import Shift
from bot.domain.events import (
    Event,
    ShiftReasonGiven,
    ShiftReleased,
    ShiftReminderDue,
    ShiftTaken,
    ShiftWorkedDue,
)
from bot.domain.people import Person
from bot.domain.reminders import recipient_key
from bot.domain.replies import Button, Msg, Reply, msg
from bot.domain.undo import UndoKind, held_key, held_until
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.services.coop import ShiftView
from bot.services.shift_swaps import coordinators, offered_to, view_of

MAX_REMINDER_BUTTONS = 10  # "can't make it" buttons under one reminder


async def _view(uow: UnitOfWork, shift_id: int) -> ShiftView | None:
    shift = await uow.shifts.get(shift_id)
    return None if shift is None else await view_of(uow, shift)


async def _name(uow: UnitOfWork, person_id: int) -> str:
    person = await uow.people.get(person_id)
    return "?" if person is None else person.display_name


async def _tell_coordinators(
    ctx: NoticeContext,
    uow: UnitOfWork,
    head: Msg,
    view: ShiftView,
    *,
    at: datetime,
    dedupe: str | None,
    not_before: datetime | None = None,
) -> None:
    """`head` and the shift to each coordinator; `dedupe` + their person id is each one's key."""
    for staff in await coordinators(uow, view.shift.centre_id):
        reply = Reply(parts=(head, item(view, ctx.locale_of(staff), ctx.settings.tz)))
        key = None if dedupe is None else f"{dedupe}{staff.id}"
        await ctx.tell(uow, staff, reply, at=at, dedupe_key=key, not_before=not_before)


async def released(ctx: NoticeContext, uow: UnitOfWork, event: ShiftReleased) -> None:
    view = await _view(uow, event.shift_id)
    if view is None:
        return
    offered = await offered_to(uow, view.shift, event.person_id)
    name = await _name(uow, event.person_id)
    # Held until the member's undo window is over: an undo withdraws them all.
    held = held_key(UndoKind.SHIFT_RELEASE, event.release_id)
    await _tell_coordinators(
        ctx,
        uow,
        msg("shifts.released_staff", name=name, offered=len(offered)),
        view,
        at=event.at,
        dedupe=f"{held}staff:",
        not_before=held_until(event.at),
    )
    take = take_button(view.shift.id, view.shift.starts_at)
    for person in offered:
        reply = Reply(
            parts=(msg("shifts.offer"), item(view, ctx.locale_of(person), ctx.settings.tz)),
            buttons=((take,),),
        )
        await ctx.tell(
            uow,
            person,
            reply,
            at=event.at,
            dedupe_key=f"{held}offer:{person.id}",
            not_before=held_until(event.at),
        )


async def reason_given(ctx: NoticeContext, uow: UnitOfWork, event: ShiftReasonGiven) -> None:
    release = await uow.shift_swaps.get_release(event.release_id)
    if release is None:
        return
    view = await _view(uow, release.shift_id)
    if view is None:
        return
    name = await _name(uow, release.person_id)
    head = msg("shifts.reason_staff", name=name, reason=release.reason or "")
    # After the release's own notice, and withdrawn with it if the release is undone.
    key = held_key(UndoKind.SHIFT_RELEASE, release.id)
    await _tell_coordinators(
        ctx,
        uow,
        head,
        view,
        at=event.at,
        dedupe=f"{key}reason:{event.at.isoformat()}:",
        not_before=max(event.at, held_until(release.released_at)),
    )


async def taken(ctx: NoticeContext, uow: UnitOfWork, event: ShiftTaken) -> None:
    view = await _view(uow, event.shift_id)
    if view is None:
        return
    name = await _name(uow, event.person_id)
    await _tell_coordinators(
        ctx,
        uow,
        msg("shifts.taken_staff", name=name),
        view,
        at=event.at,
        # Each coordinator's own key (the dialog's one shared key told only the first of them),
        # held while the taker may still undo it (bot/dialogs/confirm.py).
        dedupe=f"{held_key(UndoKind.SHIFT_TAKE, event.shift_id, event.person_id)}"
        f"{event.at.isoformat()}:",
        not_before=held_until(event.at),
    )


async def _reminded(
    ctx: NoticeContext, uow: UnitOfWork, person_id: int, shift_ids: Iterable[int]
) -> tuple[Person, list[Shift], tuple[Msg, ...]] | None:
    """A shift reminder's reader, their shifts (earliest first) and one line per shift in the
    reader's language; None when there is nobody to tell or nothing left to tell of."""
    person = await uow.people.get(person_id)
    if person is None or person.unreachable:
        return None
    shifts = [s for s in [await uow.shifts.get(i) for i in shift_ids] if s is not None]
    if not shifts:
        return None
    shifts.sort(key=lambda s: (s.starts_at, s.id))
    centres = {centre.id: centre for centre in await uow.centres.all()}
    locale = ctx.locale_of(person)
    items = tuple(
        msg(
            "shifts.item",
            start=s.starts_at,
            end=s.ends_at,
            kind=msg(f"work.{s.kind}"),
            centre=centres[s.centre_id].name(locale),
        )
        for s in shifts
    )
    return person, shifts, items


async def reminder_due(ctx: NoticeContext, uow: UnitOfWork, event: ShiftReminderDue) -> None:
    found = await _reminded(ctx, uow, event.person_id, (event.shift_id, *event.also))
    if found is None:
        return
    person, shifts, items = found
    buttons = tuple(
        (Button(msg("rem.shift.cant_button", start=s.starts_at), CantMakeShift(s.id)),)
        for s in shifts[:MAX_REMINDER_BUTTONS]
    )
    reply = Reply(
        (msg("rem.shift.head", day=event.day), *items, msg("rem.shift.settings_hint")),
        (*buttons, (REMINDER_SETTINGS,)),
    )
    await ctx.tell(
        uow, person, reply, at=event.at, dedupe_key=recipient_key(event.send_key, person.id)
    )


async def worked_due(ctx: NoticeContext, uow: UnitOfWork, event: ShiftWorkedDue) -> None:
    """ "Worked as planned?": one button per shift that reports its hours (then Send), and
    the usual way to report other hours."""
    found = await _reminded(ctx, uow, event.person_id, event.shift_ids)
    if found is None:
        return
    person, shifts, items = found
    buttons = tuple(
        (Button(msg("shifts.planned_button", start=s.starts_at), AsPlanned(s.id)),)
        for s in shifts[:MAX_REMINDER_BUTTONS]
    )
    reply = Reply(
        (msg("rem.worked.head"), *items, msg("rem.worked.hint")),
        (*buttons, (REPORT_HOURS,), (REMINDER_SETTINGS,)),
    )
    await ctx.tell(
        uow, person, reply, at=event.at, dedupe_key=recipient_key(event.send_key, person.id)
    )


HANDLERS: Mapping[type[Event], Handler] = {
    ShiftReleased: released,
    ShiftReasonGiven: reason_given,
    ShiftTaken: taken,
    ShiftReminderDue: reminder_due,
    ShiftWorkedDue: worked_due,
}
