"""The shift CSV that staff import: its columns and the syntax of their fields (decoding and
reading rows are bot.domain.csv_rows'). Names of centres and people are resolved
against the store by the import service; this module only reads text.

The format (one header row, in English or Japanese, columns in any order):

    centre,date,start,end,kind,capacity,members,volunteers
    港ビル清掃センター,2026/11/24,8:00,12:00,cleaning,3,2001 2002,no

`members` are Telegram user ids separated by spaces or `;`; `volunteers` (optional) marks a
shift whose open places volunteers may take too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.coop import WorkKind
from bot.domain.csv_rows import LineError, normalise, read_rows
from bot.domain.errors import InvalidInput

MAX_CAPACITY = 100
MAX_ROWS = 5000
MAX_NAME = 200

# Column names as staff may write them; the value is the field's own name.
HEADERS: dict[str, str] = {
    "centre": "centre",
    "center": "centre",
    "センター": "centre",
    "事業所": "centre",
    "date": "date",
    "日付": "date",
    "start": "start",
    "開始": "start",
    "end": "end",
    "終了": "end",
    "kind": "kind",
    "work": "kind",
    "仕事": "kind",
    "業務": "kind",
    "capacity": "capacity",
    "定員": "capacity",
    "members": "members",
    "メンバー": "members",
    "組合員": "members",
    "volunteers": "volunteers",
    "ボランティア": "volunteers",
}
REQUIRED = ("centre", "date", "start", "end", "kind", "capacity")

_DATE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_ID = re.compile(r"[0-9]{1,15}")
_SEPARATORS = re.compile(r"[\s;,/、]+")
_YES = {"yes", "y", "true", "1", "はい", "○", "〇", "可"}
_NO = {"", "no", "n", "false", "0", "いいえ", "×", "不可", "-"}


@dataclass(frozen=True)
class ShiftLine:
    """One well-formed row: a shift to create, with names still to be resolved."""

    line: int
    centre: str
    starts_at: datetime
    ends_at: datetime
    kind: WorkKind
    capacity: int
    members: tuple[int, ...]  # Telegram user ids
    for_volunteers: bool


def parse_date(text: str) -> date:
    match = _DATE.fullmatch(normalise(text))
    if match is None:
        raise InvalidInput("bad_date")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidInput("bad_date") from None


def parse_time(text: str, *, end: bool = False) -> timedelta:
    """`8:00`, `08:30`; an end may be `24:00`. The time after midnight of the shift's day."""
    match = _TIME.fullmatch(normalise(text))
    if match is None:
        raise InvalidInput("bad_time")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise InvalidInput("bad_time")
    return timedelta(hours=hours, minutes=minutes)


def parse_capacity(text: str) -> int:
    value = normalise(text)
    if not value.isascii() or not value.isdigit() or len(value) > 3:
        raise InvalidInput("bad_capacity")
    capacity = int(value)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput("bad_capacity")
    return capacity


def parse_members(text: str) -> tuple[int, ...]:
    ids: list[int] = []
    for part in _SEPARATORS.split(normalise(text)):
        if not part:
            continue
        if _ID.fullmatch(part) is None or int(part) == 0:
            raise InvalidInput("bad_member")
        if int(part) not in ids:
            ids.append(int(part))
    return tuple(ids)


def parse_flag(text: str) -> bool:
    value = normalise(text).casefold()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise InvalidInput("bad_volunteers")


def parse_kind(text: str, names: Mapping[str, WorkKind]) -> WorkKind:
    """A kind's code (`cleaning`) or its name as shown in either language (`清掃`)."""
    value = normalise(text).casefold()
    for kind in WorkKind:
        if value == kind.value:
            return kind
    found = names.get(value)
    if found is None:
        raise InvalidInput("bad_kind")
    return found


def _line(
    number: int,
    cells: dict[str, str],
    tz: ZoneInfo,
    kind_names: Mapping[str, WorkKind],
) -> ShiftLine:
    centre = normalise(cells.get("centre", ""))
    if not centre or len(centre) > MAX_NAME:
        raise InvalidInput("no_centre")
    day = parse_date(cells.get("date", ""))
    midnight = datetime.combine(day, time(), tzinfo=tz)
    starts_at = midnight + parse_time(cells.get("start", ""))
    ends_at = midnight + parse_time(cells.get("end", ""), end=True)
    if ends_at <= starts_at:
        raise InvalidInput("end_before_start")
    kind = parse_kind(cells.get("kind", ""), kind_names)
    capacity = parse_capacity(cells.get("capacity", ""))
    members = parse_members(cells.get("members", ""))
    if len(members) > capacity:
        raise InvalidInput("over_capacity")
    return ShiftLine(
        line=number,
        centre=centre,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        capacity=capacity,
        members=members,
        for_volunteers=parse_flag(cells.get("volunteers", "")),
    )


def parse(
    text: str, tz: ZoneInfo, kind_names: Mapping[str, WorkKind] | None = None
) -> tuple[list[ShiftLine], list[LineError]]:
    """Every row, well-formed or not. Raises InvalidInput only for the file as a whole."""
    names = {normalise(k).casefold(): v for k, v in (kind_names or {}).items()}
    return read_rows(
        text,
        headers=HEADERS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        parse_row=lambda number, cells: _line(number, cells, tz, names),
    )
