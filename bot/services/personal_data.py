"""Use cases of personal data: what Kyodo stores about a person, forgetting them, retention.

- `my_data`: everything stored about the actor, read through the repositories.
- `forget`: deletes the actor, or, where the co-op must keep the record (approved hours, completed
  services), anonymises them and keeps the numbers; afterwards they are a stranger to Kyodo.
- `record_view`: one audit row per time a staff member looks at someone's personal details.
- `purge_expired`: the retention job (run daily by the scheduler and by
  `kyodo purge-personal-data`): clears the personal fields of closed service requests and of
  declined volunteer applications older than the retention period.

Logs and audit rows carry ids and counts, never a name, phone number or address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot.domain.assemblies import Answer
from bot.domain.coop import Shift
from bot.domain.errors import DomainError
from bot.domain.hours import HourReport, ReportStatus
from bot.domain.people import Actor, Person
from bot.domain.requests import RequestStatus, ServiceRequest
from bot.domain.volunteers import PURGED, Application
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.services import requests as request_services

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365
_EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
_MANY = 1000  # more records of one kind than one person has


class Forgotten(StrEnum):
    DELETED = "deleted"
    ANONYMISED = "anonymised"


@dataclass(frozen=True)
class MyData:
    """Everything Kyodo stores about one person."""

    person: Person
    hour_reports: list[HourReport]
    shifts: list[Shift]
    answers: list[tuple[str, str, Answer]]  # (title ja, title en, answer)
    requests: list[ServiceRequest]
    applications: list[Application]
    messages_received: int  # updates from their chat still in the inbox
    messages_sent: int  # messages to their chat in the outbox


@dataclass(frozen=True)
class PurgeCounts:
    requests: int
    applications: int


async def record_view(
    uow: UnitOfWork, actor: Actor, person_id: int, what: str, now: datetime
) -> None:
    """Audits that `actor` looked at the personal details (`what`) of `person_id`."""
    await uow.audit.add(
        now, actor.person_id, "personal_data.viewed", f"person:{person_id}", {"what": what}
    )


async def _me(uow: UnitOfWork, actor: Actor) -> Person:
    person = None if actor.person_id is None else await uow.people.get(actor.person_id)
    if person is None:
        raise DomainError("nothing_stored")
    return person


async def my_data(uow: UnitOfWork, actor: Actor) -> MyData:
    person = await _me(uow, actor)
    reports = await uow.hours.for_person(person.id, date(2000, 1, 1), date(2100, 1, 1))
    shifts = await uow.shifts.for_person(person.id, *_EVER)
    answers: list[tuple[str, str, Answer]] = []
    for assembly in await uow.assemblies.upcoming(_EVER[0], _MANY):
        answer = await uow.assemblies.answer_of(assembly.id, person.id)
        if answer is not None:
            answers.append((assembly.title_ja, assembly.title_en, answer))
    received, sent = (0, 0)
    if person.telegram_user_id is not None:
        received, sent = await uow.privacy.messages_of(person.telegram_user_id)
    return MyData(
        person=person,
        hour_reports=list(reports),
        shifts=list(shifts),
        answers=answers,
        requests=list(await uow.requests.for_requester(person.id, _MANY)),
        applications=list(await uow.volunteers.for_person(person.id)),
        messages_received=received,
        messages_sent=sent,
    )


async def forget(uow: UnitOfWork, actor: Actor, now: datetime) -> Forgotten:
    """Forgets the actor (after they confirmed): deleted, or anonymised where records must stay."""
    person = await _me(uow, actor)
    reports = await uow.hours.for_person(person.id, date(2000, 1, 1), date(2100, 1, 1))
    requests = await uow.requests.for_requester(person.id, _MANY)
    for request in requests:
        await uow.requests.purge_personal(request.id, now)
    await uow.requests.delete_draft(person.id)  # an unsent request form may hold an address
    await uow.volunteers.delete_for_person(person.id)
    keep = any(r.status is ReportStatus.APPROVED for r in reports) or any(
        r.status is RequestStatus.DONE for r in requests
    )
    if keep:
        await uow.privacy.anonymise_person(person.id, PURGED)
        outcome = Forgotten.ANONYMISED
    else:
        await uow.privacy.delete_person(person.id)
        outcome = Forgotten.DELETED
    # No actor id once the person row is gone (the audit log's foreign key).
    await uow.audit.add(
        now,
        person.id if keep else None,
        "personal_data.forgotten",
        f"person:{person.id}",
        {"outcome": outcome.value},
    )
    log.info("person %s forgotten (%s)", person.id, outcome.value)
    return outcome


async def purge_expired(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    retention: timedelta,
    *,
    dry_run: bool = False,
) -> PurgeCounts:
    """Clears the personal fields of what closed more than `retention` ago, in one transaction.

    With `dry_run` it counts what it would clear and changes nothing.
    """
    cutoff = now - retention
    async with uow_factory() as uow:
        requests = 0
        while True:
            batch = await request_services.purge_closed(uow, cutoff, now)
            requests += batch
            if batch == 0:
                break
        applications = await uow.volunteers.purge_declined(cutoff, now)
        counts = PurgeCounts(requests=requests, applications=applications)
        if dry_run:
            await uow.rollback()
        else:
            await uow.audit.add(
                now,
                None,
                "personal_data.purged",
                "retention",
                {"requests": requests, "applications": applications, "days": retention.days},
            )
            await uow.commit()
    log.info(
        "personal data purge%s: %d service requests, %d volunteer applications (over %d days)",
        " (dry run)" if dry_run else "",
        counts.requests,
        counts.applications,
        retention.days,
    )
    return counts
