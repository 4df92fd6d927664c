"""Hour reports: the hours a member worked on one day at one centre, and their review.

A co-op shares out its income by the hours worked, so a report is money: it is pending until
staff approve or reject it, and every change to it is kept as a history row (who, what, when).
Hours are counted in whole minutes, in steps of 15.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.coop import WorkKind
from bot.domain.errors import InvalidInput
from bot.domain.replies import Msg, msg

STEP_MINUTES = 15
DAY_MINUTES = 24 * 60
NOTE_LIMIT = 200  # characters; a longer note is refused with the limit, never cut
REASON_LIMIT = 300
DEFAULT_WINDOW_DAYS = 31


class ReportStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Reports that count towards a day's total and block a second report of the same kind of work
# on the same day at the same centre.
ACTIVE: frozenset[ReportStatus] = frozenset({ReportStatus.PENDING, ReportStatus.APPROVED})


class ChangeAction(StrEnum):
    """What a history row records."""

    REPORTED = "reported"
    EDITED = "edited"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"  # withdrawn because the member sent a report that replaces it
    APPROVED = "approved"
    REJECTED = "rejected"
    UNDONE = "undone"  # the decision taken back in its undo window: pending again


@dataclass(frozen=True)
class NewHourReport:
    person_id: int
    centre_id: int
    kind: WorkKind
    day: date
    minutes: int
    note: str | None = None
    volunteer: bool = False  # worked as a volunteer: counted apart from members' paid hours


@dataclass(frozen=True)
class HourReport:
    id: int
    person_id: int
    centre_id: int
    kind: WorkKind
    day: date
    minutes: int
    note: str | None
    status: ReportStatus
    created_at: datetime
    updated_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str | None = None  # why it was rejected
    volunteer: bool = False

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class HourChange:
    """One row of a report's history."""

    report_id: int
    at: datetime
    actor_person_id: int | None
    action: ChangeAction
    details: dict[str, Any] = field(default_factory=dict)


def check_minutes(minutes: int) -> int:
    """More than nothing, at most a day, in steps of 15 minutes."""
    if minutes % STEP_MINUTES:
        raise InvalidInput("hours_granularity")
    if minutes <= 0:
        raise InvalidInput("hours_none")
    if minutes > DAY_MINUTES:
        raise InvalidInput("hours_over_day", hours=duration(minutes), limit=duration(DAY_MINUTES))
    return minutes


def check_day(day: date, today: date, window_days: int) -> date:
    """Not in the future, and not older than the window (today counts as day 0)."""
    if day > today:
        raise InvalidInput("date_future", day=day)
    oldest = today - timedelta(days=window_days)
    if day < oldest:
        raise InvalidInput("date_too_old", day=day, oldest=oldest, days=window_days)
    return day


def check_note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("note_too_long", length=len(note), limit=NOTE_LIMIT)
    return note


def duration(minutes: int) -> Msg:
    """Minutes as people say them, wherever hours are shown: `7時間30分`, `8時間`, `45分` /
    `7 h 30 min`, `8 h`, `45 min`. The numbers are formatted by Babel when rendered."""
    hours, rest = divmod(minutes, 60)
    if not rest:
        return msg("hours.duration.h", hours=hours)
    if not hours:
        return msg("hours.duration.min", minutes=rest)
    return msg("hours.duration.h_min", hours=hours, minutes=rest)


def check_day_total(minutes: int, others: Iterable[HourReport]) -> None:
    """A member's active reports for one day, with the new one, fit in 24 hours."""
    already = sum(report.minutes for report in others if report.is_active)
    if already + minutes > DAY_MINUTES:
        raise InvalidInput(
            "hours_day_total",
            already=duration(already),
            adding=duration(minutes),
            limit=duration(DAY_MINUTES),
        )
