"""The buttons of staff cards, and what staff type after pressing one (a reason, a question, a
date): each action is one service call. The service records what happened, and its consequences
(`bot.notices`) edit every copy of the card and tell the requester; an action refused because
someone else was quicker only brings lagging copies up to date here (`catch_up`).

Whatever an action asks next is asked in the presser's private chat (in group mode the runner
moves the turn there), so reasons, questions and dates never appear in the staff group.
The services re-authorise every press: a resident or member replaying a card's callback data is
refused in their language and audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.dialogs.card_views import PREFIX, card_reply
from bot.dialogs.engine import Notice, Turn
from bot.dialogs.menus import CANCEL, MENU
from bot.domain.cards import CardKind, parse_when
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.hours import REASON_LIMIT as HOURS_REASON_LIMIT
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import (
    DEFAULT_AREAS,
    QUESTION_LIMIT,
    REASON_LIMIT,
    RequestAction,
    ServiceArea,
    allowed,
)
from bot.ports.store import UnitOfWork
from bot.services import cards, requests
from bot.services import volunteers as volunteer_service
from bot.services.card_items import load
from bot.services.cards import CardSend
from bot.services.hours import approve_reports, for_review, reject_report
from bot.services.requests import RequestView

CARD_BUTTON_PREFIX = PREFIX
REASON = "triage_reason"
QUESTION = "triage_question"
WHEN = "triage_when"
PICK_DAYS = 7  # day buttons for accept and schedule: today and the coming six days
PICK_HOURS = (9, 10, 11, 13, 14, 15, 16, 17)
KINDS = {"h": CardKind.HOURS, "v": CardKind.VOLUNTEER, "r": CardKind.REQUEST}


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.settings.tz).date()


# --- Drawing cards ----------------------------------------------------------------------------


async def card_notices(
    uow: UnitOfWork, sends: list[CardSend], areas: Sequence[ServiceArea] = DEFAULT_AREAS
) -> list[Notice]:
    """The outbox notices of `sends`: each copy drawn in its chat's language."""
    notices: list[Notice] = []
    drawn: dict[int, Any] = {}
    for send in sends:
        if send.card.id not in drawn:
            drawn[send.card.id] = await load(uow, send.card.kind, send.card.item_id)
        item = drawn[send.card.id]
        if item is None:
            continue
        reply = card_reply(item, send.locale, edit=send.edit_message_id is not None, areas=areas)
        notices.append(
            Notice(
                send.chat_id,
                send.locale,
                reply,
                dedupe_key=send.dedupe_key,
                edit_message_id=send.edit_message_id,
                is_group=send.is_group,
            )
        )
    return notices


async def catch_up(turn: Turn, kind: CardKind, item_id: int) -> None:
    """After an action refused because someone else was quicker: the copies of the item's card
    that lag behind are brought up to date; no edit that changes nothing, no new card.

    A successful action does not call this: its service records an event, whose consequence
    edits every copy (`bot.notices.cards.item_changed`), one bump per change.
    """
    card = await turn.uow.cards.find(kind, item_id)
    if card is None:
        return
    sends = await cards.catch_up(turn.uow, card)
    turn.notices.extend(await card_notices(turn.uow, sends, turn.settings.service_areas))


async def show_card(turn: Turn, kind: CardKind, item_id: int) -> None:
    """The item's card sent afresh to this chat (from /queue), kept up to date from then on."""
    await cards.require_staff(turn.uow, turn.actor, turn.now, f"card:{kind}:{item_id}")
    if await load(turn.uow, kind, item_id) is None:
        await cards.refuse(turn.uow, turn.actor, turn.now, f"card:{kind}:{item_id}")
    chat_id = turn.incoming.chat_id or 0
    target = cards.CardTarget(chat_id, turn.locale, False)
    send = await cards.reopen(turn.uow, kind, item_id, turn.now, target)
    turn.notices.extend(await card_notices(turn.uow, [send], turn.settings.service_areas))


