"""The buttons of staff cards, and what staff type after pressing one (a reason, a question, a
date): each action is one service call. The service records what happened, and its consequences
(`bot.notices`) edit every copy of the card and tell the requester; an action refused because
someone else was quicker only brings lagging copies up to date here (`catch_up`).

The cards' buttons are typed callback data (card_views.py), registered here; they work in any
state, and in the staff group too (`group_ok`): whatever an action asks next is asked in the
presser's private chat (in group mode the runner moves the turn there), so reasons, questions
and dates never appear in the staff group. The day and hour buttons of an accept or schedule
belong to its steps (`VisitTime`): pressed on an older picker they are out of date.
The services re-authorise every press: a resident or member replaying a card's callback data is
refused in their language and audited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.dialogs.card_views import (
    AcceptRequest,
    ApproveApplication,
    ApproveHours,
    AskRequester,
    AssignRequest,
    DeclineApplication,
    DeclineRequest,
    RejectHours,
    RequestDetail,
    RequestDone,
    ScheduleRequest,
    ShowAnswer,
    TakeRequest,
    card_reply,
)
from bot.dialogs.confirm import Done, Undoable, confirm, undo_hint, undo_row, undoable
from bot.dialogs.engine import Notice, Turn
from bot.dialogs.menus import (
    CANCEL,
    HOURS_REVIEW,
    MENU,
    OpenHoursCard,
    OpenRequestCard,
    OpenVolunteerCard,
)
from bot.dialogs.registry import Dialog, ForgedButton, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.dialogs.write_both import hint_for
from bot.domain.callbacks import CallbackData
from bot.domain.cards import CardKind, parse_when
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.hours import REASON_LIMIT as HOURS_REASON_LIMIT
from bot.domain.hours import duration
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import (
    DEFAULT_AREAS,
    QUESTION_LIMIT,
    REASON_LIMIT,
    RequestAction,
    ServiceArea,
    allowed,
)
from bot.domain.undo import UndoKind
from bot.ports.store import UnitOfWork
from bot.services import access, cards, memberships, requests
from bot.services import hours as hours_service
from bot.services import volunteers as volunteer_service
from bot.services.card_items import load
from bot.services.cards import CardSend
from bot.services.hours import for_review, reject_report
from bot.services.requests import RequestView

REASON = "triage_reason"
QUESTION = "triage_question"
WHEN = "triage_when"
PICK_DAYS = 7  # day buttons for accept and schedule: today and the coming six days
PICK_HOURS = (9, 10, 11, 13, 14, 15, 16, 17)


# State ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VisitTime(DialogData):
    """Staff accept a request or schedule its service: the day, then the hour (or both typed)."""

    request_id: int
    centre_id: int | None = None  # accepting: the centre that contacts; None: scheduling


@dataclass(frozen=True, kw_only=True)
class Reason(DialogData):
    """Staff reject hours, decline an application or a request: the reason is typed next."""

    kind: CardKind
    item_id: int


@dataclass(frozen=True, kw_only=True)
class Question(DialogData):
    """Staff ask the requester something: the question is typed next."""

    request_id: int


# The cards' buttons (pressed in the staff group too), with the visit's day and hour as state.
DIALOG = Dialog(
    WHEN,
    prefixes=("tc",),
    state=StateCodec(WHEN, VisitTime),
    steps=("day", "hour"),
    group_ok=True,
)
REASON_DIALOG = Dialog(REASON, state=StateCodec(REASON, Reason), steps=("text",))
QUESTION_DIALOG = Dialog(QUESTION, state=StateCodec(QUESTION, Question), steps=("text",))
DIALOGS = (DIALOG, REASON_DIALOG, QUESTION_DIALOG)


# Buttons of the questions an action asks (the cards' own are in card_views.py) ----------------


@dataclass(frozen=True)
class AssignTo(CallbackData, tag="tc:r:cc"):
    request_id: int
    centre_id: int


@dataclass(frozen=True)
class AcceptFrom(CallbackData, tag="tc:r:ac"):
    """Accept, contacting from this centre: the day is asked next."""

    request_id: int
    centre_id: int


@dataclass(frozen=True)
class VisitDay(CallbackData, tag="tc:r:day"):
    request_id: int
    day: date


@dataclass(frozen=True)
class VisitHour(CallbackData, tag="tc:r:w"):
    request_id: int
    day: date
    hour: int  # one of PICK_HOURS


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
    await cards.require_in_scope(turn.uow, turn.actor, turn.now, kind, item_id)
    if await load(turn.uow, kind, item_id) is None:
        await access.refuse(turn.uow, turn.actor, turn.now, cards.REFUSED, f"card:{kind}:{item_id}")
    chat_id = turn.incoming.chat_id or 0
    target = cards.CardTarget(chat_id, turn.locale, False)
    send = await cards.reopen(turn.uow, kind, item_id, turn.now, target)
    turn.notices.extend(await card_notices(turn.uow, [send], turn.settings.service_areas))


# --- Buttons ----------------------------------------------------------------------------------

Action = Callable[[], Awaitable[Next]]


async def _card_action(turn: Turn, kind: CardKind, item_id: int, action: Action) -> Next:
    """A card's action, by staff only. One refused because the item moved on (someone else was
    quicker) is said, and the copies of its card that lag behind are brought up to date."""
    await access.require_staff(
        turn.uow, turn.actor, turn.now, refused=cards.REFUSED, subject=f"card:{kind}:{item_id}"
    )
    try:
        return await action()
    except PermissionDenied:
        raise
    except DomainError as error:
        await _refused(turn, kind, item_id, error)
        return None


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


# A card sent afresh, from /queue ---------------------------------------------------------------


@DIALOG.button(OpenRequestCard)
async def _open_request(turn: Turn, pressed: OpenRequestCard, state: DialogState | None) -> Next:
    await show_card(turn, CardKind.REQUEST, pressed.request_id)
    return state


@DIALOG.button(OpenVolunteerCard)
async def _open_volunteer(
    turn: Turn, pressed: OpenVolunteerCard, state: DialogState | None
) -> Next:
    await show_card(turn, CardKind.VOLUNTEER, pressed.application_id)
    return state


@DIALOG.button(OpenHoursCard)
async def _open_hours(turn: Turn, pressed: OpenHoursCard, state: DialogState | None) -> Next:
    await show_card(turn, CardKind.HOURS, pressed.report_id)
    return state


# Hour reports ---------------------------------------------------------------------------------


@DIALOG.button(ApproveHours)
async def _approve_hours(turn: Turn, pressed: ApproveHours, state: DialogState | None) -> Next:
    # An approval tells the member: asked first, held for the undo window (bot/dialogs/confirm.py).
    async def ask() -> Next:
        await confirm(turn, UndoKind.HOURS_DECISION, pressed.report_id)
        return state

    return await _card_action(turn, CardKind.HOURS, pressed.report_id, ask)


async def _ask_approve(turn: Turn, report_id: int, _: int = 0) -> tuple[Msg, ...]:
    view = await hours_service.preview_approval(turn.uow, turn.actor, report_id, turn.now)
    report = view.report
    locale = turn.locale
    return (
        msg(
            "undo.hours.who",
            id=report.id,
            name=view.person.display_name,
            day=report.day,
            hours=duration(report.minutes),
            centre=view.centre.name(locale),
        ),
    )


async def _do_approve(turn: Turn, report_id: int, _: int = 0) -> Done:
    await hours_service.approve_report(turn.uow, turn.actor, report_id, turn.now)
    return Done(
        report_id,
        (msg("triage.done.approved"), msg("undo.hours.later")),
        buttons=((HOURS_REVIEW,), (MENU,)),
        toast=msg("triage.done.approved"),
    )


async def _undo_decision(turn: Turn, report_id: int, _: int) -> tuple[Msg, ...]:
    await hours_service.undo_decision(turn.uow, turn.actor, report_id, turn.now)
    return (msg("undo.hours.undone", id=report_id),)


async def _hours_refused(turn: Turn, report_id: int, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    if error.code == "hours_not_pending":
        error = DomainError("decided")  # said as on the card: the card now shows who decided
    await _refused(turn, CardKind.HOURS, report_id, error)


undoable(
    Undoable(
        UndoKind.HOURS_DECISION,
        ask=_ask_approve,
        do=_do_approve,
        undo=_undo_decision,
        refused=_hours_refused,
        back=((HOURS_REVIEW,), (MENU,)),
    )
)


@DIALOG.button(RejectHours)
async def _reject_hours(turn: Turn, pressed: RejectHours, state: DialogState | None) -> Next:
    report_id = pressed.report_id
    return await _card_action(
        turn, CardKind.HOURS, report_id, lambda: _ask_reason(turn, CardKind.HOURS, report_id)
    )


# Volunteer applications -----------------------------------------------------------------------


@DIALOG.button(ApproveApplication)
async def _approve_application(
    turn: Turn, pressed: ApproveApplication, state: DialogState | None
) -> Next:
    # An approval tells the applicant: asked first, held for the undo window (confirm.py; the
    # action is registered by bot/dialogs/volunteers.py, the review list's door).
    async def ask() -> Next:
        await confirm(turn, UndoKind.VOLUNTEER_DECISION, pressed.application_id)
        return state

    return await _card_action(turn, CardKind.VOLUNTEER, pressed.application_id, ask)


@DIALOG.button(DeclineApplication)
async def _decline_application(
    turn: Turn, pressed: DeclineApplication, state: DialogState | None
) -> Next:
    item_id = pressed.application_id
    return await _card_action(
        turn, CardKind.VOLUNTEER, item_id, lambda: _ask_reason(turn, CardKind.VOLUNTEER, item_id)
    )


# Service requests -----------------------------------------------------------------------------


def _on_request(turn: Turn, request_id: int, action: Action) -> Awaitable[Next]:
    return _card_action(turn, CardKind.REQUEST, request_id, action)


@DIALOG.button(TakeRequest)
async def _take(turn: Turn, pressed: TakeRequest, state: DialogState | None) -> Next:
    async def take() -> Next:
        view = await requests.take(turn.uow, turn.actor, pressed.request_id, turn.now)
        turn.toast = msg("triage.done.taken", reference=view.request.reference)
        return state

    return await _on_request(turn, pressed.request_id, take)


@DIALOG.button(AssignRequest)
async def _assign(turn: Turn, pressed: AssignRequest, state: DialogState | None) -> Next:
    async def ask() -> Next:
        await _still_allowed(turn, pressed.request_id, RequestAction.ASSIGNED)
        await _ask_centre(turn, pressed.request_id, accept=False)
        return state

    return await _on_request(turn, pressed.request_id, ask)


@DIALOG.button(AssignTo)
async def _assigned(turn: Turn, pressed: AssignTo, state: DialogState | None) -> Next:
    async def assign() -> Next:
        view = await requests.assign_centre(
            turn.uow, turn.actor, pressed.request_id, pressed.centre_id, turn.now
        )
        turn.toast = msg("triage.done.assigned", reference=view.request.reference)
        turn.say(turn.toast)
        return state

    return await _on_request(turn, pressed.request_id, assign)


@DIALOG.button(AcceptRequest)
async def _accept(turn: Turn, pressed: AcceptRequest, state: DialogState | None) -> Next:
    async def ask() -> Next:
        await _still_allowed(turn, pressed.request_id, RequestAction.ACCEPTED)
        await _ask_centre(turn, pressed.request_id, accept=True)
        return state

    return await _on_request(turn, pressed.request_id, ask)


@DIALOG.button(AcceptFrom)
async def _accept_from(turn: Turn, pressed: AcceptFrom, state: DialogState | None) -> Next:
    async def ask() -> Next:
        await requests.for_staff(turn.uow, turn.actor, pressed.request_id, turn.now)
        visit = VisitTime(step="day", request_id=pressed.request_id, centre_id=pressed.centre_id)
        return _ask_day(turn, visit)

    return await _on_request(turn, pressed.request_id, ask)


@DIALOG.button(ScheduleRequest)
async def _schedule(turn: Turn, pressed: ScheduleRequest, state: DialogState | None) -> Next:
    async def ask() -> Next:
        await _still_allowed(turn, pressed.request_id, RequestAction.SCHEDULED)
        return _ask_day(turn, VisitTime(step="day", request_id=pressed.request_id))

    return await _on_request(turn, pressed.request_id, ask)


@DIALOG.button(VisitDay, steps=("day", "hour"))
async def _day_picked(turn: Turn, pressed: VisitDay, visit: VisitTime) -> Next:
    if pressed.request_id != visit.request_id:
        raise StaleScreen()  # a day picker of another request's accept or schedule

    async def ask() -> Next:
        await requests.for_staff(turn.uow, turn.actor, visit.request_id, turn.now)
        return _ask_hour(turn, visit, pressed.day)

    return await _on_request(turn, visit.request_id, ask)


@DIALOG.button(VisitHour, steps=("hour",))
async def _hour_picked(turn: Turn, pressed: VisitHour, visit: VisitTime) -> Next:
    if pressed.request_id != visit.request_id:
        raise StaleScreen()
    if pressed.hour not in PICK_HOURS:
        raise ForgedButton()  # no screen offers such an hour
    day, tz = pressed.day, turn.settings.tz
    when = datetime(day.year, day.month, day.day, pressed.hour, tzinfo=tz)
    return await _on_request(turn, visit.request_id, lambda: _set_when(turn, visit, when))


@DIALOG.button(RequestDetail)
async def _detail(turn: Turn, pressed: RequestDetail, state: DialogState | None) -> Next:
    async def show() -> Next:
        await _show_detail(turn, pressed.request_id)
        return state

    return await _on_request(turn, pressed.request_id, show)


@DIALOG.button(ShowAnswer)
async def _answer(turn: Turn, pressed: ShowAnswer, state: DialogState | None) -> Next:
    """The requester's answer, which the card only says exists, to the presser alone."""

    async def show() -> Next:
        view, answer = await requests.latest_answer(
            turn.uow, turn.actor, pressed.request_id, turn.now
        )
        text = "—" if answer is None else answer.text or ("🎤" if answer.voice_file_id else "—")
        reference = view.request.reference
        turn.say(msg("triage.answer_shown", reference=reference, text=text), buttons=((MENU,),))
        return state

    return await _on_request(turn, pressed.request_id, show)


