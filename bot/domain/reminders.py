"""Scheduled sends: which reminder goes out when, to whom, under which unique key.

Pure planning, no I/O. A scheduled send is one row in the store (the source of truth, so that a
restart or another replica knows what is still to go out); when it comes due, a service fans it
out to its recipients through the outbox, each message with a dedupe key derived from the send's
key, so a send that runs twice delivers once.

Times are aware UTC datetimes; "the evening before" and "the morning" are reckoned in the co-op's
zone, which may observe daylight saving time (Asia/Tokyo does not; the planner does not assume it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput


class SendKind(StrEnum):
    ASSEMBLY_NOTICE = "asm_notice"  # a newly published notice, to every member
    ASSEMBLY = "asm"  # a reminder of an assembly, at one of the co-op's offsets
    SHIFTS = "shifts"  # the evening before a day: everyone on a shift that day
    DIGEST = "digest"  # the staff's morning digest of what waits for review
    WORKED = "worked"  # the evening of a day: shifts over and not reported, "worked as planned?"


class SendStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"  # by staff, before it went out
    SKIPPED = "skipped"  # came due when it was no longer useful (the bot was down, say)


class Audience(StrEnum):
    """Who an assembly reminder is for."""

    NOT_ANSWERED = "not_answered"  # members who have not answered (while answers are open)
    ATTENDING = "attending"  # members who said they will attend
    BOTH = "both"  # each of the two groups gets its own wording


@dataclass(frozen=True)
class PlannedSend:
    """A send about to be stored. `key` is unique across all sends, forever."""

    key: str
    kind: SendKind
    due_at: datetime
    useful_until: datetime  # after this, a send that has not gone out is skipped
    subject_id: int | None = None  # the assembly's id, for assembly sends
    payload: dict[str, Any] = field(default_factory=dict)  # JSON: kind-specific details


@dataclass(frozen=True)
class ScheduledSend:
    id: int
    key: str
    kind: SendKind
    due_at: datetime
    useful_until: datetime
    subject_id: int | None
    payload: dict[str, Any]
    status: SendStatus
    created_at: datetime
    done_at: datetime | None = None
    done_by: int | None = None  # the staff member who cancelled it
    note: str | None = None  # why it was skipped, or how many messages it queued

    def is_useful(self, now: datetime) -> bool:
        return now < self.useful_until


@dataclass(frozen=True)
class ReminderPrefs:
    """A person's choice about shift reminders: none at all, or none for some weekdays."""

    person_id: int
    all_off: bool = False
    weekdays_off: frozenset[int] = frozenset()  # 0 = Monday ... 6 = Sunday, as date.weekday()

    def wants_shift_reminder(self, shift_day: date) -> bool:
        return not self.all_off and shift_day.weekday() not in self.weekdays_off


# --- offsets -------------------------------------------------------------------------------