# --- Buttons ----------------------------------------------------------------------------------


async def on_button(turn: Turn, state: DialogState | None, data: str) -> DialogState | None:
    """A card's button (`tc:...`). Malformed data is refused like a forged button."""
    parts = data.removeprefix(PREFIX).split(":")
    if len(parts) < 3 or parts[0] not in KINDS or not all(_is_id(p) for p in parts[2:3]):
        return await _forged(turn, state, data)
    kind, action, item_id, args = KINDS[parts[0]], parts[1], int(parts[2]), parts[3:]
    subject = f"card:{kind}:{item_id}"
    await cards.require_staff(turn.uow, turn.actor, turn.now, subject)
    if action == "open" and not args:
        await show_card(turn, kind, item_id)
        return state
    try:
        if kind is CardKind.HOURS:
            return await _hours_button(turn, state, action, item_id, args)
        if kind is CardKind.VOLUNTEER:
            return await _volunteer_button(turn, state, action, item_id, args)
        return await _request_button(turn, state, action, item_id, args)
    except PermissionDenied:
        raise
    except DomainError as error:
        await _refused(turn, kind, item_id, error)
        return None


async def _forged(turn: Turn, state: DialogState | None, data: str) -> DialogState | None:
    await turn.uow.audit.add(
        turn.now, turn.actor.person_id, "callback.unknown", f"chat:{turn.incoming.chat_id}"
    )
    turn.toast = msg("button.invalid")
    turn.say(msg("button.invalid"), buttons=((MENU,),))
    return state


async def _refused(turn: Turn, kind: CardKind, item_id: int, error: DomainError) -> None:
    """An action that no longer fits (someone else was quicker): say so, redraw the card."""
    if error.code == "request_already_taken":
        text = msg("triage.taken_by_other", name=str(error.details.get("by", "?")))
    else:
        text = _error(error)
    turn.toast = text
    turn.say(text)
    await catch_up(turn, kind, item_id)


# The refusals the catalog words; anything else gets the general "could not be done".
ERRORS = frozenset(
    {
        "decided",
        "hours_not_pending",
        "request_transition",
        "request_changed",
        "date_past",
        "unknown_centre",
        "reason_required",
        "reason_empty",
        "reason_too_long",
        "question_empty",
        "question_too_long",
        "when_format",
        "when_impossible",
        "when_past",
        "when_far",
    }
)


def _error(error: DomainError) -> Msg:
    if error.code not in ERRORS:
        return msg("triage.error.other")
    details = _plain(error.details)
    if error.code.endswith("_too_long"):
        return msg(
            f"triage.error.{error.code}",
            length=details.get("length", 0),
            limit=details.get("limit", 0),
        )
    return msg(f"triage.error.{error.code}")


def _plain(details: dict[str, object]) -> dict[str, object]:
    """The details a message may show: plain values (not the views some errors carry)."""
    return {k: v for k, v in details.items() if isinstance(v, str | int | Decimal)}


def _ask_text(turn: Turn, dialog: str, prompt: Msg, data: dict[str, Any]) -> DialogState:
    turn.say(prompt, buttons=((CANCEL,),))
    return DialogState(dialog, "text", data)


# Hour reports ---------------------------------------------------------------------------------


async def _hours_button(
    turn: Turn, state: DialogState | None, action: str, report_id: int, args: list[str]
) -> DialogState | None:
    if action == "ok" and not args:
        approved = await approve_reports(turn.uow, turn.actor, [report_id], turn.now)
        turn.toast = msg("triage.done.approved" if approved else "triage.error.decided")
        if not approved:  # someone was quicker: bring lagging copies up to date
            await catch_up(turn, CardKind.HOURS, report_id)
        return state
    if action == "no" and not args:
        view = await for_review(turn.uow, turn.actor, report_id, turn.now)
        if view.report.status.value != "pending":
            raise DomainError("decided")
        prompt = msg("triage.ask_reason_hours", id=report_id, limit=HOURS_REASON_LIMIT)
        return _ask_text(turn, REASON, prompt, {"kind": "h", "id": report_id})
    return await _forged(turn, state, f"{PREFIX}h:{action}")


