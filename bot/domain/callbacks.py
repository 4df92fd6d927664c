"""Typed callback data: what a button asks for, as a small frozen dataclass.

A button's callback data is a request from a person's phone, never a trusted value: Telegram
gives at most 64 bytes, and anyone can send any bytes. So each kind of button is a dataclass with
a tag (`hr:ok`) and typed fields (ids, small enums), packed as `tag:field:field` and unpacked
strictly: the wrong number of fields, a non-digit id, an unknown enum value or an overlong string
unpack to None, which the dialog registry answers as an old or forged button. The 64-byte limit is
checked here, when a button is made, and nowhere else.

    @dataclass(frozen=True)
    class ApproveReport(CallbackData, tag="hr:a"):
        report_id: int

    ApproveReport(17).pack() == "hr:a:17"
    ApproveReport.unpack("hr:a:17") == ApproveReport(17)
    ApproveReport.unpack("hr:a:x") is None

Field types: `int` (0 and up, at most 18 digits), `bool` (1/0), `str` (no colon), a `StrEnum`,
`date` (YYYYMMDD), and `X | None` of those (packed as an empty field). Trailing fields whose
value is their default may be left out, so `hrm` and `hrm:202612` are one kind of button.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Self

MAX_BYTES = 64  # Telegram's limit on callback_data
_TAG = re.compile(r"[a-z][a-z0-9_]*(:[a-z0-9_]+)*")


class CallbackTooLong(ValueError):
    """A button whose packed data exceeds Telegram's 64 bytes: a programming error."""


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    kind: type[Any]
    optional: bool
    has_default: bool
    default: object


class CallbackData:
    """Base of every kind of button. Subclasses are frozen dataclasses with a `tag`."""

    tag: ClassVar[str] = ""

    def __init_subclass__(cls, *, tag: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not tag:
            raise TypeError(f"{cls.__name__} needs a tag: class X(CallbackData, tag='x:y')")
        if not _TAG.fullmatch(tag):
            raise TypeError(f"{cls.__name__}: a tag is lower-case words joined by colons: {tag!r}")
        cls.tag = tag

    @property
    def prefix(self) -> str:
        return self.tag.partition(":")[0]

    def pack(self) -> str:
        values = [(f, getattr(self, f.name)) for f in _fields(type(self))]
        while values and values[-1][0].has_default and values[-1][1] == values[-1][0].default:
            values.pop()  # a trailing default is left out
        data = ":".join([self.tag, *(_pack_value(f, v) for f, v in values)])
        if len(data.encode()) > MAX_BYTES:
            raise CallbackTooLong(f"{data!r} is {len(data.encode())} bytes; Telegram takes 64")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """The button `data` asks for, or None if it is not one of this kind (old or forged)."""
        if _wire_size(data) > MAX_BYTES:
            return None  # too long, or text no Telegram client can send (a lone surrogate)
        if data != cls.tag and not data.startswith(cls.tag + ":"):
            return None
        rest = data[len(cls.tag) + 1 :]
        raw = rest.split(":") if data != cls.tag else []
        fields = _fields(cls)
        if len(raw) > len(fields):
            return None
        values: dict[str, object] = {}
        for index, f in enumerate(fields):
            if index < len(raw):
                value = _unpack_value(f, raw[index])
                if value is _INVALID:
                    return None
                values[f.name] = value
            elif not f.has_default:
                return None
        try:
            return cls(**values)
        except (TypeError, ValueError):
            return None  # the dataclass's own checks refused the values


_INVALID = object()


_FIELDS: dict[type[CallbackData], tuple[_Field, ...]] = {}


def _fields(cls: type[CallbackData]) -> tuple[_Field, ...]:
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = _read_fields(cls)
    return known


def _read_fields(cls: type[CallbackData]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind, optional = _unwrap(hints[f.name])
        if not (kind in (int, bool, str, date) or issubclass(kind, StrEnum)):
            raise TypeError(f"{cls.__name__}.{f.name}: {kind!r} cannot travel in callback data")
        has_default = f.default is not dataclasses.MISSING
        found.append(_Field(f.name, kind, optional, has_default, f.default))
    return tuple(found)


def _unwrap(hint: Any) -> tuple[type[Any], bool]:
    """`int | None` -> (int, True); `int` -> (int, False)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
        raise TypeError(f"only `X | None` unions travel in callback data: {hint!r}")
    return hint, False


def _pack_value(f: _Field, value: object) -> str:
    if value is None:
        if not f.optional:
            raise ValueError(f"{f.name} is None but not optional")
        return ""
    if f.kind is bool:
        return "1" if value else "0"
    if f.kind is int:
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{f.name}: callback ints are 0 or more, not {value!r}")
        return str(value)
    if f.kind is date:
        if not isinstance(value, date):
            raise ValueError(f"{f.name}: not a date: {value!r}")
        return f"{value:%Y%m%d}"
    text = str(value.value) if isinstance(value, StrEnum) else str(value)
    if not text or ":" in text:
        raise ValueError(f"{f.name}: callback text is non-empty and has no colon: {text!r}")
    return text


def _unpack_value(f: _Field, raw: str) -> object:
    if raw == "":
        return None if f.optional else _INVALID
    if f.kind is bool:
        return {"1": True, "0": False}.get(raw, _INVALID)
    if f.kind is int:
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else _INVALID
    if f.kind is date:
        if not (len(raw) == 8 and raw.isascii() and raw.isdigit()):
            return _INVALID
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            return _INVALID
    if f.kind is str:
        return raw
    try:
        return f.kind(raw)
    except ValueError:
        return _INVALID


def _wire_size(data: str) -> int:
    """The bytes `data` takes as UTF-8; above any limit when it cannot be UTF-8 at all."""
    try:
        return len(data.encode())
    except UnicodeEncodeError:
        return MAX_BYTES + 1
