"""Use cases of personal data: what Kyodo stores about a person, forgetting them, retention.

- `my_data`: everything stored about the actor, read through the repositories.
- `forget`: withdraws the actor's open requests (through the request use cases, so staff cards
  and the desk say so), then deletes the actor, or, where the co-op must keep the record
  (approved hours, completed services), anonymises them and keeps the numbers; every copy of
  their messages, their conversation state and their Telegram id in the audit log go too.
  Afterwards they are a stranger to Kyodo, and the report says what was kept and why.
- `forget_stranger`: the same for someone Kyodo has no person for: the copies of their messages.
- `record_view`: one audit row per time a staff member looks at someone's personal details.
- `purge_expired`: the nightly job (the scheduler; `kyodo purge-personal-data` by hand): the
  personal fields of service requests closed and volunteer applications declined longer ago
  than the retention period, conversations and request drafts left for a day, raw updates
  handled without the core, messages sent or failed longer ago than the outbox keeps them, and
  Telegram ids and client addresses in audit rows older than the retention period.

Logs and audit rows carry ids and counts, never a name, phone number or address.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot.domain.assemblies import Answer
from bot.domain.channels import Channel
from bot.domain.conversations import ConversationMessage
from bot.domain.coop import Shift
from bot.domain.errors import DomainError
from bot.domain.hours import HourReport, ReportStatus
from bot.domain.invites import LOCKOUT
from bot.domain.people import Actor, Person
from bot.domain.requests import DRAFT_TTL, OPEN, RequestStatus, ServiceRequest
from bot.domain.roster import RosterEntry
from bot.domain.volunteers import PURGED, Application
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.services import member_import
from bot.services import requests as request_services

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365
DEFAULT_OUTBOX_KEEP = timedelta(days=7)  # KYODO_OUTBOX_KEEP_DAYS
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
    # What they wrote to the staff (and the staff's answers), oldest first.
    staff_messages: list[ConversationMessage] = field(default_factory=list)
    # What the co-op's roster import knows of them: kana reading and phone (None: not imported).
    roster: RosterEntry | None = None


@dataclass(frozen=True)
class ForgetReport:
    """What /forget did, and what it kept and why, for the person's last answer."""

    outcome: Forgotten
    withdrawn: int  # open requests withdrawn (staff see "withdrawn by the requester")
    hours_kept: int  # approved hour reports, numbers only: the co-op's payroll records
    services_kept: int  # completed services, without address, phone or details
    copies: int  # stored copies of messages from and to the person, deleted


@dataclass(frozen=True)
class PurgeCounts:
    requests: int
    applications: int
    conversations: int = 0  # conversations and request drafts left for a day
    updates: int = 0  # raw updates reduced to their id and kind
    messages: int = 0  # sent or failed messages deleted from the outbox
    traces: int = 0  # audit rows that lost a Telegram id or a client address
    counters: int = 0  # wrong-invite-code counters of Telegram accounts, done with
    unjoined: int = 0  # imported people who never joined, their letters long run out
    staff_conversations: int = 0  # conversations with the staff untouched for the retention


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
    staff_messages: list[ConversationMessage] = []
    if person.telegram_user_id is not None:
        received, sent = await uow.privacy.messages_of(person.telegram_user_id)
        talk = await uow.conversations.of_chat(person.telegram_user_id)
        if talk is not None:
            staff_messages = list(await uow.conversations.messages(talk.id))
    return MyData(
        person=person,
        hour_reports=list(reports),
        shifts=list(shifts),
        answers=answers,
        requests=list(await uow.requests.for_requester(person.id, _MANY)),
        applications=list(await uow.volunteers.for_person(person.id)),
        messages_received=received,
        messages_sent=sent,
        staff_messages=staff_messages,
        roster=await uow.roster.get(person.id),
    )