_OFFSET = re.compile(r"^(\d{1,4})\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
MAX_OFFSET = timedelta(days=90)
MAX_OFFSETS = 6
DEFAULT_OFFSETS = (timedelta(days=7), timedelta(days=1), timedelta(hours=2))


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """`7d,1d,2h` → the offsets before an assembly, longest first. Units: d, h, m.

    An empty text means no reminders. Raises InvalidInput("offsets") for anything else.
    """
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    if len(parts) > MAX_OFFSETS:
        raise InvalidInput("offsets")
    offsets: set[timedelta] = set()
    for part in parts:
        found = _OFFSET.match(part)
        if found is None:
            raise InvalidInput("offsets")
        offset = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
        if not timedelta(0) < offset <= MAX_OFFSET:
            raise InvalidInput("offsets")
        offsets.add(offset)
    return tuple(sorted(offsets, reverse=True))


def offset_code(offset: timedelta) -> str:
    """The short, stable name of an offset in keys: 7d, 2h, 90m."""
    minutes = int(offset.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def audience_of(index: int, count: int) -> Audience:
    """The first reminder asks those who have not answered; the last one reminds those coming.

    Reminders in between (and a lone one) do both: while answers are open, the people who have
    not answered are asked once more, and those attending are reminded of the date.
    """
    if count > 1 and index == 0:
        return Audience.NOT_ANSWERED
    if count > 1 and index == count - 1:
        return Audience.ATTENDING
    return Audience.BOTH


# --- planning ------------------------------------------------------------------------------


def plan_assembly(
    assembly_id: int,
    starts_at: datetime,
    answer_by: datetime,
    offsets: Sequence[timedelta],
    now: datetime,
) -> list[PlannedSend]:
    """The notice itself (due now) and one reminder per offset still in the future."""
    planned = [
        PlannedSend(
            key=f"asm:{assembly_id}:notice",
            kind=SendKind.ASSEMBLY_NOTICE,
            due_at=now,
            useful_until=starts_at,
            subject_id=assembly_id,
        )
    ]
    ordered = sorted(set(offsets), reverse=True)
    for index, offset in enumerate(ordered):
        due = starts_at - offset
        if due <= now:
            continue  # already past when published: the notice itself just went out
        audience = audience_of(index, len(ordered))
        # Asking for an answer is pointless once answers are closed; reminding those who
        # come is useful until the doors open.
        until = answer_by if audience is Audience.NOT_ANSWERED else starts_at
        if until <= due:
            continue
        planned.append(
            PlannedSend(
                key=f"asm:{assembly_id}:{offset_code(offset)}",
                kind=SendKind.ASSEMBLY,
                due_at=due,
                useful_until=until,
                subject_id=assembly_id,
                payload={"audience": audience.value, "offset": offset_code(offset)},
            )
        )
    return planned


def local_at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`hour`:00 on `day` in the co-op's zone, as UTC (a DST gap moves it forward, as clocks do)."""
    naive = datetime.combine(day, time(hour))
    local = naive.replace(tzinfo=tz)
    # Round-trip through UTC: a wall time inside a spring-forward gap comes out after the gap.
    return local.astimezone(UTC)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return local_at(day, 0, tz)


def plan_shift_reminder(day: date, hour: int, tz: ZoneInfo) -> PlannedSend:
    """The evening before `day`, at `hour` in the co-op's zone: everyone on a shift that day."""
    return PlannedSend(
        key=f"shifts:{day.isoformat()}",
        kind=SendKind.SHIFTS,
        due_at=local_at(day - timedelta(days=1), hour, tz),
        # A late reminder still helps until the day begins; each shift is checked again when
        # the reminder is sent, so one that has started is never announced.
        useful_until=day_start(day, tz),
        payload={"day": day.isoformat()},
    )


def plan_digest(day: date, hour: int, tz: ZoneInfo) -> PlannedSend:
    """The staff's digest on the morning of `day`; counts are taken when it goes out."""
    return PlannedSend(
        key=f"digest:{day.isoformat()}",
        kind=SendKind.DIGEST,
        due_at=local_at(day, hour, tz),
        useful_until=day_start(day + timedelta(days=1), tz),
        payload={"day": day.isoformat()},
    )


def plan_worked_reminder(day: date, hour: int, tz: ZoneInfo) -> PlannedSend:
    """The evening of `day`, at `hour`: everyone whose shift ended since the evening before
    (`worked_window`) and who has not reported it yet is asked "worked as planned?"."""
    return PlannedSend(
        key=f"worked:{day.isoformat()}",
        kind=SendKind.WORKED,
        due_at=local_at(day, hour, tz),
        # Late (Kyodo was down) it still helps until the next morning; the message names the
        # shifts' own days, so it never says "today" of yesterday.
        useful_until=local_at(day + timedelta(days=1), 9, tz),
        payload={"day": day.isoformat()},
    )


def worked_window(day: date, hour: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The shifts the evening-after reminder of `day` asks about: those that ended in
    [the evening before at `hour`, this evening at `hour`), so that a shift ending late at
    night is asked about the next evening, and none twice."""
    return local_at(day - timedelta(days=1), hour, tz), local_at(day, hour, tz)


def plan_recurring(
    now: datetime, tz: ZoneInfo, shift_hour: int, digest_hour: int, worked_hour: int = 19
) -> list[PlannedSend]:
    """Today's and tomorrow's digests and evening-after reminders, and the shift reminders for
    the next two days."""
    today = now.astimezone(tz).date()
    tomorrow = today + timedelta(days=1)
    return [
        plan_digest(today, digest_hour, tz),
        plan_digest(tomorrow, digest_hour, tz),
        plan_shift_reminder(tomorrow, shift_hour, tz),
        plan_shift_reminder(tomorrow + timedelta(days=1), shift_hour, tz),
        plan_worked_reminder(today, worked_hour, tz),
        plan_worked_reminder(tomorrow, worked_hour, tz),
    ]


def superseded(due: Iterable[ScheduledSend]) -> set[int]:
    """Ids of due assembly reminders that another due send of the same assembly replaces.

    After downtime several sends of one assembly may be due at once: only the latest reminder
    goes, and none at all if the notice itself is going out now (it asks for an answer anyway).
    """
    sends = list(due)
    noticed = {s.subject_id for s in sends if s.kind is SendKind.ASSEMBLY_NOTICE}
    latest: dict[int | None, ScheduledSend] = {}
    reminders = [s for s in sends if s.kind is SendKind.ASSEMBLY]
    for send in reminders:
        best = latest.get(send.subject_id)
        if best is None or send.due_at > best.due_at:
            latest[send.subject_id] = send
    return {s.id for s in reminders if s.subject_id in noticed or latest[s.subject_id].id != s.id}


def recipient_key(send_key: str, person_id: int) -> str:
    """The outbox dedupe key of one recipient's copy of a send: at most one, ever."""
    return f"rem:{send_key}:{person_id}"
