"""Use cases of service requests: a resident submits, follows and cancels; staff move it along.

Every staff action is one function taking the acting `Actor`: it re-checks the staff role (a
replayed or forged button gets `PermissionDenied` and an audit row), moves the status only where
`next_status` allows it and only if nobody changed the request meanwhile (a conditional update),
writes a status-history row and an audit row, and records what happened (`bot.domain.events`):
the resident's notice and the staff cards are its consequences (`bot.notices.requests`), whichever
door acted. The functions return a `RequestView`, enough to answer the presser or a desk page.
Audit rows and logs carry ids and codes, never an address, a phone number or what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from bot.domain.coop import BusinessCentre
from bot.domain.errors import DomainError, InvalidInput, NotFound
from bot.domain.events import (
    ActionUndone,
    RequestAnswered,
    RequestMoved,
    RequestQuestionAsked,
    RequestSubmitted,
)
from bot.domain.people import Actor, Person
from bot.domain.requests import (
    ADDRESS_LIMIT,
    ANSWER_LIMIT,
    DETAILS_LIMIT,
    DRAFT_TTL,
    OPEN,
    QUESTION_LIMIT,
    REASON_LIMIT,
    MessageDirection,
    RequestAction,
    RequestChange,
    RequestForm,
    RequestMessage,
    RequestStatus,
    ServiceArea,
    ServiceRequest,
    check_days,
    check_text,
    format_reference,
    next_status,
    parse_phone,
    reference_month,
)
from bot.domain.undo import UndoKind, may_undo
from bot.ports.store import UnitOfWork
from bot.services import access

MY_REQUESTS_LIMIT = 20
REFUSED = "request.refused"


@dataclass(frozen=True)
class RequestView:
    """A request with the people and centre it refers to, as cards, lists and notices show it."""

    request: ServiceRequest
    requester: Person | None
    centre: BusinessCentre | None
    taken_by: Person | None


@dataclass(frozen=True)
class RequestDetail:
    """A request with its history and its question-and-answer thread (staff and the resident)."""

    view: RequestView
    history: list[tuple[RequestChange, Person | None]]
    messages: list[RequestMessage]


@dataclass(frozen=True)
class Answered:
    """The resident's answer, and the staff member whose question it answers (to tell them)."""

    view: RequestView
    message: RequestMessage
    asked_by: Person | None


# --- Authorisation ---------------------------------------------------------------------------


