"""What a staff card shows of its item: the item, and who last acted on it and when.

Read for drawing a card (to every staff chat at once), so no personal details are loaded here:
no phone, no address, no care details. Staff open those through the audited detail views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.cards import CardKind
from bot.domain.coop import BusinessCentre
from bot.domain.hours import HourReport
from bot.domain.people import Person
from bot.domain.requests import MessageDirection, RequestChange, RequestMessage
from bot.domain.volunteers import Application
from bot.ports.store import UnitOfWork
from bot.services.requests import RequestView, view_of


@dataclass(frozen=True)
class LastAction:
    action: str  # a stable code: approved, rejected, taken, assigned, ...
    by: Person | None
    at: datetime


@dataclass(frozen=True)
class HoursItem:
    report: HourReport
    person: Person | None
    centre: BusinessCentre | None
    last: LastAction | None


@dataclass(frozen=True)
class VolunteerItem:
    application: Application
    last: LastAction | None


@dataclass(frozen=True)
class RequestItem:
    view: RequestView
    last: LastAction | None
    question: RequestMessage | None  # the latest question staff asked
    answer: RequestMessage | None  # the resident's answer to it, once there is one


CardItem = HoursItem | VolunteerItem | RequestItem


async def _person(uow: UnitOfWork, person_id: int | None) -> Person | None:
    return None if person_id is None else await uow.people.get(person_id)


async def _centre(uow: UnitOfWork, centre_id: int | None) -> BusinessCentre | None:
    return next((c for c in await uow.centres.all() if c.id == centre_id), None)


async def _decided(
    uow: UnitOfWork, action: str, by: int | None, at: datetime | None
) -> LastAction | None:
    return None if at is None else LastAction(action, await _person(uow, by), at)


async def load(uow: UnitOfWork, kind: CardKind, item_id: int) -> CardItem | None:
    """The item as its card shows it; None if there is no such item (or it is gone)."""
    if kind is CardKind.HOURS:
        report = await uow.hours.get(item_id)
        if report is None:
            return None
        last = await _decided(uow, report.status.value, report.decided_by, report.decided_at)
        return HoursItem(
            report,
            await _person(uow, report.person_id),
            await _centre(uow, report.centre_id),
            last,
        )
    if kind is CardKind.VOLUNTEER:
        application = await uow.volunteers.get(item_id)
        if application is None:
            return None
        last = await _decided(
            uow, application.status.value, application.decided_by, application.decided_at
        )
        return VolunteerItem(application, last)
    request = await uow.requests.get(item_id)
    if request is None:
        return None
    history = await uow.requests.history(request.id)
    change: RequestChange | None = history[-1] if history else None
    last = None
    if change is not None:
        last = LastAction(
            change.action.value, await _person(uow, change.actor_person_id), change.at
        )
    messages = await uow.requests.messages(request.id)
    questions = [m for m in messages if m.direction is MessageDirection.QUESTION]
    question = questions[-1] if questions else None
    answer = None
    if question is not None:
        answer = next(
            (
                m
                for m in reversed(messages)
                if m.direction is MessageDirection.ANSWER and m.id > question.id
            ),
            None,
        )
    return RequestItem(await view_of(uow, request), last, question, answer)


def is_open(item: CardItem) -> bool:
    """Whether the item still waits for staff (its card keeps its buttons)."""
    if isinstance(item, HoursItem):
        return item.report.status.value == "pending"
    if isinstance(item, VolunteerItem):
        return item.application.status.value == "pending"
    return item.view.request.is_open
