"""Reading the hours a member typed: `7.5`, `7:30 yesterday`, `今日 7時間30分`.

The text arrives NFKC-normalised (`７．５` is already `7.5`). An optional day (today, yesterday,
the day before, `11/20`, `11月20日`, `2026-11-20`) may come before or after the hours. Every
failure is an `InvalidInput` whose code says what was wrong; nothing else is ever raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.domain.errors import InvalidInput
from bot.domain.hours import check_day, check_minutes

MAX_INPUT = 40  # nothing anyone types about a day's hours is longer

_RELATIVE = (
    # Longest first: 一昨日 contains 昨日, "day before yesterday" contains "yesterday".
    (re.compile(r"day before yesterday|一昨日|おととい|おとつい"), 2),
    (re.compile(r"yesterday|昨日|きのう"), 1),
    (re.compile(r"today|今日|きょう|本日"), 0),
)
_FULL_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_SHORT_DATE = re.compile(r"(\d{1,2})/(\d{1,2})|(\d{1,2})月(\d{1,2})日")

_DECIMAL = re.compile(r"(\d{1,2})(?:\.(\d{1,4}))?(?:h|hr|hrs|hours?|時間)?")
_COLON = re.compile(r"(\d{1,2}):(\d{2})")
_HOURS_MINUTES = re.compile(
    r"(\d{1,2})(?:h|hr|hrs|hours?|時間)(\d{1,2})(?:m|min|mins|minutes?|分)?"
)
_MINUTES = re.compile(r"(\d{1,4})(?:m|min|mins|minutes?|分)")


@dataclass(frozen=True)
class ParsedHours:
    minutes: int
    day: date | None  # None: the person named no day


def parse_hours(text: str, today: date, window_days: int) -> ParsedHours:
    """Minutes worked and the day named, if any; the day is checked against today and the window."""
    text = text.strip().lower()
    if not text or len(text) > MAX_INPUT:
        raise InvalidInput("hours_format")
    day, rest = _take_day(text, today)
    if day is not None:
        check_day(day, today, window_days)
    return ParsedHours(parse_minutes(rest), day)


def parse_minutes(text: str) -> int:
    """`7.5`, `7:30`, `7h30`, `7時間30分`, `7時間`, `30分` -> minutes, steps of 15, in a day."""
    text = re.sub(r"\s+", "", text.lower())
    if (match := _COLON.fullmatch(text)) or (match := _HOURS_MINUTES.fullmatch(text)):
        minutes = _hm(match.group(1), match.group(2))
    elif match := _MINUTES.fullmatch(text):
        minutes = int(match.group(1))
    elif match := _DECIMAL.fullmatch(text):
        hours = Decimal(match.group(1) + "." + (match.group(2) or "0"))
        exact = hours * 60
        if exact != exact.to_integral_value():
            raise InvalidInput("hours_granularity")
        minutes = int(exact)
    else:
        raise InvalidInput("hours_format")
    return check_minutes(minutes)


def _hm(hours: str, minutes: str) -> int:
    if int(minutes) >= 60:
        raise InvalidInput("hours_format")
    return int(hours) * 60 + int(minutes)


def _take_day(text: str, today: date) -> tuple[date | None, str]:
    """The day named at the start or the end of the text, and what is left."""
    for pattern, days_ago in _RELATIVE:
        if rest := _strip(pattern, text):
            return today - timedelta(days=days_ago), rest[0]
    if rest := _strip(_FULL_DATE, text):
        year, month, day = (int(g) for g in rest[1].groups())
        return _date(year, month, day), rest[0]
    if rest := _strip(_SHORT_DATE, text):
        groups = [int(g) for g in rest[1].groups() if g is not None]
        month, day = groups
        named = _date(today.year, month, day, leap_ok=True)
        if named > today:
            # 12/30 typed on 1 January means last December.
            named = _date(today.year - 1, month, day)
        return named, rest[0]
    return None, text


def _strip(pattern: re.Pattern[str], text: str) -> tuple[str, re.Match[str]] | None:
    """The rest of `text` when `pattern` fills its start or its end (with a space or none)."""
    start = re.compile(rf"^(?:{pattern.pattern})")
    end = re.compile(rf"(?:{pattern.pattern})$")
    for anchored in (start, end):
        if match := anchored.search(text):
            rest = (text[: match.start()] + text[match.end() :]).strip()
            inner = pattern.fullmatch(match.group(0))
            if rest and inner is not None:
                return rest, inner
    return None


def _date(year: int, month: int, day: int, *, leap_ok: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and (month, day) == (2, 29):
            # 2/29 in a year without it: it can only mean the last leap year's.
            return _date(year - 1, month, day, leap_ok=True) if year > 1 else _impossible()
        return _impossible()


def _impossible() -> date:
    raise InvalidInput("date_impossible")
