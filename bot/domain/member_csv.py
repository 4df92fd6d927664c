"""The members CSV that an admin imports (`kyodo members import FILE`): its columns, the rules
of a member's fields, and the key that makes a second import of the same file add nobody twice.
Decoding and rows are bot.domain.csv_rows' (UTF-8 with or without BOM, or cp932 as Japanese
Excel writes it); centre names are resolved against the store by the import service.

The format (one header row, in English or Japanese, columns in any order):

    name,kana,centres,language,role,phone,member_no
    田中 一郎,タナカ イチロウ,中央ケアセンター;港ビル清掃センター,ja,member,090-1234-5678,A-0012

`centres` are one or more centre names (Japanese or English) separated by `;` or `、`;
`language` is ja, en or ja-easy (or 日本語, 英語, やさしい日本語; empty means ja); `role` is
member, volunteer, staff or coordinator (or 組合員, ボランティア, 職員/スタッフ, コーディネーター;
empty means member; a coordinator is staff for the whole co-op); `phone`
and `member_no` may be empty.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.domain.csv_rows import LineError, normalise, read_rows
from bot.domain.errors import InvalidInput
from bot.domain.people import Role
from bot.domain.requests import parse_phone

MAX_ROWS = 10_000
MAX_NAME = 64  # as bot.services.people.MAX_NAME_LENGTH: a name typed at joining
MAX_KANA = 100
MAX_CENTRES = 20
MAX_MEMBER_NO = 32
# Raw text longer than this is refused before it is normalised (NFKC may lengthen it).
MAX_RAW = 1000

LANGUAGES = ("ja", "en", "ja-easy")

HEADERS: dict[str, str] = {
    "name": "name",
    "氏名": "name",
    "名前": "name",
    "kana": "kana",
    "フリガナ": "kana",
    "ふりがな": "kana",
    "カナ": "kana",
    "centres": "centres",
    "centre": "centres",
    "centers": "centres",
    "center": "centres",
    "センター": "centres",
    "事業所": "centres",
    "所属": "centres",
    "language": "language",
    "言語": "language",
    "role": "role",
    "役割": "role",
    "種別": "role",
    "phone": "phone",
    "電話": "phone",
    "電話番号": "phone",
    "member_no": "member_no",
    "member number": "member_no",
    "組合員番号": "member_no",
    "番号": "member_no",
}
REQUIRED = ("name", "kana", "centres")

_LANGUAGE_NAMES: dict[str, str] = {
    "": "ja",
    "ja": "ja",
    "日本語": "ja",
    "en": "en",
    "english": "en",
    "英語": "en",
    "ja-easy": "ja-easy",
    "やさしい日本語": "ja-easy",
    "やさしいにほんご": "ja-easy",
}
# Roles an import may give: admins are made one by one, residents never join by invite.
IMPORTABLE: dict[str, Role] = {
    "": Role.MEMBER,
    "member": Role.MEMBER,
    "組合員": Role.MEMBER,
    "volunteer": Role.VOLUNTEER,
    "ボランティア": Role.VOLUNTEER,
    "staff": Role.STAFF,
    "職員": Role.STAFF,
    "スタッフ": Role.STAFF,
    "coordinator": Role.COORDINATOR,
    "コーディネーター": Role.COORDINATOR,
}

_LIST = re.compile(r"[;、]+")
# Katakana, hiragana, the long-vowel mark, the middle dot and spaces: how a roster spells names.
_KANA = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc\u30fd\u30fe・ ]+")
_MEMBER_NO = re.compile(r"[0-9A-Za-z\-_/]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MemberFields:
    """One member as the roster gives them, checked and normalised."""

    name: str
    kana: str
    centres: tuple[str, ...]  # centre names as written (NFKC), resolved by the service
    language: str
    role: Role
    phone: str | None = None
    member_no: str | None = None

    @property
    def key(self) -> str:
        """What makes two rows (or two imports) the same person: the member number when the
        roster has one, else the name and its reading with spacing, width and kana script folded.
        Kept as a SHA-256, so the key is no second copy of the name."""
        if self.member_no:
            basis = "no:" + self.member_no.casefold()
        else:
            basis = "name:" + fold(self.name) + "|" + fold(self.kana)
        return hashlib.sha256(basis.encode()).hexdigest()


@dataclass(frozen=True)
class MemberLine:
    line: int
    fields: MemberFields


def fold(text: str) -> str:
    """Spaces dropped, hiragana as katakana, case folded: 'たなか いちろう' ~ 'タナカイチロウ'."""
    squeezed = _SPACES.sub("", normalise(text))
    return "".join(
        chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in squeezed
    ).casefold()


def _raw(text: str) -> str:
    if len(text) > MAX_RAW:
        raise InvalidInput("too_long")
    return _SPACES.sub(" ", normalise(text))


def parse_name(text: str) -> str:
    """A person's name: up to MAX_NAME characters after NFKC (the raw text is bounded first)."""
    name = _raw(text)
    if not name:
        raise InvalidInput("no_name")
    if len(name) > MAX_NAME:
        raise InvalidInput("name_too_long")
    return name