# Volunteer applications -----------------------------------------------------------------------


async def _volunteer_button(
    turn: Turn, state: DialogState | None, action: str, application_id: int, args: list[str]
) -> DialogState | None:
    if action == "ok" and not args:
        try:
            await volunteer_service.approve(turn.uow, turn.actor, application_id, turn.now)
        except DomainError as error:
            if error.code != "application_decided":
                raise
            raise DomainError("decided") from None
        turn.toast = msg("triage.done.approved")
        return state
    if action == "no" and not args:
        application = await turn.uow.volunteers.get(application_id)
        if application is None:
            await cards.refuse(turn.uow, turn.actor, turn.now, f"card:volunteer:{application_id}")
        if application.status.value != "pending":
            raise DomainError("decided")
        prompt = msg("triage.ask_reason_volunteer", id=application_id, limit=REASON_LIMIT)
        return _ask_text(turn, REASON, prompt, {"kind": "v", "id": application_id})
    return await _forged(turn, state, f"{PREFIX}v:{action}")


# Service requests -----------------------------------------------------------------------------


async def _request_button(
    turn: Turn, state: DialogState | None, action: str, request_id: int, args: list[str]
) -> DialogState | None:
    uow, actor, now = turn.uow, turn.actor, turn.now
    ids_ok = all(_is_id(a) for a in args)
    if not ids_ok:
        return await _forged(turn, state, f"{PREFIX}r:{action}")
    if action == "take" and not args:
        view = await requests.take(uow, actor, request_id, now)
        turn.toast = msg("triage.done.taken", reference=view.request.reference)
    elif action in ("cen", "acc") and not args:
        move = RequestAction.ASSIGNED if action == "cen" else RequestAction.ACCEPTED
        await _still_allowed(turn, request_id, move)
        await _ask_centre(turn, request_id, "cc" if action == "cen" else "ac")
        return state
    elif action == "cc" and len(args) == 1:
        view = await requests.assign_centre(uow, actor, request_id, int(args[0]), now)
        turn.toast = msg("triage.done.assigned", reference=view.request.reference)
        turn.say(turn.toast)
    elif action == "ac" and len(args) == 1:
        await requests.for_staff(uow, actor, request_id, now)
        return _ask_day(turn, request_id, "a", int(args[0]))
    elif action == "sch" and not args:
        await _still_allowed(turn, request_id, RequestAction.SCHEDULED)
        return _ask_day(turn, request_id, "s", 0)
    elif action == "day" and len(args) == 3 and args[0] in ("0", "1"):
        op = "a" if args[0] == "0" else "s"
        day = _day_arg(args[2])
        if day is None:
            return await _forged(turn, state, f"{PREFIX}r:{action}")
        await requests.for_staff(uow, actor, request_id, now)
        return _ask_hour(turn, request_id, op, int(args[1]), day)
    elif action == "w" and len(args) == 3 and args[0] in ("0", "1"):
        when = _when_arg(args[2], turn)
        if when is None:
            return await _forged(turn, state, f"{PREFIX}r:{action}")
        op = "a" if args[0] == "0" else "s"
        return await _set_when(turn, request_id, op, int(args[1]), when)
    elif action == "info" and not args:
        await _show_detail(turn, request_id)
        return state
    elif action == "done" and not args:
        view = await requests.done(uow, actor, request_id, now)
        turn.toast = msg("triage.done.done", reference=view.request.reference)
    elif action == "ask" and not args:
        view = await _still_allowed(turn, request_id, RequestAction.ASKED)
        prompt = msg("triage.ask_question", reference=view.request.reference, limit=QUESTION_LIMIT)
        return _ask_text(turn, QUESTION, prompt, {"id": request_id})
    elif action == "dec" and not args:
        view = await _still_allowed(turn, request_id, RequestAction.DECLINED)
        prompt = msg(
            "triage.ask_reason_request", reference=view.request.reference, limit=REASON_LIMIT
        )
        return _ask_text(turn, REASON, prompt, {"kind": "r", "id": request_id})
    else:
        return await _forged(turn, state, f"{PREFIX}r:{action}")
    return state


