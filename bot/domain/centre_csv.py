"""The centres CSV that an admin imports (`kyodo centres import FILE`): the row-by-row syntax
and the rules of a centre's fields. Decoding (UTF-8 with or without BOM, or cp932 as Japanese
Excel writes it) and reading rows are bot.domain.csv_rows'; names already in the store are
checked by the service.

The format (one header row, in English or Japanese, columns in any order):

    name_ja,name_en,phone,kinds,areas
    中央ケアセンター,Chuo Care Centre,03-1234-5678,elderly_care;介護,中央区;港区

`kinds` are codes or shown names of kinds of work, `areas` the towns or wards served, both
separated by `;` or `、`; phone, kinds and areas may be empty. Two optional columns make the
head offices (本部/事務局): `is_office` (`本部`) marks a row that is an office (yes, はい, 1, ○),
and `office` (`所属本部`) names the office a centre belongs to (an office in the store or in the
same file, by either name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.coop import WorkKind
from bot.domain.csv_rows import LineError, normalise, read_rows
from bot.domain.errors import InvalidInput
from bot.domain.shift_csv import parse_kind

MAX_ROWS = 2000
MAX_NAME = 200
MAX_AREA = 100
MAX_AREAS = 50
MAX_PHONE = 30
# Raw text longer than this is refused before it is normalised (NFKC may lengthen it).
MAX_RAW = 2000

HEADERS: dict[str, str] = {
    "name_ja": "name_ja",
    "名称": "name_ja",
    "センター名": "name_ja",
    "name_en": "name_en",
    "英語名": "name_en",
    "phone": "phone",
    "電話": "phone",
    "電話番号": "phone",
    "kinds": "kinds",
    "業務": "kinds",
    "仕事": "kinds",
    "areas": "areas",
    "地域": "areas",
    "対象地域": "areas",
    "is_office": "is_office",
    "本部": "is_office",
    "office": "office",
    "所属本部": "office",
}
# What marks a row as a head office in the `is_office` column (case and width folded).
YES = frozenset({"yes", "y", "1", "true", "はい", "○", "◯", "本部", "office"})
NO = frozenset({"", "no", "n", "0", "false", "いいえ", "×"})
REQUIRED = ("name_ja", "name_en")

_PHONE = re.compile(r"\+?[0-9][0-9\- ()]*")
_LIST = re.compile(r"[;、]+")


@dataclass(frozen=True)
class CentreFields:
    """A centre's fields as staff typed them, checked and normalised."""

    name_ja: str
    name_en: str
    phone: str | None = None
    kinds: frozenset[WorkKind] = frozenset()
    areas: tuple[str, ...] = ()
    is_office: bool = False
    office: str | None = None  # the name of the office it belongs to, as typed (import only)


@dataclass(frozen=True)
class CentreLine:
    line: int
    fields: CentreFields


def _raw(text: str) -> str:
    if len(text) > MAX_RAW:
        raise InvalidInput("too_long")
    return normalise(text)


def parse_name(text: str) -> str:
    name = _raw(text)
    if not name:
        raise InvalidInput("no_name")
    if len(name) > MAX_NAME:
        raise InvalidInput("too_long")
    return name


def parse_phone(text: str) -> str | None:
    """None for empty; else digits with an optional leading + and hyphens, 6 to 15 digits."""
    phone = _raw(text)
    if not phone:
        return None
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > MAX_PHONE or not _PHONE.fullmatch(phone) or not 6 <= digits <= 15:
        raise InvalidInput("bad_phone")
    return phone


def parse_kinds(text: str, names: Mapping[str, WorkKind]) -> frozenset[WorkKind]:
    return frozenset(parse_kind(part, names) for part in split(_raw(text)))


def parse_areas(text: str) -> tuple[str, ...]:
    areas: list[str] = []
    for area in split(_raw(text)):
        if len(area) > MAX_AREA:
            raise InvalidInput("too_long")
        if area not in areas:
            areas.append(area)
    if len(areas) > MAX_AREAS:
        raise InvalidInput("too_many_areas")
    return tuple(areas)


def parse_is_office(text: str) -> bool:
    flag = _raw(text).casefold()
    if flag in YES:
        return True
    if flag in NO:
        return False
    raise InvalidInput("bad_is_office")


def parse_office(text: str) -> str | None:
    """None for empty; else the name of an office (checked against the store by the service)."""
    return parse_name(text) if _raw(text) else None


def split(text: str) -> list[str]:
    return [part.strip() for part in _LIST.split(text) if part.strip()]


def _row(number: int, cells: dict[str, str], names: Mapping[str, WorkKind]) -> CentreLine:
    fields = CentreFields(
        name_ja=parse_name(cells["name_ja"]),
        name_en=parse_name(cells["name_en"]),
        phone=parse_phone(cells.get("phone", "")),
        kinds=parse_kinds(cells.get("kinds", ""), names),
        areas=parse_areas(cells.get("areas", "")),
        is_office=parse_is_office(cells.get("is_office", "")),
        office=parse_office(cells.get("office", "")),
    )
    if fields.is_office and fields.office is not None:
        raise InvalidInput("office_of_office")
    return CentreLine(number, fields)


def parse(
    text: str, kind_names: Mapping[str, WorkKind] | None = None
) -> tuple[list[CentreLine], list[LineError]]:
    """Every row, well-formed or not. Raises InvalidInput only for the file as a whole."""
    names = {normalise(k).casefold(): v for k, v in (kind_names or {}).items()}
    return read_rows(
        text,
        headers=HEADERS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        parse_row=lambda number, cells: _row(number, cells, names),
    )