async def forget(uow: UnitOfWork, actor: Actor, now: datetime) -> ForgetReport:
    """Forgets the actor (after they confirmed): deleted, or anonymised where records must stay.

    Open requests are withdrawn first, through the same use case as the resident's own
    "withdraw" (its consequences tell the staff member handling it and close every staff card).
    """
    person = await _me(uow, actor)
    reports = await uow.hours.for_person(person.id, date(2000, 1, 1), date(2100, 1, 1))
    requests = await uow.requests.for_requester(person.id, _MANY)
    withdrawn = 0
    for request in requests:
        if request.status in OPEN:
            await request_services.cancel_mine(uow, actor, request.id, now)
            withdrawn += 1
    for request in requests:
        await uow.requests.purge_personal(request.id, now)
    await uow.requests.delete_draft(person.id)  # an unsent request form may hold an address
    await uow.volunteers.delete_for_person(person.id)
    await member_import.forget(uow, person.id)  # an imported person's kana, phone, codes
    hours_kept = sum(1 for r in reports if r.status is ReportStatus.APPROVED)
    services_kept = sum(1 for r in requests if r.status is RequestStatus.DONE)
    copies = 0
    if person.telegram_user_id is not None:
        copies = await _forget_chat(uow, person.telegram_user_id)
    # Their other messenger too (bot.services.links): both identities go.
    for chat_id in await uow.links.chats_of(person.id):
        copies += await _forget_chat(uow, chat_id)
    await uow.links.forget_person(person.id)
    if hours_kept or services_kept:
        await uow.privacy.anonymise_person(person.id, PURGED)
        outcome = Forgotten.ANONYMISED
    else:
        await uow.privacy.delete_person(person.id)
        outcome = Forgotten.DELETED
    # No actor id once the person row is gone (the audit log's foreign key).
    await uow.audit.add(
        now,
        person.id if outcome is Forgotten.ANONYMISED else None,
        "personal_data.forgotten",
        f"person:{person.id}",
        {"outcome": outcome.value, "withdrawn": withdrawn},
    )
    log.info("person %s forgotten (%s)", person.id, outcome.value)
    return ForgetReport(outcome, withdrawn, hours_kept, services_kept, copies)


async def forget_stranger(uow: UnitOfWork, telegram_user_id: int, now: datetime) -> int:
    """Forgets someone Kyodo has no person for: the copies of what they wrote and were sent,
    their conversation state, their Telegram id in the audit log. Returns how many copies."""
    copies = await _forget_chat(uow, telegram_user_id)
    await uow.audit.add(now, None, "personal_data.forgotten", "stranger", {"copies": copies})
    return copies


async def forget_chat(uow: UnitOfWork, chat_id: int) -> int:
    """Everything kept under one chat's id, the person's records aside: for a chat an admin
    unlinked from its person (bot.services.links), which a later /forget of theirs could no
    longer reach. Returns how many copies went."""
    return await _forget_chat(uow, chat_id)


async def _forget_chat(uow: UnitOfWork, telegram_user_id: int) -> int:
    """Everything kept under a private chat's id (which is the person's Telegram id, or the
    LINE chat id standing for their LINE user id: bot.domain.channels)."""
    channel = Channel.of(telegram_user_id)
    await uow.dialogs.delete(channel.value, telegram_user_id)
    if channel is Channel.LINE:
        await uow.line.forget(telegram_user_id)
    copies = await uow.inbox.forget_chat(telegram_user_id)
    copies += await uow.outbox.forget_chat(telegram_user_id)
    await uow.cards.forget_chat(telegram_user_id)
    # What they wrote to the staff, and the file ids of their photos and voice notes.
    copies += await uow.conversations.forget_chat(telegram_user_id)
    await uow.invites.clear_failures(telegram_user_id)
    await uow.audit.forget_telegram_id(telegram_user_id)
    return copies


async def purge_expired(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    retention: timedelta,
    *,
    dry_run: bool = False,
    outbox_keep: timedelta = DEFAULT_OUTBOX_KEEP,
) -> PurgeCounts:
    """The nightly purge, in one transaction (see the module's docstring for what it reaches).

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
        counts = PurgeCounts(
            requests=requests,
            applications=await uow.volunteers.purge_declined(cutoff, now),
            conversations=await uow.dialogs.delete_idle(now - DRAFT_TTL),
            updates=await uow.inbox.forget_payloads(now),
            messages=await uow.outbox.prune(now - outbox_keep),
            traces=await uow.audit.strip_traces(cutoff),
            counters=await uow.invites.forget_failures(now - LOCKOUT),
            unjoined=await member_import.purge_stale(uow, cutoff),
            staff_conversations=await uow.conversations.purge_idle(cutoff),
        )
        if dry_run:
            await uow.rollback()
        else:
            await uow.audit.add(
                now,
                None,
                "personal_data.purged",
                "retention",
                {**asdict(counts), "days": retention.days, "outbox_days": outbox_keep.days},
            )
            await uow.commit()
    log.info(
        "personal data purge%s: service requests: %d, volunteer applications: %d (kept days: %d); "
        "conversations: %d, raw updates: %d, messages: %d (kept days: %d), audit traces: %d",
        " (dry run)" if dry_run else "",
        counts.requests,
        counts.applications,
        retention.days,
        counts.conversations,
        counts.updates,
        counts.messages,
        outbox_keep.days,
        counts.traces,
    )
    return counts