async def _still_allowed(turn: Turn, request_id: int, action: RequestAction) -> RequestView:
    """The request, if `action` still fits its status: a stale card's button is told so before
    anyone types a reason or picks a date for nothing."""
    view = await requests.for_staff(turn.uow, turn.actor, request_id, turn.now)
    if not allowed(view.request.status, action):
        raise InvalidInput("request_transition")
    return view


async def _show_detail(turn: Turn, request_id: int) -> None:
    """The personal details the card leaves out, to the presser alone; the service audits it."""
    detail = await requests.detail(turn.uow, turn.actor, request_id, turn.now)
    request = detail.view.request
    requester = detail.view.requester
    parts = [
        msg(
            "triage.detail",
            reference=request.reference,
            name=requester.display_name if requester else "—",
            phone=request.phone or "—",
            address=request.address or "—",
            details=request.details or "—",
        )
    ]
    if request.voice_file_ids:
        parts.append(msg("triage.detail_voice", count=len(request.voice_file_ids)))
    for message in detail.messages[-6:]:
        key = (
            "triage.card.question"
            if message.direction.value == "question"
            else "triage.card.answer"
        )
        parts.append(msg(key, text=message.text or ("🎤" if message.voice_file_id else "—")))
    turn.say(*parts, buttons=((MENU,),))


async def _ask_centre(turn: Turn, request_id: int, next_action: str) -> None:
    centres = await turn.uow.centres.all()
    rows = tuple(
        (
            Button(
                msg("triage.centre", centre=c.name(turn.locale)),
                f"{PREFIX}r:{next_action}:{request_id}:{c.id}",
            ),
        )
        for c in centres
    )
    key = "triage.pick_centre_accept" if next_action == "ac" else "triage.pick_centre"
    turn.say(msg(key), buttons=(*rows, (CANCEL,)))


def _op_arg(op: str) -> str:
    return "0" if op == "a" else "1"


def _ask_day(turn: Turn, request_id: int, op: str, centre_id: int) -> DialogState:
    today = _today(turn)
    days = [today + timedelta(days=n) for n in range(PICK_DAYS)]
    buttons = [
        Button(
            msg("triage.day", day=d),
            f"{PREFIX}r:day:{request_id}:{_op_arg(op)}:{centre_id}:{d:%y%m%d}",
        )
        for d in days
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    key = "triage.pick_day_accept" if op == "a" else "triage.pick_day_schedule"
    turn.say(msg(key), msg("triage.type_when"), buttons=(*rows, (CANCEL,)))
    return DialogState(WHEN, "day", {"id": request_id, "op": op, "centre": centre_id})


def _ask_hour(turn: Turn, request_id: int, op: str, centre_id: int, day: date) -> DialogState:
    local_now = turn.now.astimezone(turn.settings.tz)
    buttons = [
        Button(
            msg("triage.hour", hour=f"{hour}:00"),
            f"{PREFIX}r:w:{request_id}:{_op_arg(op)}:{centre_id}:{day:%y%m%d}{hour:02d}00",
        )
        for hour in PICK_HOURS
        if datetime(day.year, day.month, day.day, hour, tzinfo=turn.settings.tz) > local_now
    ]
    rows = tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))
    turn.say(msg("triage.pick_hour", day=day), msg("triage.type_when"), buttons=(*rows, (CANCEL,)))
    return DialogState(WHEN, "hour", {"id": request_id, "op": op, "centre": centre_id})


