"""How a staff card looks for each kind of item: its text and the buttons of its current state.

Each button is typed callback data carrying the item's id only, `tc:<kind>:<action>:<id>`
(`tc:h:ok:17`, `tc:r:take:5`): one small class per action of each kind, registered with its
handler by bot/dialogs/triage.py. Every press is re-authorised by the services. A closed item's
card keeps its text (what happened, who did it, when) and loses its buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.dialogs.volunteers import joined
from bot.dialogs.write_both import reads_line
from bot.domain.callbacks import CallbackData
from bot.domain.coop import BusinessCentre
from bot.domain.hours import duration
from bot.domain.replies import Button, Msg, Reply, msg
from bot.domain.requests import (
    DEFAULT_AREAS,
    RequestAction,
    RequestStatus,
    ServiceArea,
    actions_from,
)
from bot.domain.volunteers import Application
from bot.services.card_items import CardItem, HoursItem, LastAction, RequestItem, VolunteerItem

Buttons = tuple[tuple[Button, ...], ...]


# The cards' buttons (a card sent afresh from /queue is `OpenHoursCard` & co. in menus.py).


@dataclass(frozen=True)
class ApproveHours(CallbackData, tag="tc:h:ok"):
    report_id: int


@dataclass(frozen=True)
class RejectHours(CallbackData, tag="tc:h:no"):
    """Asks for the reason, then rejects."""

    report_id: int


@dataclass(frozen=True)
class ApproveApplication(CallbackData, tag="tc:v:ok"):
    application_id: int


@dataclass(frozen=True)
class DeclineApplication(CallbackData, tag="tc:v:no"):
    """Asks for the reason, then declines."""

    application_id: int


@dataclass(frozen=True)
class TakeRequest(CallbackData, tag="tc:r:take"):
    request_id: int


@dataclass(frozen=True)
class AssignRequest(CallbackData, tag="tc:r:cen"):
    """Asks which centre, then assigns the request to it."""

    request_id: int


@dataclass(frozen=True)
class AcceptRequest(CallbackData, tag="tc:r:acc"):
    """Asks which centre and when it contacts the requester, then accepts."""

    request_id: int


@dataclass(frozen=True)
class ScheduleRequest(CallbackData, tag="tc:r:sch"):
    """Asks the day and time of the service, then schedules (or reschedules) it."""

    request_id: int


@dataclass(frozen=True)
class RequestDone(CallbackData, tag="tc:r:done"):
    request_id: int


@dataclass(frozen=True)
class RequestDetail(CallbackData, tag="tc:r:info"):
    """The personal details the card leaves out, to the presser alone."""

    request_id: int


@dataclass(frozen=True)
class ShowAnswer(CallbackData, tag="tc:r:ans"):
    """The requester's answer, which the card does not print, to the presser alone (audited)."""

    request_id: int


@dataclass(frozen=True)
class AskRequester(CallbackData, tag="tc:r:ask"):
    """Asks for the question, then sends it to the requester."""

    request_id: int


@dataclass(frozen=True)
class DeclineRequest(CallbackData, tag="tc:r:dec"):
    """Asks for the reason, then declines."""

    request_id: int


_hours = duration


def _centre(centre: BusinessCentre | None, locale: str) -> str:
    return centre.name(locale) if centre is not None else "—"


def _last(last: LastAction | None) -> list[Msg]:
    if last is None:
        return []
    who = last.by.display_name if last.by is not None else "—"
    return [
        msg("triage.card.last", action=msg(f"triage.action.{last.action}"), name=who, when=last.at)
    ]


def card_reply(
    item: CardItem,
    locale: str,
    *,
    edit: bool = False,
    areas: Sequence[ServiceArea] = DEFAULT_AREAS,
) -> Reply:
    """The card in `locale` (centre and area names come in the viewer's language)."""
    if isinstance(item, HoursItem):
        parts, buttons = _hours_card(item, locale)
    elif isinstance(item, VolunteerItem):
        parts, buttons = _volunteer_card(item)
    else:
        parts, buttons = _request_card(item, locale, areas)
    return Reply(parts=(_joined_lines(parts),), buttons=buttons, edit=edit)


def _joined_lines(parts: list[Msg]) -> Msg:
    """The card's lines as one message part (one line each, no blank lines between)."""
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = msg("triage.lines", first=part, rest=result)
    return result


# --- Hour reports -----------------------------------------------------------------------------


def _hours_card(item: HoursItem, locale: str) -> tuple[list[Msg], Buttons]:
    report = item.report
    parts = [
        msg(
            "triage.card.hours",
            id=report.id,
            name=item.person.display_name if item.person else "—",
            day=report.day,
            centre=_centre(item.centre, locale),
            kind=msg(f"work.{report.kind}"),
            hours=_hours(report.minutes),
        ),
        msg("triage.card.note", note=report.note or "—"),
        msg("triage.card.status", status=msg(f"hours.status.{report.status}")),
    ]
    if (reads := reads_line(item.person)) is not None:
        parts.append(reads)
    if report.reason:
        parts.append(msg("triage.card.reason", reason=report.reason))
    parts += _last(item.last)
    buttons: Buttons = ()
    if report.status.value == "pending":
        buttons = (
            (
                Button(msg("triage.button.approve"), ApproveHours(report.id)),
                Button(msg("triage.button.reject"), RejectHours(report.id)),
            ),
        )
    return parts, buttons