@DIALOG.button(RequestDone)
async def _done(turn: Turn, pressed: RequestDone, state: DialogState | None) -> Next:
    # "Done" tells the resident: asked first, held for the undo window (bot/dialogs/confirm.py).
    async def ask() -> Next:
        await confirm(turn, UndoKind.REQUEST_DONE, pressed.request_id)
        return state

    return await _on_request(turn, pressed.request_id, ask)


async def _ask_done(turn: Turn, request_id: int, _: int = 0) -> tuple[Msg, ...]:
    view = await requests.preview_done(turn.uow, turn.actor, request_id, turn.now)
    parts = [msg("undo.request_done.who", reference=view.request.reference)]
    when = view.request.scheduled_for
    if when is not None and when > turn.now:
        parts.append(msg("undo.request_done.early", when=when))
    return tuple(parts)


async def _do_done(turn: Turn, request_id: int, _: int = 0) -> Done:
    view = await requests.done(turn.uow, turn.actor, request_id, turn.now)
    reference = view.request.reference
    return Done(
        request_id,
        (msg("triage.done.done", reference=reference), msg("undo.request_done.later")),
        buttons=((MENU,),),
        toast=msg("triage.done.done", reference=reference),
    )


async def _undo_done(turn: Turn, request_id: int, _: int) -> tuple[Msg, ...]:
    view = await requests.undo_done(turn.uow, turn.actor, request_id, turn.now)
    return (msg("undo.request_done.undone", reference=view.request.reference),)