def _day_arg(text: str) -> date | None:
    if len(text) != 6:
        return None
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None


def _when_arg(text: str, turn: Turn) -> datetime | None:
    if len(text) != 10:
        return None
    day = _day_arg(text[:6])
    hour, minute = int(text[6:8]), int(text[8:])
    if day is None or hour > 23 or minute > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=turn.settings.tz)


async def _set_when(
    turn: Turn, request_id: int, op: str, centre_id: int, when: datetime
) -> DialogState | None:
    if op == "a":
        view = await requests.accept(turn.uow, turn.actor, request_id, centre_id, when, turn.now)
        turn.toast = msg("triage.done.accepted", reference=view.request.reference)
    else:
        view = await requests.schedule(turn.uow, turn.actor, request_id, when, turn.now)
        turn.toast = msg("triage.done.scheduled", reference=view.request.reference)
    turn.say(turn.toast, msg("triage.when_set", when=when), buttons=((MENU,),))
    return None


# --- What staff type --------------------------------------------------------------------------


async def on_reason(turn: Turn, state: DialogState) -> DialogState | None:
    """The reason for rejecting hours, declining an application or a request."""
    kind = KINDS.get(str(state.data.get("kind")))
    item_id = int(state.data["id"])
    if kind is None:
        return None
    try:
        if kind is CardKind.HOURS:
            await reject_report(turn.uow, turn.actor, item_id, turn.text, turn.now)
        elif kind is CardKind.VOLUNTEER:
            try:
                await volunteer_service.decline(turn.uow, turn.actor, item_id, turn.text, turn.now)
            except DomainError as error:
                if error.code != "application_decided":
                    raise
                raise DomainError("decided") from None
        else:
            await requests.decline(turn.uow, turn.actor, item_id, turn.text, turn.now)
    except PermissionDenied:
        raise
    except InvalidInput as error:
        if error.code in ("request_transition",):
            await _refused(turn, kind, item_id, error)
            return None
        turn.say(_error(error), buttons=((CANCEL,),))
        return state
    except DomainError as error:
        await _refused(turn, kind, item_id, error)
        return None
    turn.say(msg("triage.done.declined"), buttons=((MENU,),))
    return None


async def on_question(turn: Turn, state: DialogState) -> DialogState | None:
    """The question for the resident; their answer comes back onto the card and to the asker."""
    request_id = int(state.data["id"])
    try:
        view, _ = await requests.ask(turn.uow, turn.actor, request_id, turn.text, turn.now)
    except PermissionDenied:
        raise
    except InvalidInput as error:
        if error.code == "request_transition":
            await _refused(turn, CardKind.REQUEST, request_id, error)
            return None
        turn.say(_error(error), buttons=((CANCEL,),))
        return state
    except DomainError as error:
        await _refused(turn, CardKind.REQUEST, request_id, error)
        return None
    turn.say(msg("triage.done.asked", reference=view.request.reference), buttons=((MENU,),))
    return None


async def on_when(turn: Turn, state: DialogState) -> DialogState | None:
    """A typed date and time for accept or schedule (`11/25 14:30`, `11月25日 14時`)."""
    data = state.data
    try:
        when = parse_when(turn.text, turn.now, turn.settings.tz)
    except InvalidInput as error:
        turn.say(_error(error), msg("triage.type_when"), buttons=((CANCEL,),))
        return state
    try:
        return await _set_when(turn, int(data["id"]), str(data["op"]), int(data["centre"]), when)
    except PermissionDenied:
        raise
    except DomainError as error:
        if error.code in ("date_past",):
            turn.say(msg("triage.error.when_past"), buttons=((CANCEL,),))
            return state
        await _refused(turn, CardKind.REQUEST, int(data["id"]), error)
        return None