async def _staff_request(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> tuple[int, ServiceRequest]:
    subject = f"service_request:{request_id}"
    staff_id = await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    request = await uow.requests.get(request_id)
    if request is None:
        # An id nobody was shown: forged or replayed. Refused like a stranger's, and audited.
        await access.refuse(uow, actor, now, REFUSED, subject)
    # Another centre's request (or one of no centre yet, for staff of some centres only) is
    # refused alike: its address and phone are need-to-know.
    await access.require_in_scope(
        uow, actor, now, request.centre_id, refused=REFUSED, subject=subject
    )
    return staff_id, request


async def _require_centre_in_scope(
    uow: UnitOfWork, actor: Actor, request_id: int, centre_id: int, now: datetime
) -> None:
    """A request is handed only to a centre in the staff member's scope."""
    await access.require_in_scope(
        uow, actor, now, centre_id, refused=REFUSED, subject=f"service_request:{request_id}"
    )


async def _own_request(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> ServiceRequest:
    """The actor's own request; another's, or an unknown id, is refused alike and audited."""
    request = await uow.requests.get(request_id)
    if request is None or actor.person_id is None or request.requester_id != actor.person_id:
        await access.refuse(uow, actor, now, REFUSED, f"service_request:{request_id}")
    return request


# --- Views -----------------------------------------------------------------------------------


async def _centre(uow: UnitOfWork, centre_id: int | None) -> BusinessCentre | None:
    if centre_id is None:
        return None
    return next((c for c in await uow.centres.all() if c.id == centre_id), None)


def _offered(centre: BusinessCentre | None) -> bool:
    # A closed centre keeps its requests, but is given no new one.
    return centre is not None and centre.is_open


async def view_of(uow: UnitOfWork, request: ServiceRequest) -> RequestView:
    requester = None if request.requester_id is None else await uow.people.get(request.requester_id)
    taken_by = None if request.taken_by is None else await uow.people.get(request.taken_by)
    return RequestView(request, requester, await _centre(uow, request.centre_id), taken_by)


# --- The resident's side ---------------------------------------------------------------------


def check_form(form: RequestForm, *, today: date, areas: Sequence[ServiceArea]) -> RequestForm:
    """The form as the services accept it: every field re-checked, whatever the dialog did.

    With a voice note (someone who cannot type) the address and phone may be left empty: staff
    listen to the note and call back through Telegram.
    """
    if form.area not in {area.code for area in areas}:
        raise InvalidInput("area_unknown")
    voiced = bool(form.voice_file_ids)
    return replace(
        form,
        days=check_days(form.days, today),
        address=check_text(form.address, ADDRESS_LIMIT, required=not voiced, code="address"),
        phone=parse_phone(form.phone) if form.phone.strip() or not voiced else "",
        details=check_text(form.details, DETAILS_LIMIT, required=False, code="details"),
        voice_file_ids=tuple(dict.fromkeys(form.voice_file_ids))[:10],
    )


async def submit(
    uow: UnitOfWork,
    actor: Actor,
    form: RequestForm,
    *,
    consent: bool,
    today: date,
    areas: Sequence[ServiceArea],
    now: datetime,
) -> RequestView:
    """Stores the request, received, with a new reference number: only with consent.

    `today` is the co-op's local date (it names the reference's month and bounds the days).
    """
    if actor.person_id is None:
        raise InvalidInput("no_user")
    if not consent:
        # Care needs are sensitive personal data: without consent nothing is stored.
        raise InvalidInput("consent_required")
    form = check_form(form, today=today, areas=areas)
    month = reference_month(today)
    reference = format_reference(month, await uow.requests.next_sequence(month))
    request = await uow.requests.add(
        form, reference=reference, requester_id=actor.person_id, at=now
    )
    await uow.requests.add_change(
        RequestChange(
            request.id,
            now,
            actor.person_id,
            RequestAction.SUBMITTED,
            None,
            RequestStatus.RECEIVED,
            {"consent": True},
        )
    )
    await uow.requests.delete_draft(actor.person_id)
    await uow.audit.add(
        now,
        actor.person_id,
        "request.submitted",
        f"service_request:{request.id}",
        {"reference": reference, "kind": form.kind.value, "consent_at": now.isoformat()},
    )
    uow.record(RequestSubmitted(at=now, request_id=request.id))
    return await view_of(uow, request)


async def my_requests(
    uow: UnitOfWork, actor: Actor, limit: int = MY_REQUESTS_LIMIT
) -> list[RequestView]:
    """The actor's requests, newest first."""
    if actor.person_id is None:
        return []
    mine = await uow.requests.for_requester(actor.person_id, limit)
    return [await view_of(uow, request) for request in mine]


async def my_request(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    return await view_of(uow, await _own_request(uow, actor, request_id, now))


async def cancel_mine(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    """The resident withdraws an open request; the staff member handling it is told."""
    request = await _own_request(uow, actor, request_id, now)
    return await _move(uow, actor, request, RequestAction.CANCELLED, now)


async def answer(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    text: str,
    now: datetime,
    *,
    voice_file_id: str | None = None,
) -> Answered:
    """The resident answers staff's question (text, or a voice note); the asker is told."""
    request = await _own_request(uow, actor, request_id, now)
    text = check_text(text, ANSWER_LIMIT, required=voice_file_id is None, code="answer")
    next_status(request.status, RequestAction.ANSWERED)
    message = await uow.requests.add_message(
        request.id, MessageDirection.ANSWER, actor.person_id, text, now, voice_file_id
    )
    await _record(uow, actor, request, RequestAction.ANSWERED, request.status, now)
    questions = [
        m
        for m in await uow.requests.messages(request.id)
        if m.direction is MessageDirection.QUESTION
    ]
    asker = questions[-1].author_person_id if questions else None
    asked_by = None if asker is None else await uow.people.get(asker)
    uow.record(
        RequestAnswered(
            at=now,
            request_id=request.id,
            message_id=message.id,
            asked_by=None if asked_by is None else asked_by.id,
        )
    )
    return Answered(await view_of(uow, request), message, asked_by)


# --- Drafts: a dialog left halfway -----------------------------------------------------------


async def save_draft(uow: UnitOfWork, actor: Actor, data: dict[str, Any], now: datetime) -> None:
    if actor.person_id is not None:
        await uow.requests.put_draft(actor.person_id, data, now)


async def load_draft(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[str, Any] | None:
    """The actor's draft if younger than a day; an older one is deleted and None returned."""
    if actor.person_id is None:
        return None
    draft = await uow.requests.get_draft(actor.person_id)
    if draft is None:
        return None
    if draft.expired(now):
        await uow.requests.delete_draft(actor.person_id)
        return None
    return dict(draft.data)


async def discard_draft(uow: UnitOfWork, actor: Actor) -> None:
    if actor.person_id is not None:
        await uow.requests.delete_draft(actor.person_id)


# --- The staff's side ------------------------------------------------------------------------


async def queue(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    centre_id: int | None = None,
    statuses: frozenset[RequestStatus] = OPEN,
    limit: int = 20,
    offset: int = 0,
) -> list[RequestView]:
    """Open requests (or those in `statuses`), oldest first, optionally of one centre; of the
    centres in the staff member's scope only (those of no centre yet: whole-co-op staff)."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="service_requests")
    scope = await access.scope_of(uow, actor)
    found = await uow.requests.waiting(
        statuses, centre_id=centre_id, limit=limit, offset=offset, centres=scope.centres
    )
    return [await view_of(uow, request) for request in found]


async def counts(
    uow: UnitOfWork, actor: Actor, now: datetime, *, centre_id: int | None = None
) -> dict[RequestStatus, int]:
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="service_requests")
    scope = await access.scope_of(uow, actor)
    return await uow.requests.count_by_status(centre_id, centres=scope.centres)


async def for_staff(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    """A request as a staff card shows it (no audit: the card shows no personal details)."""
    _, request = await _staff_request(uow, actor, request_id, now)
    return await view_of(uow, request)


async def detail(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestDetail:
    """Everything about a request, personal details included: staff only, and audited."""
    _, request = await _staff_request(uow, actor, request_id, now)
    await uow.audit.add(
        now, actor.person_id, "request.personal_viewed", f"service_request:{request_id}"
    )
    changes = await uow.requests.history(request_id)
    ids = {c.actor_person_id for c in changes if c.actor_person_id is not None}
    people = {pid: await uow.people.get(pid) for pid in ids}
    history = [
        (c, None if c.actor_person_id is None else people.get(c.actor_person_id)) for c in changes
    ]
    messages = list(await uow.requests.messages(request_id))
    return RequestDetail(await view_of(uow, request), history, messages)


async def file_for_staff(
    uow: UnitOfWork, actor: Actor, request_id: int, number: int, now: datetime
) -> str:
    """The file_id of a request's `number`th voice note or photo (from 1: those sent with the
    request, then those sent as answers), for a staff member who may see the request; the
    hand-over is audited. Someone who could not type is listened to, not counted."""
    _, request = await _staff_request(uow, actor, request_id, now)
    answers = [m.voice_file_id for m in await uow.requests.messages(request_id)]
    files = [*request.voice_file_ids, *(f for f in answers if f)]
    if not 1 <= number <= len(files):
        raise NotFound("request_file")
    await uow.audit.add(
        now, actor.person_id, "request.file_handed", f"service_request:{request_id}", {"n": number}
    )
    return files[number - 1]


async def latest_answer(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> tuple[RequestView, RequestMessage | None]:
    """The requester's latest answer, for the staff member who asked to see it: audited, as
    every look at a resident's words is (staff cards say only that there is an answer)."""
    _, request = await _staff_request(uow, actor, request_id, now)
    answers = [
        m for m in await uow.requests.messages(request_id) if m.direction is MessageDirection.ANSWER
    ]
    await uow.audit.add(
        now, actor.person_id, "request.answer_viewed", f"service_request:{request_id}"
    )
    return await view_of(uow, request), (answers[-1] if answers else None)


async def take(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    """The staff member takes the request on. Of two taking at once one wins; the other gets
    `request_already_taken` with `by` (the winner's name) and `view`."""
    staff_id, request = await _staff_request(uow, actor, request_id, now)
    if request.taken_by is None and request.status is RequestStatus.RECEIVED:
        if await uow.requests.take(request.id, staff_id, now):
            taken = replace(
                request, status=RequestStatus.UNDER_REVIEW, taken_by=staff_id, updated_at=now
            )
            await _record(uow, actor, request, RequestAction.TAKEN, taken.status, now)
            uow.record(
                RequestMoved(
                    at=now, request_id=request.id, action=RequestAction.TAKEN, was=request.status
                )
            )
            return await view_of(uow, taken)
        request = await uow.requests.get(request_id) or request
    view = await view_of(uow, request)
    if request.taken_by == staff_id:
        return view  # the same button pressed twice
    if request.taken_by is not None:
        name = view.taken_by.display_name if view.taken_by else "?"
        raise DomainError("request_already_taken", by=name, view=view)
    raise DomainError("request_transition", status=request.status.value, view=view)


async def assign_centre(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    centre_id: int,
    now: datetime,
) -> RequestView:
    """Gives the request to a business centre (and to the actor, if nobody had taken it)."""
    staff_id, request = await _staff_request(uow, actor, request_id, now)
    await _require_centre_in_scope(uow, actor, request_id, centre_id, now)
    if not _offered(await _centre(uow, centre_id)):
        raise InvalidInput("unknown_centre")
    return await _move(
        uow,
        actor,
        request,
        RequestAction.ASSIGNED,
        now,
        centre_id=centre_id,
        taken_by=request.taken_by or staff_id,
    )


async def accept(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    centre_id: int,
    contact_when: datetime,
    now: datetime,
) -> RequestView:
    """Accepted: `centre_id` will contact the resident at `contact_when` (not in the past)."""
    staff_id, request = await _staff_request(uow, actor, request_id, now)
    await _require_centre_in_scope(uow, actor, request_id, centre_id, now)
    if not _offered(await _centre(uow, centre_id)):
        raise InvalidInput("unknown_centre")
    if contact_when < now:
        raise InvalidInput("date_past")
    # What an undo puts back (ids only): the centre and the taker before the accept.
    was = {"was_centre_id": request.centre_id, "was_taken_by": request.taken_by}
    return await _move(
        uow,
        actor,
        request,
        RequestAction.ACCEPTED,
        now,
        facts=was,
        centre_id=centre_id,
        contact_when=contact_when,
        taken_by=request.taken_by or staff_id,
    )


async def schedule(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    when: datetime,
    now: datetime,
) -> RequestView:
    """The service is booked for `when` (in the future); scheduling again moves it."""
    _, request = await _staff_request(uow, actor, request_id, now)
    if when <= now:
        raise InvalidInput("date_past")
    return await _move(uow, actor, request, RequestAction.SCHEDULED, now, scheduled_for=when)


async def done(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    _, request = await _staff_request(uow, actor, request_id, now)
    return await _move(uow, actor, request, RequestAction.DONE, now)


async def preview_done(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> RequestView:
    """The request staff would mark done (asked before it is). Errors: request_transition."""
    _, request = await _staff_request(uow, actor, request_id, now)
    next_status(request.status, RequestAction.DONE)
    return await view_of(uow, request)


async def undo_accept(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    """Takes back the actor's own accept within the undo window, before the resident was told
    and while nobody acted on the request since: it waits as before, with the centre and the
    taker it had and no time to contact. Errors: undo_expired, undo_acted, undo_already."""
    history = await uow.requests.history(request_id)
    accepted = next((c for c in reversed(history) if c.action is RequestAction.ACCEPTED), None)
    facts = {} if accepted is None else accepted.details
    return await _undo(
        uow,
        actor,
        request_id,
        now,
        RequestAction.ACCEPTED,
        UndoKind.REQUEST_ACCEPT,
        centre_id=_int_or_none(facts.get("was_centre_id")),
        taken_by=_int_or_none(facts.get("was_taken_by")),
        contact_when=None,
    )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None


async def undo_done(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> RequestView:
    """Takes back the actor's own "done" within the undo window, before the resident was told
    and while nobody acted on the request since: it is open again, as it was before.

    Errors: undo_expired, undo_acted, undo_already."""
    return await _undo(uow, actor, request_id, now, RequestAction.DONE, UndoKind.REQUEST_DONE)


async def undo_decline(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> RequestView:
    """Takes back the actor's own decline within the undo window, before the resident read the
    reason and while nobody acted on the request since: it is as it was before, without the
    reason. Errors: undo_expired, undo_acted, undo_already."""
    return await _undo(
        uow,
        actor,
        request_id,
        now,
        RequestAction.DECLINED,
        UndoKind.REQUEST_DECLINE,
        decline_reason=None,
    )


async def _undo(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    now: datetime,
    action: RequestAction,
    kind: UndoKind,
    **restore: Any,
) -> RequestView:
    """The request back in the status before the actor's last `action` (and `restore`d), in its
    undo window, with a history and an audit row; `ActionUndone` withdraws the held notices."""
    staff_id, request = await _staff_request(uow, actor, request_id, now)
    history = await uow.requests.history(request.id)
    last = history[-1] if history else None
    undone = last is not None and last.action is RequestAction.UNDONE
    if undone and last is not None and last.actor_person_id == staff_id:
        raise DomainError("undo_already")  # Undo pressed again
    if (
        last is None
        or last.action is not action
        or request.status is not last.to_status
        or last.from_status is None
    ):
        raise DomainError("undo_acted")
    if last.actor_person_id != staff_id:
        if any(c.actor_person_id == staff_id and c.action is action for c in history):
            raise DomainError("undo_acted")  # the actor's action, since followed by another's
        await access.refuse(uow, actor, now, REFUSED, f"service_request:{request.id}")
    if not may_undo(last.at, now):
        raise DomainError("undo_expired")
    back = replace(request, status=last.from_status, updated_at=now, **restore)
    if not await uow.requests.save(back, was=request.status):
        raise DomainError("undo_acted")
    await _record(uow, actor, request, RequestAction.UNDONE, back.status, now)
    uow.record(ActionUndone(at=now, kind=kind, subject=request.id, person_id=staff_id))
    return await view_of(uow, back)


async def decline(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    reason: str,
    now: datetime,
) -> RequestView:
    """Declined with a reason the resident is told (required, at most 300 characters)."""
    _, request = await _staff_request(uow, actor, request_id, now)
    reason = check_text(reason, REASON_LIMIT, required=True, code="reason")
    return await _move(uow, actor, request, RequestAction.DECLINED, now, decline_reason=reason)


async def ask(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    question: str,
    now: datetime,
) -> tuple[RequestView, RequestMessage]:
    """Staff ask the resident a question; it reaches them with an Answer button."""
    staff_id, request = await _staff_request(uow, actor, request_id, now)
    question = check_text(question, QUESTION_LIMIT, required=True, code="question")
    next_status(request.status, RequestAction.ASKED)
    message = await uow.requests.add_message(
        request.id, MessageDirection.QUESTION, staff_id, question, now
    )
    await _record(uow, actor, request, RequestAction.ASKED, request.status, now)
    uow.record(RequestQuestionAsked(at=now, request_id=request.id, message_id=message.id))
    return await view_of(uow, request), message


async def purge_closed(uow: UnitOfWork, cutoff: datetime, now: datetime, limit: int = 500) -> int:
    """Removes the personal fields of requests closed before `cutoff` (the retention job), and
    drafts older than a day: an unsent form may hold an address typed before consent."""
    await uow.requests.delete_drafts_before(now - DRAFT_TTL)
    purged = 0
    for request in await uow.requests.closed_before(cutoff, limit):
        if await uow.requests.purge_personal(request.id, now):
            await _record(uow, None, request, RequestAction.PURGED, request.status, now)
            purged += 1
    return purged


# --- Moving a request ------------------------------------------------------------------------


async def _record(
    uow: UnitOfWork,
    actor: Actor | None,
    request: ServiceRequest,
    action: RequestAction,
    to_status: RequestStatus,
    now: datetime,
    **details: object,
) -> None:
    """The history row and the audit row of one action (ids and codes only)."""
    who = None if actor is None else actor.person_id
    await uow.requests.add_change(
        RequestChange(request.id, now, who, action, request.status, to_status, dict(details))
    )
    await uow.audit.add(
        now,
        who,
        f"request.{action.value}",
        f"service_request:{request.id}",
        {"from": request.status.value, "to": to_status.value, **details},
    )


async def _move(
    uow: UnitOfWork,
    actor: Actor,
    request: ServiceRequest,
    action: RequestAction,
    now: datetime,
    facts: dict[str, Any] | None = None,
    **changes: Any,
) -> RequestView:
    status = next_status(request.status, action)
    moved = replace(request, status=status, updated_at=now, **changes)
    if not await uow.requests.save(moved, was=request.status):
        # Someone else changed it since it was read: the caller redraws and tries again.
        raise DomainError("request_changed")
    facts = {
        **(facts or {}),
        **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in changes.items()},
    }
    facts.pop("decline_reason", None)  # free text stays on the request, not in the audit log
    await _record(uow, actor, request, action, status, now, **facts)
    uow.record(RequestMoved(at=now, request_id=request.id, action=action, was=request.status))
    return await view_of(uow, moved)