async def _done_refused(turn: Turn, request_id: int, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    await _refused(turn, CardKind.REQUEST, request_id, error)


async def _undo_decline(turn: Turn, request_id: int, _: int) -> tuple[Msg, ...]:
    view = await requests.undo_decline(turn.uow, turn.actor, request_id, turn.now)
    return (msg("undo.request_decline.undone", reference=view.request.reference),)


# Declined or rejected with a typed reason (no Yes to press: the reason is the deliberate step),
# then undoable like a confirmed action.
_UNDO_AFTER_REASON = {
    CardKind.HOURS: UndoKind.HOURS_DECISION,
    CardKind.REQUEST: UndoKind.REQUEST_DECLINE,
    CardKind.VOLUNTEER: UndoKind.VOLUNTEER_DECISION,
}


async def _undo_accept(turn: Turn, request_id: int, _: int) -> tuple[Msg, ...]:
    view = await requests.undo_accept(turn.uow, turn.actor, request_id, turn.now)
    return (msg("undo.request_accept.undone", reference=view.request.reference),)


undoable(Undoable(UndoKind.REQUEST_DECLINE, undo=_undo_decline, refused=_done_refused))
undoable(Undoable(UndoKind.REQUEST_ACCEPT, undo=_undo_accept, refused=_done_refused))
undoable(
    Undoable(
        UndoKind.REQUEST_DONE,
        ask=_ask_done,
        do=_do_done,
        undo=_undo_done,
        refused=_done_refused,
    )
)


@DIALOG.button(AskRequester)
async def _ask(turn: Turn, pressed: AskRequester, state: DialogState | None) -> Next:
    return await _on_request(
        turn, pressed.request_id, lambda: _ask_question(turn, pressed.request_id)
    )


@DIALOG.button(DeclineRequest)
async def _decline(turn: Turn, pressed: DeclineRequest, state: DialogState | None) -> Next:
    request_id = pressed.request_id
    return await _on_request(
        turn, request_id, lambda: _ask_reason(turn, CardKind.REQUEST, request_id)
    )


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
    if request.voice_file_ids or any(m.voice_file_id for m in detail.messages):
        # Telegram cannot tell a photo's file from a voice note's here: the desk plays both.
        page = f"{turn.settings.desk_url}/requests/{request.id}"
        parts.append(msg("help.staff.listen_on_desk", page=page))
    for message in detail.messages[-6:]:
        key = (
            "triage.card.question"
            if message.direction.value == "question"
            else "triage.card.answer"
        )
        parts.append(msg(key, text=message.text or ("🎤" if message.voice_file_id else "—")))
    turn.say(*parts, buttons=((MENU,),))


async def _ask_centre(turn: Turn, request_id: int, *, accept: bool) -> None:
    # A closed centre is offered no new request (bot.services.centres), nor one outside the
    # staff member's scope (bot.services.access would refuse it).
    offered = await memberships.centres_in_scope(turn.uow, turn.actor)
    centres = [c for c in offered if c.is_open]
    rows = tuple(
        (
            Button(
                msg("triage.centre", centre=c.name(turn.locale)),
                AcceptFrom(request_id, c.id) if accept else AssignTo(request_id, c.id),
            ),
        )
        for c in centres
    )
    key = "triage.pick_centre_accept" if accept else "triage.pick_centre"
    turn.say(msg(key), buttons=(*rows, (CANCEL,)))


def _ask_day(turn: Turn, visit: VisitTime) -> VisitTime:
    today = _today(turn)
    days = [today + timedelta(days=n) for n in range(PICK_DAYS)]
    buttons = [Button(msg("triage.day", day=d), VisitDay(visit.request_id, d)) for d in days]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    accepting = visit.centre_id is not None
    key = "triage.pick_day_accept" if accepting else "triage.pick_day_schedule"
    turn.say(msg(key), msg("triage.type_when"), buttons=(*rows, (CANCEL,)))
    return replace(visit, step="day")


def _ask_hour(turn: Turn, visit: VisitTime, day: date) -> VisitTime:
    local_now = turn.now.astimezone(turn.settings.tz)
    buttons = [
        Button(msg("triage.hour", hour=f"{hour}:00"), VisitHour(visit.request_id, day, hour))
        for hour in PICK_HOURS
        if datetime(day.year, day.month, day.day, hour, tzinfo=turn.settings.tz) > local_now
    ]
    rows = tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))
    turn.say(msg("triage.pick_hour", day=day), msg("triage.type_when"), buttons=(*rows, (CANCEL,)))
    return replace(visit, step="hour")