def parse_kana(text: str) -> str:
    kana = _raw(text)
    if not kana:
        raise InvalidInput("no_kana")
    if len(kana) > MAX_KANA:
        raise InvalidInput("too_long")
    if not _KANA.fullmatch(kana):
        raise InvalidInput("bad_kana")
    return kana


def parse_centres(text: str) -> tuple[str, ...]:
    centres: list[str] = []
    for part in _LIST.split(_raw(text)):
        name = part.strip()
        if name and name not in centres:
            centres.append(name)
    if not centres:
        raise InvalidInput("no_centre")
    if len(centres) > MAX_CENTRES:
        raise InvalidInput("too_many_centres")
    return tuple(centres)


def parse_language(text: str) -> str:
    language = _LANGUAGE_NAMES.get(_raw(text).casefold())
    if language is None:
        raise InvalidInput("bad_language")
    return language


def parse_role(text: str) -> Role:
    role = IMPORTABLE.get(_raw(text).casefold())
    if role is None:
        raise InvalidInput("bad_role")
    return role


def parse_optional_phone(text: str) -> str | None:
    """None for an empty cell; else a Japanese number in its national form (phonenumbers)."""
    if len(text) > MAX_RAW:
        raise InvalidInput("too_long")
    if not normalise(text):
        return None
    return parse_phone(text)  # InvalidInput("phone_invalid")


def parse_member_no(text: str) -> str | None:
    number = _raw(text)
    if not number:
        return None
    if len(number) > MAX_MEMBER_NO or not _MEMBER_NO.fullmatch(number):
        raise InvalidInput("bad_member_no")
    return number


def _row(number: int, cells: dict[str, str]) -> MemberLine:
    fields = MemberFields(
        name=parse_name(cells["name"]),
        kana=parse_kana(cells["kana"]),
        centres=parse_centres(cells["centres"]),
        language=parse_language(cells.get("language", "")),
        role=parse_role(cells.get("role", "")),
        phone=parse_optional_phone(cells.get("phone", "")),
        member_no=parse_member_no(cells.get("member_no", "")),
    )
    return MemberLine(number, fields)


def parse(text: str) -> tuple[list[MemberLine], list[LineError]]:
    """Every row, well-formed or not, and rows repeating an earlier row's person (same key) as
    `duplicate`. Raises InvalidInput only for the file as a whole."""
    lines, errors = read_rows(
        text, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS, parse_row=_row
    )
    seen: set[str] = set()
    unique: list[MemberLine] = []
    for line in lines:
        if line.fields.key in seen:
            errors.append(LineError(line.line, "duplicate"))
            continue
        seen.add(line.fields.key)
        unique.append(line)
    errors.sort(key=lambda e: e.line)
    return unique, errors
