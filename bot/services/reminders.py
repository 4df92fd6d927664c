"""Use cases of scheduled sends: planning them, sending what is due, and staff listing and
cancelling what is upcoming.

The scheduler (an adapter outside the core) calls `ReminderRunner.run_due()` every few seconds on
the one replica that leads. Each due send is settled and fanned out in one transaction: the
runner chooses the recipients and records what came due (a domain event); its consequences
(bot.notices) queue each recipient's message under a dedupe key derived from the send's unique
key, and the send is marked sent with a conditional update, so a send run twice (two leaders for
a moment, a retry after a crash) queues each message once. A send that comes due when it is no
longer useful (the bot was down past the assembly, say) is skipped with a log line, and after
downtime only the latest of several due reminders of one assembly goes out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.assemblies import Rsvp
from bot.domain.coop import Assembly, Shift
from bot.domain.errors import DomainError
from bot.domain.events import (
    AssemblyPublished,
    AssemblyReminderDue,
    ShiftReminderDue,
    ShiftWorkedDue,
    StaffDigestDue,
)
from bot.domain.people import STAFF_ROLES, Actor, Person, Role
from bot.domain.reminders import (
    Audience,
    ScheduledSend,
    SendKind,
    SendStatus,
    day_start,
    plan_assembly,
    plan_recurring,
    recipient_key,
    superseded,
)
from bot.domain.requests import RequestStatus
from bot.domain.scope import Scope
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.services import access, deliveries, memberships, worked_reminders
from bot.services.calendar import holiday_name

log = logging.getLogger(__name__)

MAY_MANAGE: frozenset[Role] = STAFF_ROLES
SCHEDULED_REFUSED = "scheduled.refused"  # what a refused look at or cancel is audited as
# Who works shifts, and so may choose when to hear about them.
MAY_CHOOSE: frozenset[Role] = frozenset({Role.MEMBER, Role.VOLUNTEER})
BATCH = 50  # due sends looked at per run; the rest wait for the next tick


@dataclass(frozen=True)
class ReminderSettings:
    tz: ZoneInfo
    shift_hour: int = 18
    digest_hour: int = 8
    worked_hour: int = 19  # the evening-after reminder: "worked as planned?"


DigestCounter = Callable[[UnitOfWork, datetime, Actor, Scope], Awaitable[int]]
"""How many things of one kind wait for one staff member (`Actor`) in their scope (hours,
requests, applications...) at a time: each staff member's digest has their own numbers."""


async def pending_hours(uow: UnitOfWork, now: datetime, staff: Actor, scope: Scope) -> int:
    """Reports of their centres they may decide on (not their own), as /queue counts them."""
    return await uow.hours.count_pending(None, staff.person_id, centres=scope.centres)


async def waiting_requests(uow: UnitOfWork, now: datetime, staff: Actor, scope: Scope) -> int:
    """Service requests of their centres no one has accepted or declined yet (a request of no
    centre yet: the whole co-op's)."""
    counts = await uow.requests.count_by_status(centres=scope.centres)
    return sum(counts.get(status, 0) for status in REVIEW_STATUSES)


# Volunteer applications, failed deliveries and unhandled updates are of no centre: the whole
# co-op's (as a request before triage), so only admins' and coordinators' digests count them.


async def pending_applications(uow: UnitOfWork, now: datetime, staff: Actor, scope: Scope) -> int:
    return len(await uow.volunteers.pending(10_000)) if scope.is_whole else 0


async def undelivered(uow: UnitOfWork, now: datetime, staff: Actor, scope: Scope) -> int:
    """People with messages that may not have arrived (the desk's Deliveries page lists them)."""
    return len((await deliveries.pending(uow, now)).people) if scope.is_whole else 0


async def unhandled_updates(uow: UnitOfWork, now: datetime, staff: Actor, scope: Scope) -> int:
    """Updates Kyodo could not handle, waiting for staff (in /queue and on the desk)."""
    return len((await deliveries.pending(uow, now)).updates) if scope.is_whole else 0