async def _set_when(turn: Turn, visit: VisitTime, when: datetime) -> Next:
    uow, actor, request_id = turn.uow, turn.actor, visit.request_id
    if visit.centre_id is not None:
        view = await requests.accept(uow, actor, request_id, visit.centre_id, when, turn.now)
        turn.toast = msg("triage.done.accepted", reference=view.request.reference)
        # The centre, day and hour were the deliberate steps: done now, undoable for a few
        # minutes, and the resident hears of it once they are over (bot/notices/requests.py).
        turn.say(
            turn.toast,
            msg("triage.when_set", when=when),
            msg("undo.request_done.later"),
            undo_hint(),
            buttons=(undo_row(UndoKind.REQUEST_ACCEPT, request_id), (MENU,)),
        )
        return None
    view = await requests.schedule(uow, actor, request_id, when, turn.now)
    turn.toast = msg("triage.done.scheduled", reference=view.request.reference)
    turn.say(turn.toast, msg("triage.when_set", when=when), buttons=((MENU,),))
    return None


@DIALOG.resumes
async def _resume_when(turn: Turn, visit: VisitTime) -> Next:
    """After a stale press: the day asked again (if the request is still there to see)."""
    await requests.for_staff(turn.uow, turn.actor, visit.request_id, turn.now)
    return _ask_day(turn, visit)


