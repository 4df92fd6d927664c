"""What a transport hands the core: one person's input, with the wire format already parsed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class InputKind(StrEnum):
    TEXT = "text"  # a message with text that is not a command
    COMMAND = "command"  # /name args
    BUTTON = "button"  # an inline button was pressed (callback query)
    UNSUPPORTED = "unsupported"  # a sticker, photo, voice, location ... where text was expected
    IGNORED = "ignored"  # an update kind Kyodo does not act on (edited message, member joined ...)


@dataclass(frozen=True)
class Incoming:
    """One update, parsed. `text` is as sent (normalisation is the core's job)."""

    update_id: int
    kind: InputKind
    chat_id: int | None = None
    chat_type: ChatType = ChatType.PRIVATE
    user_id: int | None = None
    user_name: str = ""
    language_code: str | None = None
    text: str = ""
    command: str | None = None  # lower-case, without the slash and any @botname
    args: str = ""
    callback_data: str | None = None
    callback_query_id: str | None = None
    message_id: int | None = None  # the message carrying the pressed button
    # A voice note, audio, video note or photo (UNSUPPORTED where text was expected): its kind and
    # Telegram file_id, so that staff can listen to what someone could not type.
    media: str | None = None
    file_id: str | None = None
    # The text's length as sent, when the inbox kept only its start (bot.domain.bounds): it was
    # too long to store, and the answer says how long it was.
    text_length: int | None = None
