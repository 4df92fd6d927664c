"""Broadcasts: one text to many people, each in their own language, with opt-outs per kind.

A broadcast is composed (audience, kind, Japanese and English text), then scheduled or started.
While it runs, its recipients are streamed from the store in person-id order and turned into
outbox rows chunk by chunk; `cursor` is the last person id done, so a restart resumes after it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import DomainError, InvalidInput
from bot.domain.languages import is_japanese

TEXT_LIMIT = 3500  # Telegram allows 4096 characters; room for escaping and the opt-out line
# How far ahead a broadcast may be scheduled; further is almost surely a typo in the year.
SCHEDULE_HORIZON = timedelta(days=366)


class BroadcastChanged(DomainError):
    """Another replica moved the broadcast between reading and writing it: nothing of this
    attempt is kept, and the next one (a pump's next step, the person's next press) retries."""

    code = "broadcast_changed"


class AudienceKind(StrEnum):
    MEMBERS = "members"  # everyone with the member role
    CENTRE = "centre"  # everyone who belongs to one business centre (its membership)
    VOLUNTEERS = "volunteers"
    NO_ANSWER = "noanswer"  # members who have not answered an assembly notice
    OPTED_IN = "optin"  # everyone who asked for broadcasts of this kind


class BroadcastKind(StrEnum):
    """What a broadcast is about: people opt out of (or into) each kind separately."""

    NOTICE = "notice"  # co-op notices: assemblies, closures, rules
    EVENTS = "events"  # events and calls for volunteers
    NEWS = "news"  # the newsletter


# Kinds sent only to people who asked for them (the newsletter); the others go to everyone in
# the audience who has not opted out. /notifications shows exactly this.
OPT_IN_KINDS = frozenset({BroadcastKind.NEWS})


def receives_by_default(kind: BroadcastKind) -> bool:
    """Whether someone who never chose gets broadcasts of `kind`."""
    return kind not in OPT_IN_KINDS


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


OPEN_STATUSES = frozenset(
    {BroadcastStatus.SCHEDULED, BroadcastStatus.RUNNING, BroadcastStatus.PAUSED}
)


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    centre_id: int | None = None  # CENTRE only
    assembly_id: int | None = None  # NO_ANSWER only

    def __post_init__(self) -> None:
        if (self.kind is AudienceKind.CENTRE) != (self.centre_id is not None):
            raise InvalidInput("broadcast_audience")
        if (self.kind is AudienceKind.NO_ANSWER) != (self.assembly_id is not None):
            raise InvalidInput("broadcast_audience")


@dataclass(frozen=True)
class Draft:
    """What the coordinator composed. An empty language falls back to the other one."""

    audience: Audience
    kind: BroadcastKind
    text_ja: str
    text_en: str

    @property
    def missing(self) -> tuple[str, ...]:
        """Languages without their own text (their readers get the other language)."""
        return tuple(
            lang for lang, text in (("ja", self.text_ja), ("en", self.text_en)) if not text
        )

    def text_for(self, locale: str) -> str:
        """The text a reader of `locale` gets: never blank."""
        own = self.text_ja if is_japanese(locale) else self.text_en
        return own or self.text_ja or self.text_en


@dataclass(frozen=True)
class Broadcast:
    id: int
    draft: Draft
    status: BroadcastStatus
    created_by: int | None
    created_at: datetime
    send_at: datetime  # when it starts (now, for "send now")
    coordinator_chat_id: int | None  # where progress and the summary go
    coordinator_locale: str
    cursor: int = 0  # the last person id whose outbox row exists
    materialised: bool = False  # every recipient has a row (only sending is left)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress_outbox_id: int | None = None  # the progress message, edited in place
    progress_at: datetime | None = None
    progress_text: str = ""  # what the progress message says now (edits only on change)
    planned: int = 0  # the audience's size when it started (for "remaining"); on a cancel,
    # the rows made plus the people never reached by the cursor (so "not sent" is exact)
    skipped: int = 0  # people left out because they opted out of this kind
    asking: bool = False  # the progress message shows a question: progress edits wait


@dataclass(frozen=True)
class Recipient:
    """One person a broadcast goes to, as streamed from the store."""

    person_id: int
    telegram_user_id: int
    locale: str | None
    telegram_language: str | None


@dataclass(frozen=True)
class Progress:
    total: int  # rows made so far (all of them once materialised)
    sent: int
    failed: int
    pending: int
    estimated_total: int  # the audience's size (rows made plus those still to be made)
    finish_at: datetime | None

    @property
    def remaining(self) -> int:
        return max(0, self.estimated_total - self.sent - self.failed)

    @property
    def not_sent(self) -> int:
        """Of a cancelled broadcast: the people it will never reach (in flight not counted)."""
        return max(0, self.remaining - self.pending)


@dataclass(frozen=True)
class Unreached:
    """Someone a broadcast could not reach: staff phone them."""

    person_id: int
    display_name: str
    reason: str  # "blocked" (blocked the bot or left Telegram) or "failed"


def check_text(text: str) -> str:
    """A coordinator's text: stripped, not longer than a Telegram message allows."""
    text = text.strip()
    if len(text) > TEXT_LIMIT:
        raise InvalidInput("broadcast_too_long", length=len(text), limit=TEXT_LIMIT)
    return text