REVIEW_STATUSES = (RequestStatus.RECEIVED, RequestStatus.UNDER_REVIEW)
# The digest's lines, in order: the kind of thing (`StaffDigestDue.waiting`) and its counter.
DEFAULT_COUNTERS: dict[str, DigestCounter] = {
    "hours": pending_hours,
    "requests": waiting_requests,
    "volunteers": pending_applications,
    "deliveries": undelivered,
    "parked": unhandled_updates,
}


@dataclass(frozen=True)
class SendOutcome:
    key: str
    status: SendStatus
    queued: int = 0
    note: str = ""


@dataclass
class RunReport:
    outcomes: list[SendOutcome] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return sum(o.queued for o in self.outcomes)


# --- planning --------------------------------------------------------------------------------


async def schedule_assembly(
    uow: UnitOfWork, assembly: Assembly, offsets: Sequence[timedelta], now: datetime
) -> int:
    """Plans the notice to members and its reminders; returns how many sends are new."""
    added = 0
    for planned in plan_assembly(assembly.id, assembly.starts_at, assembly.answer_by, offsets, now):
        added += await uow.reminders.add(planned, now)
    return added


# --- staff: upcoming and cancel ----------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingSend:
    send: ScheduledSend
    assembly: Assembly | None  # for assembly notices and reminders


async def upcoming(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 20
) -> list[UpcomingSend]:
    """The scheduled sends still to go out, soonest first (staff only). DESK lists these too."""
    await access.require(uow, actor, now, MAY_MANAGE, refused=SCHEDULED_REFUSED)
    views = []
    for send in await uow.reminders.pending(limit):
        assembly = None
        if send.kind in (SendKind.ASSEMBLY, SendKind.ASSEMBLY_NOTICE) and send.subject_id:
            assembly = await uow.assemblies.get(send.subject_id)
        views.append(UpcomingSend(send, assembly))
    return views


async def cancel(uow: UnitOfWork, actor: Actor, send_id: int, now: datetime) -> ScheduledSend:
    """Staff cancel a send before it goes out. Errors: not_pending (sent or cancelled already)."""
    subject = f"scheduled:{send_id}"
    await access.require(uow, actor, now, MAY_MANAGE, refused=SCHEDULED_REFUSED, subject=subject)
    send = await uow.reminders.get(send_id)
    if send is None:
        await access.refuse(uow, actor, now, SCHEDULED_REFUSED, subject)
    if not await uow.reminders.finish(send_id, SendStatus.CANCELLED, now, by=actor.person_id):
        raise DomainError("not_pending")
    await uow.audit.add(now, actor.person_id, "scheduled.cancelled", subject, {"key": send.key})
    cancelled = await uow.reminders.get(send_id)
    assert cancelled is not None  # noqa: S101 -- it was there a moment ago, in this transaction
    return cancelled


# --- members: shift reminder choices -----------------------------------------------------------


async def my_prefs(uow: UnitOfWork, actor: Actor, now: datetime) -> tuple[bool, frozenset[int]]:
    """(all off, weekdays off) of the actor's shift reminders."""
    person_id = await access.require(uow, actor, now, MAY_CHOOSE, refused="reminders.refused")
    prefs = await uow.reminders.prefs(person_id)
    return prefs.all_off, prefs.weekdays_off


async def set_prefs(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    all_off: bool | None = None,
    toggle_weekday: int | None = None,
) -> tuple[bool, frozenset[int]]:
    """Turns all shift reminders on or off, or one weekday's; returns the new choice."""
    person_id = await access.require(uow, actor, now, MAY_CHOOSE, refused="reminders.refused")
    prefs = await uow.reminders.prefs(person_id)
    weekdays = prefs.weekdays_off
    if toggle_weekday is not None:
        if not 0 <= toggle_weekday <= 6:
            await access.refuse(uow, actor, now, "reminders.refused", f"weekday:{toggle_weekday}")
        weekdays = weekdays ^ {toggle_weekday}
    new = type(prefs)(
        person_id,
        prefs.all_off if all_off is None else all_off,
        frozenset(weekdays),
    )
    await uow.reminders.put_prefs(new, now)
    return new.all_off, new.weekdays_off


# --- sending what is due ------------------------------------------------------------------------


