"""Assembly notices: members' answers (attending, absent, by proxy), quorum, and the typed fields
staff enter when they publish a notice.

A quorum is a fraction of the members entitled to vote (everyone holding the member role). Before
the day the expectation counts answers: those attending, and the written proxies whose holder
will be there (the chair, or a member who answered "attending"; a holder who is absent, has not
answered, or passed their own proxy on cannot exercise it). On the day it counts people checked
in plus the written proxies that can be exercised (given by someone absent, to the chair or to
someone present).
Parsers take NFKC-normalised text and raise only `InvalidInput` with a code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.languages import is_japanese

MAX_TITLE = 200
MAX_PLACE = 200
MAX_AGENDA = 2000
MAX_QUORUM_DENOMINATOR = 100
# The latest day a notice may lie ahead: a typo in the year should not publish for 2206.
MAX_AHEAD = timedelta(days=2 * 366)
# How many other members one proxy holder may represent. Co-operative laws cap it (消費生活協同
# 組合法 第17条: "代理人は、10人以上の組合員を代理することができない"), and articles of
# worker co-ops follow them: proxies given to a holder after the ninth count for nothing.
MAX_PROXIES_HELD = 9


class Rsvp(StrEnum):
    """A member's answer to a notice: a stable code, translated as `asm.rsvp.<code>`."""

    ATTENDING = "attending"
    ABSENT = "absent"
    PROXY = "proxy"


@dataclass(frozen=True)
class Answer:
    """One member's current answer. `proxy_to` None with PROXY means the chair holds the proxy."""

    assembly_id: int
    person_id: int
    rsvp: Rsvp
    proxy_to: int | None
    answered_at: datetime

    def __post_init__(self) -> None:
        if self.rsvp is not Rsvp.PROXY and self.proxy_to is not None:
            raise ValueError("only a proxy answer names a proxy holder")
        if self.proxy_to == self.person_id:
            raise ValueError("a member cannot hold their own proxy")


@dataclass(frozen=True)
class Quorum:
    """`numerator`/`denominator` of the members entitled to vote, e.g. 1/2 (過半数 is stricter)."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 < self.numerator <= self.denominator <= MAX_QUORUM_DENOMINATOR:
            raise ValueError(f"impossible quorum {self.numerator}/{self.denominator}")

    def required(self, entitled: int) -> int:
        """How many members make the quorum: the fraction of `entitled`, rounded up."""
        return math.ceil(entitled * self.numerator / self.denominator)

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


class Unusable(StrEnum):
    """Why a written proxy cannot be exercised: translated as `asm.count.unusable.<code>`."""

    HOLDER_ABSENT = "holder_absent"  # answered absent, or passed their own proxy on
    HOLDER_NO_ANSWER = "holder_no_answer"
    HOLDER_NOT_ENTITLED = "holder_not_entitled"  # left the co-op, or not of the meeting's centre
    HOLDER_FULL = "holder_full"  # the holder already holds MAX_PROXIES_HELD earlier proxies


@dataclass(frozen=True)
class Tally:
    """Live counts of a notice's answers, and whether the quorum is expected or met."""

    entitled: int
    required: int
    attending: int
    proxies: int
    absent: int
    no_answer: int
    present: int  # checked in on the day
    proxies_valid: int  # proxies that count on the day: giver not present, holder chair/present
    # Proxies the forecast leaves out, by giver: (person id, why), in answer order.
    unusable: tuple[tuple[int, Unusable], ...] = ()

    @property
    def proxies_usable(self) -> int:
        """Proxies the forecast counts: their holder is the chair or attends."""
        return self.proxies - len(self.unusable)

    @property
    def expected(self) -> int:
        return self.attending + self.proxies_usable

    @property
    def quorum_expected(self) -> bool:
        return self.expected >= self.required

    @property
    def counted(self) -> int:
        return self.present + self.proxies_valid

    @property
    def quorum_met(self) -> bool:
        return self.counted >= self.required


