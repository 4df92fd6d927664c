"""Replies are data: a text key with arguments, and buttons. Transports render them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Msg:
    """A translatable message: `key` is the gettext msgid, `args` fill its placeholders."""

    key: str
    args: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


def msg(key: str, **args: object) -> Msg:
    return Msg(key, MappingProxyType(dict(args)))


@dataclass(frozen=True)
class Button:
    """An inline button. `data` is callback_data: ids only, at most 64 bytes."""

    label: Msg
    data: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.data.encode()) <= 64:
            raise ValueError(f"callback_data must be 1-64 bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """One message to the person. `parts` are joined by blank lines when rendered.

    `edit` asks to replace the message whose button was pressed instead of sending a new one.
    """

    parts: tuple[Msg, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False


def reply(*parts: Msg, buttons: tuple[tuple[Button, ...], ...] = (), edit: bool = False) -> Reply:
    return Reply(parts=parts, buttons=buttons, edit=edit)