def check_draft(draft: Draft) -> Draft:
    if not draft.text_ja and not draft.text_en:
        raise InvalidInput("broadcast_empty")
    check_text(draft.text_ja)
    check_text(draft.text_en)
    return draft


def check_send_at(send_at: datetime, now: datetime) -> datetime:
    if send_at.tzinfo is None:
        raise InvalidInput("broadcast_when")
    if send_at < now - timedelta(minutes=1):
        raise InvalidInput("broadcast_past")
    if send_at > now + SCHEDULE_HORIZON:
        raise InvalidInput("broadcast_too_far")
    return send_at


def body_html(draft: Draft, locale: str) -> str:
    """The message body exactly as a reader of `locale` sees it: the coordinator's text, escaped
    (it is sent as HTML, and a `<` typed by a person must not break or inject markup)."""
    return html.escape(draft.text_for(locale), quote=False)


def estimate_finish(
    now: datetime, remaining: int, rate: float, started: datetime | None, done: int
) -> datetime | None:
    """When the rest will have gone: at the rate seen so far, or the configured one at first."""
    if remaining <= 0:
        return now
    seen = done / (now - started).total_seconds() if started and now > started and done else 0.0
    pace = min(rate, seen) if seen > 0 else rate
    if pace <= 0:
        return None
    return now + timedelta(seconds=remaining / pace)


_TIME = r"(\d{1,2})\s*[:時]\s*(?:(\d{1,2})\s*分?)?"
_FULL = re.compile(
    rf"(\d{{4}})\s*[-/年.]\s*(\d{{1,2}})\s*[-/月.]\s*(\d{{1,2}})\s*日?\s*T?\s*{_TIME}"
)
_SHORT = re.compile(rf"(\d{{1,2}})\s*[/月]\s*(\d{{1,2}})\s*日?\s*{_TIME}")
_RELATIVE = re.compile(rf"(今日|きょう|today|明日|あした|tomorrow)\s*{_TIME}", re.IGNORECASE)
_TOMORROW = frozenset({"明日", "あした", "tomorrow"})
_WEEKDAY = re.compile(r"\s*[(（][^)）\d]{1,3}[)）]\s*")  # 12/1(月) as people copy it


def parse_send_at(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """When to send, in the co-op's zone: `2026-12-01 10:00`, `2026/12/1 10:00`, `12/1 10:00`,
    `12月1日 10時`, `明日 9:00`, `tomorrow 9:00`. A month and day without a year is the next such
    day (this year, or next year if it has passed). The text must be NFKC-normalised already.

    Codes: broadcast_when (unreadable or no such day/time).
    """
    text = _WEEKDAY.sub(" ", text.strip()).strip()
    today = now.astimezone(tz).date()
    try:
        if match := _FULL.fullmatch(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            hour, minute = match[4], match[5]
        elif match := _SHORT.fullmatch(text):
            day = date(today.year, int(match[1]), int(match[2]))
            hour, minute = match[3], match[4]
            if day < today:
                day = date(today.year + 1, day.month, day.day)
        elif match := _RELATIVE.fullmatch(text):
            day = today + timedelta(days=1 if match[1].lower() in _TOMORROW else 0)
            hour, minute = match[2], match[3]
        else:
            raise InvalidInput("broadcast_when")
        clock = time(int(hour), int(minute or 0))
    except (ValueError, OverflowError):
        raise InvalidInput("broadcast_when") from None
    return datetime.combine(day, clock, tzinfo=tz)