def tally(
    quorum: Quorum,
    entitled: set[int],
    answers: list[Answer],
    checked_in: set[int],
    max_held: int = MAX_PROXIES_HELD,
) -> Tally:
    """Counts only answers of entitled members (someone who left the co-op no longer counts).
    A holder represents at most `max_held` givers, the earliest answers first."""
    current = sorted(
        (a for a in answers if a.person_id in entitled), key=lambda a: (a.answered_at, a.person_id)
    )
    by_kind = {kind: sum(1 for a in current if a.rsvp is kind) for kind in Rsvp}
    present = checked_in & entitled
    over: set[int] = set()  # givers whose named holder already holds `max_held` proxies
    held: dict[int, int] = {}
    for a in current:
        if a.rsvp is Rsvp.PROXY and a.proxy_to is not None:
            held[a.proxy_to] = held.get(a.proxy_to, 0) + 1
            if held[a.proxy_to] > max_held:
                over.add(a.person_id)
    valid = sum(
        1
        for a in current
        if a.rsvp is Rsvp.PROXY
        and a.person_id not in present
        and a.person_id not in over
        and (a.proxy_to is None or a.proxy_to in present)
    )
    # A chain (A to B, B to C) leaves A's proxy unused: B does not attend, and a proxy holder
    # cannot pass a proxy on.
    rsvp_of = {a.person_id: a.rsvp for a in current}
    unusable: list[tuple[int, Unusable]] = []
    for a in current:
        if a.rsvp is not Rsvp.PROXY or a.proxy_to is None:
            continue
        holder = rsvp_of.get(a.proxy_to)
        if a.proxy_to not in entitled:
            unusable.append((a.person_id, Unusable.HOLDER_NOT_ENTITLED))
        elif holder in (Rsvp.ABSENT, Rsvp.PROXY):
            unusable.append((a.person_id, Unusable.HOLDER_ABSENT))
        elif holder is None:
            unusable.append((a.person_id, Unusable.HOLDER_NO_ANSWER))
        elif a.person_id in over:
            unusable.append((a.person_id, Unusable.HOLDER_FULL))
    return Tally(
        entitled=len(entitled),
        required=quorum.required(len(entitled)),
        attending=by_kind[Rsvp.ATTENDING],
        proxies=by_kind[Rsvp.PROXY],
        absent=by_kind[Rsvp.ABSENT],
        no_answer=len(entitled) - len(current),
        present=len(present),
        proxies_valid=valid,
        unusable=tuple(unusable),
    )


_QUORUM = re.compile(r"(\d{1,3})\s*/\s*(\d{1,3})")
_FRACTION_JA = re.compile(r"(\d{1,3})\s*分の\s*(\d{1,3})")


def parse_quorum(text: str) -> Quorum:
    """`1/2`, `2/3`, `3分の2` (denominator first, as said in Japanese). Codes: quorum_malformed,
    quorum_impossible."""
    text = text.strip()
    if match := _QUORUM.fullmatch(text):
        numerator, denominator = int(match[1]), int(match[2])
    elif match := _FRACTION_JA.fullmatch(text):
        denominator, numerator = int(match[1]), int(match[2])
    else:
        raise InvalidInput("quorum_malformed")
    if not 0 < numerator <= denominator <= MAX_QUORUM_DENOMINATOR:
        raise InvalidInput("quorum_impossible")
    return Quorum(numerator, denominator)


_DATE = r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"
_TIME = r"(\d{1,2})\s*[:時]\s*(?:(\d{1,2})\s*分?)?"
_WEEKDAY = r"(?:\s*\([^)\d]{1,3}\))?"  # 12月12日(土), as people copy it from a notice
_DATETIME = re.compile(rf"{_DATE}{_WEEKDAY}(?:\s*T?\s*{_TIME})?")


def parse_when(text: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A date and time in the co-op's zone: `2026-12-12 14:00`, `2026-12-12T14:00`,
    `2026/12/12 14:00`, `2026年12月12日 14時30分`. A date alone is its start, or with
    `end_of_day` its last minute (23:59): "answer by the 5th" includes the 5th.

    Codes: when_malformed, when_impossible (no such day or time).
    """
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        raise InvalidInput("when_malformed")
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        the_day = date(year, month, day)
        if match[4] is None:
            clock = time(23, 59) if end_of_day else time(0, 0)
        else:
            clock = time(int(match[4]), int(match[5] or 0))
    except ValueError:
        raise InvalidInput("when_impossible") from None
    return datetime.combine(the_day, clock, tzinfo=tz)


def parse_text(text: str, limit: int) -> str:
    """A typed title, place or agenda: not empty, not over `limit` characters (refused, never
    cut). Codes: text_empty, text_too_long."""
    text = text.strip()
    if not text:
        raise InvalidInput("text_empty")
    if len(text) > limit:
        raise InvalidInput("text_too_long", limit=limit, length=len(text))
    return text


def agenda_in(locale: str, agenda_ja: str, agenda_en: str) -> tuple[str, bool]:
    """The agenda a person reads, and whether it is the Japanese one standing in for a missing
    English one (the reader is told so)."""
    if is_japanese(locale) or agenda_en.strip():
        return (agenda_ja if is_japanese(locale) else agenda_en), False
    return agenda_ja, bool(agenda_ja.strip())


def split_bilingual(text: str) -> tuple[str, str]:
    """`日本語 / English` gives both; text without ` / ` is used for both languages."""
    ja, sep, en = text.partition(" / ")
    if sep and ja.strip() and en.strip():
        return ja.strip(), en.strip()
    return text.strip(), text.strip()


def check_dates(starts_at: datetime, answer_by: datetime, now: datetime) -> None:
    """Codes: when_past (the assembly must lie ahead), when_too_far, answer_by_after_start,
    answer_by_past."""
    if starts_at <= now:
        raise InvalidInput("when_past")
    if starts_at > now + MAX_AHEAD:
        raise InvalidInput("when_too_far")
    if answer_by > starts_at:
        raise InvalidInput("answer_by_after_start")
    if answer_by <= now:
        raise InvalidInput("answer_by_past")
