"""Replies are data: a text key with arguments, and buttons. Transports render them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.domain.callbacks import MAX_BYTES, CallbackData, CallbackTooLong


@dataclass(frozen=True)
class Msg:
    """A translatable message: `key` is the gettext msgid, `args` fill its placeholders."""

    key: str
    args: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


def msg(key: str, **args: object) -> Msg:
    return Msg(key, MappingProxyType(dict(args)))


@dataclass(frozen=True, init=False)
class Button:
    """An inline button: a label and what pressing it asks for (typed callback data, packed
    once here, which is where its size is checked)."""

    label: Msg
    data: str

    def __init__(self, label: Msg, data: CallbackData | str) -> None:
        packed = data.pack() if isinstance(data, CallbackData) else data
        if not 1 <= len(packed.encode()) <= MAX_BYTES:
            raise CallbackTooLong(f"callback_data must be 1-64 bytes: {packed!r}")
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "data", packed)


@dataclass(frozen=True)
class Reply:
    """One message to the person. `parts` are joined by blank lines when rendered.

    `edit` asks to replace the message whose button was pressed instead of sending a new one.
    """

    parts: tuple[Msg, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False
    media: tuple[str, str] | None = None  # a file to send by its file_id, `parts` its caption
    # Telegram's persistent reply keyboard (rows of labels, each sent back as text when
    # pressed) that this message sets; `()` removes it; None leaves it as it is. A message sets
    # either a keyboard or inline buttons (the Bot API takes one reply_markup).
    keyboard: tuple[tuple[Msg, ...], ...] | None = None


def reply(*parts: Msg, buttons: tuple[tuple[Button, ...], ...] = (), edit: bool = False) -> Reply:
    return Reply(parts=parts, buttons=buttons, edit=edit)
