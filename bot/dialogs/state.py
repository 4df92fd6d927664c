"""Typed, versioned dialog state: a frozen dataclass per dialog, stored as JSON with a version.

A dialog's state lives in the store between turns (`DialogState`: dialog, step, JSON data). Each
dialog reads and writes it only through its `StateCodec`, as a dataclass whose fields say what
the dialog has gathered, typed (`centre_id: int | None`), so a step cannot read a key that is not
there. The codec writes `{"v": version, ...fields}`; it reads back only a state of its own dialog,
of its own version, whose fields have the declared types. Anything else (a state written by an
older Kyodo, a hand-edited row) loads as None, which the dialog registry answers as out of date.

Field types: int, float, bool, str, Decimal, date, datetime, StrEnum, `tuple[X, ...]` of those,
and `X | None` of any of them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.domain.dialogs import DialogState


@dataclasses.dataclass(frozen=True, kw_only=True)
class DialogData:
    """Base of every dialog's typed state; `step` is where in the dialog the person is."""

    step: str


S = TypeVar("S", bound=DialogData)

_INVALID = object()


class StateCodec(Generic[S]):
    """Reads and writes one dialog's state: `load(stored)` and `dump(typed)`."""

    def __init__(self, dialog: str, state_type: type[S], version: int = 1) -> None:
        self.dialog = dialog
        self.state_type = state_type
        self.version = version
        _hints(state_type)  # refuses a field type that cannot be stored, at import

    def dump(self, data: S) -> DialogState:
        hints = _hints(self.state_type)
        stored: dict[str, Any] = {"v": self.version}
        for f in dataclasses.fields(data):
            if f.name != "step":
                stored[f.name] = _to_json(getattr(data, f.name), hints[f.name])
        return DialogState(self.dialog, data.step, stored)

    def load(self, state: DialogState | None) -> S | None:
        """The typed state; None unless `state` is this dialog's, of this version, well-formed."""
        if state is None or state.dialog != self.dialog or state.data.get("v") != self.version:
            return None
        hints = _hints(self.state_type)
        values: dict[str, Any] = {"step": state.step}
        for f in dataclasses.fields(self.state_type):
            if f.name == "step":
                continue
            if f.name not in state.data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    return None
                continue
            value = _from_json(state.data[f.name], hints[f.name])
            if value is _INVALID:
                return None
            values[f.name] = value
        try:
            return self.state_type(**values)
        except (TypeError, ValueError):
            return None


_HINTS: dict[type[DialogData], dict[str, Any]] = {}


def _hints(cls: type[DialogData]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            _check_type(hints[f.name], f"{cls.__name__}.{f.name}")
        _HINTS[cls] = hints
    return hints


def _check_type(hint: Any, where: str) -> None:
    inner, _ = _unwrap(hint)
    if typing.get_origin(inner) is tuple:
        args = typing.get_args(inner)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"{where}: only tuple[X, ...] is stored")
        _check_type(args[0], where)
        return
    if inner in (int, float, bool, str, Decimal, date, datetime):
        return
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return
    raise TypeError(f"{where}: {hint!r} cannot be stored in dialog state")


def _unwrap(hint: Any) -> tuple[Any, bool]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"only `X | None` unions are stored: {hint!r}")
        return args[0], True
    return hint, False


def _to_json(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    inner, _ = _unwrap(hint)
    if typing.get_origin(inner) is tuple:
        item = typing.get_args(inner)[0]
        return [_to_json(v, item) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_json(value: Any, hint: Any) -> Any:
    inner, optional = _unwrap(hint)
    if value is None:
        return None if optional else _INVALID
    if typing.get_origin(inner) is tuple:
        if not isinstance(value, list):
            return _INVALID
        item = typing.get_args(inner)[0]
        items = [_from_json(v, item) for v in value]
        return _INVALID if any(i is _INVALID for i in items) else tuple(items)
    try:
        if inner is bool:
            return value if isinstance(value, bool) else _INVALID
        if inner is int:
            return value if isinstance(value, int) and not isinstance(value, bool) else _INVALID
        if inner is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return float(value) if ok else _INVALID
        if inner is str:
            return value if isinstance(value, str) else _INVALID
        if not isinstance(value, str):
            return _INVALID
        if inner is Decimal:
            return Decimal(value)
        if inner is datetime:
            return datetime.fromisoformat(value)
        if inner is date:
            return date.fromisoformat(value)
        return inner(value)  # a StrEnum
    except (ValueError, InvalidOperation):
        return _INVALID