# --- What staff type --------------------------------------------------------------------------


async def _ask_reason(turn: Turn, kind: CardKind, item_id: int) -> Reason:
    """Asks why the hours are rejected, the application or the request declined; an item
    already decided is refused before anyone types a reason for nothing."""
    both: Msg | None = None
    if kind is CardKind.HOURS:
        view = await for_review(turn.uow, turn.actor, item_id, turn.now)
        if view.report.status.value != "pending":
            raise DomainError("decided")
        prompt = msg("triage.ask_reason_hours", id=item_id, limit=HOURS_REASON_LIMIT)
        both = hint_for(turn.locale, view.person, turn.settings.default_locale)
    elif kind is CardKind.VOLUNTEER:
        application = await turn.uow.volunteers.get(item_id)
        if application is None:
            await access.refuse(
                turn.uow, turn.actor, turn.now, cards.REFUSED, f"card:volunteer:{item_id}"
            )
        if application.status.value != "pending":
            raise DomainError("decided")
        prompt = msg("triage.ask_reason_volunteer", id=item_id, limit=REASON_LIMIT)
    else:
        declined = await _still_allowed(turn, item_id, RequestAction.DECLINED)
        prompt = msg(
            "triage.ask_reason_request", reference=declined.request.reference, limit=REASON_LIMIT
        )
        # The resident reads another language: write both?
        both = hint_for(turn.locale, declined.requester, turn.settings.default_locale)
    turn.say(prompt, *(() if both is None else (both,)), buttons=((CANCEL,),))
    return Reason(step="text", kind=kind, item_id=item_id)