# --- Volunteer applications -------------------------------------------------------------------


def _label(field: str, value: str) -> Msg:
    if field == "availability":
        day, _, part = value.partition(":")
        return msg(
            "volunteers.slot", day=msg(f"volunteers.day.{day}"), part=msg(f"volunteers.part.{part}")
        )
    return msg(f"volunteers.{field}.{value}")


def _volunteer_card(item: VolunteerItem) -> tuple[list[Msg], Buttons]:
    application: Application = item.application
    c = application.choices
    parts = [
        msg("triage.card.volunteer", id=application.id, name=application.name),
        msg(
            "triage.card.volunteer_choices",
            interests=joined([_label("interests", v) for v in c.interests]),
            availability=joined([_label("availability", v) for v in c.availability]),
            languages=joined([_label("languages", v) for v in c.languages]),
            skills=joined([_label("skills", v) for v in c.skills]),
        ),
        msg("triage.card.status", status=msg(f"triage.volunteer_status.{application.status}")),
    ]
    if application.reason:
        parts.append(msg("triage.card.reason", reason=application.reason))
    parts += _last(item.last)
    buttons: Buttons = ()
    if application.status.value == "pending":
        buttons = (
            (
                Button(msg("triage.button.approve"), ApproveApplication(application.id)),
                Button(msg("triage.button.decline"), DeclineApplication(application.id)),
            ),
        )
    return parts, buttons


# --- Service requests -------------------------------------------------------------------------


def _area(code: str, locale: str, areas: Sequence[ServiceArea]) -> str:
    area = next((a for a in areas if a.code == code), None)
    return area.name(locale) if area is not None else code


def _request_card(
    item: RequestItem, locale: str, areas: Sequence[ServiceArea]
) -> tuple[list[Msg], Buttons]:
    view = item.view
    request = view.request
    days: Msg = (
        msg("triage.card.flexible")
        if not request.days
        else msg("triage.card.days", first=request.days[0], count=len(request.days))
    )
    parts = [
        msg(
            "triage.card.request",
            reference=request.reference,
            kind=msg(f"triage.kind.{request.kind}"),
        ),
        msg(
            "triage.card.request_when",
            for_whom=msg(f"triage.for.{request.for_whom}"),
            days=days,
            window=msg(f"triage.window.{request.time_window}"),
            area=_area(request.area, locale, areas),
        ),
        msg("triage.card.status", status=msg(f"triage.status.{request.status}")),
    ]
    if (reads := reads_line(view.requester)) is not None:
        parts.append(reads)  # what staff write to them had better be in that language
    if view.taken_by is not None:
        parts.append(msg("triage.card.taken_by", name=view.taken_by.display_name))
    if view.centre is not None:
        parts.append(msg("triage.card.centre", centre=view.centre.name(locale)))
    if request.contact_when is not None:
        parts.append(msg("triage.card.contact_when", when=request.contact_when))
    if request.scheduled_for is not None:
        parts.append(msg("triage.card.scheduled_for", when=request.scheduled_for))
    if request.decline_reason:
        parts.append(msg("triage.card.reason", reason=request.decline_reason))
    if item.question is not None:
        parts.append(msg("triage.card.question", text=item.question.text or "—"))
        # A resident's answer may hold a care need: a card goes to every staff member (a whole
        # group, with KYODO_STAFF_CHAT_ID), so it says only that there is one.
        parts.append(msg("triage.card.answered" if item.answer else "triage.card.no_answer"))
    parts += _last(item.last)
    return parts, _request_buttons(request.id, request.status, answered=item.answer is not None)


def _request_buttons(request_id: int, status: RequestStatus, *, answered: bool = False) -> Buttons:
    possible = set(actions_from(status))
    if not possible - {RequestAction.CANCELLED}:
        return ()

    def button(key: str, data: CallbackData) -> Button:
        return Button(msg(f"triage.button.{key}"), data)

    first: list[Button] = []
    if RequestAction.TAKEN in possible:
        first.append(button("take", TakeRequest(request_id)))
    if RequestAction.ASSIGNED in possible:
        first.append(button("assign", AssignRequest(request_id)))
    if RequestAction.ACCEPTED in possible:
        first.append(button("accept", AcceptRequest(request_id)))
    if RequestAction.SCHEDULED in possible:
        key = "reschedule" if status is RequestStatus.SCHEDULED else "schedule"
        first.append(button(key, ScheduleRequest(request_id)))
    if RequestAction.DONE in possible:
        first.append(button("done", RequestDone(request_id)))
    second: list[Button] = [button("info", RequestDetail(request_id))]
    if answered:
        second.append(button("answer", ShowAnswer(request_id)))
    if RequestAction.ASKED in possible:
        second.append(button("ask", AskRequester(request_id)))
    if RequestAction.DECLINED in possible:
        second.append(button("decline", DeclineRequest(request_id)))
    rows = [tuple(first[i : i + 2]) for i in range(0, len(first), 2)]
    rows += [tuple(second[i : i + 2]) for i in range(0, len(second), 2)]
    return tuple(rows)