class ReminderRunner:
    """Sends what is due; the scheduler calls `run_due()` on the leading replica.

    Its units of work must come from a store whose consequences are wired (the composition
    root's `store.uow`): what comes due is recorded as events, and their handlers queue the
    messages before the unit commits.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: ReminderSettings,
        *,
        counters: dict[str, DigestCounter] | None = None,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow
        self.settings = settings
        self._counters = DEFAULT_COUNTERS if counters is None else counters
        self._on_queued = on_queued

    async def plan_recurring(self, now: datetime) -> int:
        """Makes sure the coming digests and shift reminders exist (idempotent).

        Only sends still ahead are planned: a day ahead, so that one due while Kyodo is down
        exists already and goes out (or is skipped) when it comes back, while a fresh install
        started at noon does not send that morning's digest. The office is closed on Japanese
        public holidays: no digest then (shift reminders still go; care work goes on).
        """
        s = self.settings
        added = 0
        async with self._uow() as uow:
            for planned in plan_recurring(now, s.tz, s.shift_hour, s.digest_hour, s.worked_hour):
                if planned.due_at <= now:
                    continue
                day = date.fromisoformat(str(planned.payload["day"]))
                if planned.kind is SendKind.DIGEST and holiday_name(day, "ja") is not None:
                    continue
                added += await uow.reminders.add(planned, now)
            await uow.commit()
        return added

    async def run_due(self, now: datetime) -> RunReport:
        report = RunReport()
        async with self._uow() as uow:
            due = list(await uow.reminders.due(now, BATCH))
        replaced = superseded(due)
        for send in due:
            outcome = await self._run_one(send, now, replaced)
            if outcome is not None:
                report.outcomes.append(outcome)
        if report.queued and self._on_queued is not None:
            self._on_queued()
        return report

    async def _run_one(
        self, send: ScheduledSend, now: datetime, replaced: set[int]
    ) -> SendOutcome | None:
        async with self._uow() as uow:
            note = ""
            if send.id in replaced:
                note = "superseded by a later reminder of the same assembly"
            elif not send.is_useful(now):
                note = "no longer useful when it came due"
            if note:
                if not await uow.reminders.finish(send.id, SendStatus.SKIPPED, now, note=note):
                    return None
                await uow.commit()
                log.info(
                    "scheduled send %s skipped: %s (due %s, useful until %s, now %s)",
                    send.key,
                    note,
                    send.due_at.isoformat(),
                    send.useful_until.isoformat(),
                    now.isoformat(),
                )
                return SendOutcome(send.key, SendStatus.SKIPPED, note=note)
            queued = await self._fan_out(uow, send, now)
            note = f"messages queued: {queued}"
            if not await uow.reminders.finish(send.id, SendStatus.SENT, now, note=note):
                return None  # another runner settled it first: roll back our copies
            await uow.commit()
        log.info("scheduled send %s: %s", send.key, note)
        return SendOutcome(send.key, SendStatus.SENT, queued=queued)

    async def _fan_out(self, uow: UnitOfWork, send: ScheduledSend, now: datetime) -> int:
        """Records what came due for whom; returns how many people it will reach."""
        if send.kind is SendKind.DIGEST:
            return await self._digest(uow, send, now)
        if send.kind is SendKind.SHIFTS:
            return await self._shifts(uow, send, now)
        if send.kind is SendKind.WORKED:
            return await self._worked(uow, send, now)
        assembly = await uow.assemblies.get(send.subject_id) if send.subject_id else None
        if assembly is None:
            return 0
        if send.kind is SendKind.ASSEMBLY_NOTICE:
            return await self._notice(uow, send, assembly, now)
        return await self._assembly(uow, send, assembly, now)

    async def _notice(
        self, uow: UnitOfWork, send: ScheduledSend, assembly: Assembly, now: datetime
    ) -> int:
        voters = await memberships.voters(uow, assembly)  # a centre meeting: its members
        members = await _still_to_reach(uow, send, voters)
        if members:
            uow.record(AssemblyPublished(now, assembly.id, send.key, _ids(members)))
        return len(members)

    async def _assembly(
        self, uow: UnitOfWork, send: ScheduledSend, assembly: Assembly, now: datetime
    ) -> int:
        audience = Audience(send.payload.get("audience", Audience.BOTH.value))
        answers = {a.person_id: a for a in await uow.assemblies.answers(assembly.id)}
        ask = audience is not Audience.ATTENDING and assembly.is_open(now)
        remind = audience is not Audience.NOT_ANSWERED
        members = await _still_to_reach(uow, send, await memberships.voters(uow, assembly))
        asked: list[Person] = []
        attending: list[Person] = []
        for person in members:
            answer = answers.get(person.id)
            if answer is None and ask:
                asked.append(person)
            elif answer is not None and answer.rsvp is Rsvp.ATTENDING and remind:
                attending.append(person)
        if asked or attending:
            uow.record(
                AssemblyReminderDue(now, assembly.id, send.key, _ids(asked), _ids(attending))
            )
        return len(asked) + len(attending)

    async def _shifts(self, uow: UnitOfWork, send: ScheduledSend, now: datetime) -> int:
        day = date.fromisoformat(str(send.payload["day"]))
        tz = self.settings.tz
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
        centres = [c.id for c in await uow.centres.all()]
        mine: dict[int, list[Shift]] = {}
        for centre_id in centres:
            for shift in await uow.shift_swaps.at_centre(centre_id, start, end):
                if shift.starts_at <= now:
                    continue  # a late reminder never announces a shift that has begun
                for person_id in shift.assigned:
                    mine.setdefault(person_id, []).append(shift)
        prefs = await uow.reminders.prefs_of(list(mine))
        wanted: list[Person] = []
        for person_id in sorted(mine):
            choice = prefs.get(person_id)
            if choice is not None and not choice.wants_shift_reminder(day):
                continue
            person = await uow.people.get(person_id)
            if person is not None:
                wanted.append(person)
        reached = await _still_to_reach(uow, send, wanted)
        for person in reached:
            shifts = sorted(mine[person.id], key=lambda s: (s.starts_at, s.id))
            first, *also = (s.id for s in shifts)
            uow.record(ShiftReminderDue(now, first, person.id, day, send.key, tuple(also)))
        return len(reached)

    async def _worked(self, uow: UnitOfWork, send: ScheduledSend, now: datetime) -> int:
        day = date.fromisoformat(str(send.payload["day"]))
        shifts = await worked_reminders.unreported_by_person(
            uow, day, self.settings.worked_hour, self.settings.tz
        )
        people = [p for p in [await uow.people.get(i) for i in shifts] if p is not None]
        reached = await _still_to_reach(uow, send, people)
        for person in reached:
            ids = tuple(s.id for s in shifts[person.id])
            uow.record(ShiftWorkedDue(now, person.id, send.key, ids))
        return len(reached)

    async def _digest(self, uow: UnitOfWork, send: ScheduledSend, now: datetime) -> int:
        """Each staff member's own numbers, in their scope (bot.services.access.scope_of);
        one with nothing waiting there gets no message (not woken for nothing). Staff with the
        same numbers share one event."""
        staff: dict[int, Person] = {}
        for role in sorted(STAFF_ROLES):
            for person in await uow.people.with_role(role):
                staff[person.id] = person
        reached = await _still_to_reach(uow, send, [staff[i] for i in sorted(staff)])
        told: dict[tuple[tuple[str, int], ...], list[Person]] = {}
        for person in reached:
            reader = Actor(person.id, person.roles, person.locale or "ja")
            scope = await access.scope_of(uow, reader)
            counts = [
                (kind, await counter(uow, now, reader, scope))
                for kind, counter in self._counters.items()
            ]
            waiting = tuple((kind, count) for kind, count in counts if count > 0)
            if waiting:
                told.setdefault(waiting, []).append(person)
        for waiting, people in told.items():
            uow.record(StaffDigestDue(now, send.key, _ids(people), waiting))
        return sum(len(people) for people in told.values())


async def _still_to_reach(
    uow: UnitOfWork, send: ScheduledSend, people: Iterable[Person]
) -> list[Person]:
    """The people Kyodo can reach who have not had their copy of `send` queued yet."""
    reachable = [p for p in people if p.telegram_user_id is not None and not p.unreachable]
    keys = [recipient_key(send.key, p.id) for p in reachable]
    queued = await uow.outbox.deliveries(keys) if keys else {}
    return [p for p, key in zip(reachable, keys, strict=True) if key not in queued]


def _ids(people: Iterable[Person]) -> tuple[int, ...]:
    return tuple(p.id for p in people)