@REASON_DIALOG.resumes
async def _resume_reason(turn: Turn, state: Reason) -> Next:
    """After a stale press: the reason asked again, if the item still waits for one."""
    subject = f"card:{state.kind}:{state.item_id}"
    await access.require_staff(
        turn.uow, turn.actor, turn.now, refused=cards.REFUSED, subject=subject
    )
    return await _ask_reason(turn, state.kind, state.item_id)


@REASON_DIALOG.text
async def on_reason(turn: Turn, state: Reason) -> Next:
    """The reason for rejecting hours, declining an application or a request."""
    kind, item_id = state.kind, state.item_id
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
    undoable_as = _UNDO_AFTER_REASON.get(kind)
    if undoable_as is not None:
        # The member or resident hears of it once the undo window is over (bot/notices).
        turn.say(
            msg("triage.done.declined"),
            undo_hint(),
            buttons=(undo_row(undoable_as, item_id), (MENU,)),
        )
        return None
    turn.say(msg("triage.done.declined"), buttons=((MENU,),))
    return None


async def _ask_question(turn: Turn, request_id: int) -> Question:
    view = await _still_allowed(turn, request_id, RequestAction.ASKED)
    prompt = msg("triage.ask_question", reference=view.request.reference, limit=QUESTION_LIMIT)
    both = hint_for(turn.locale, view.requester, turn.settings.default_locale)
    turn.say(prompt, *(() if both is None else (both,)), buttons=((CANCEL,),))
    return Question(step="text", request_id=request_id)


@QUESTION_DIALOG.resumes
async def _resume_question(turn: Turn, state: Question) -> Next:
    """After a stale press: the question asked for again, if the request can still be asked."""
    return await _ask_question(turn, state.request_id)


@QUESTION_DIALOG.text
async def on_question(turn: Turn, state: Question) -> Next:
    """The question for the resident; their answer comes back onto the card and to the asker."""
    request_id = state.request_id
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


@DIALOG.text
async def on_when(turn: Turn, visit: VisitTime) -> Next:
    """A typed date and time for accept or schedule (`11/25 14:30`, `11月25日 14時`)."""
    try:
        when = parse_when(turn.text, turn.now, turn.settings.tz)
    except InvalidInput as error:
        turn.say(_error(error), msg("triage.type_when"), buttons=((CANCEL,),))
        return visit
    try:
        return await _set_when(turn, visit, when)
    except PermissionDenied:
        raise
    except DomainError as error:
        if error.code in ("date_past",):
            turn.say(msg("triage.error.when_past"), buttons=((CANCEL,),))
            return visit
        await _refused(turn, CardKind.REQUEST, visit.request_id, error)
        return None
