"""A rendered message on its way out: what the outbox stores and the sender delivers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

ButtonRows = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback_data)
# Rows of labels of Telegram's reply keyboard (bot.domain.replies.Reply.keyboard); () removes it.
KeyboardRows = tuple[tuple[str, ...], ...]

REDACTED = "[redacted once sent]"  # what the outbox keeps of a message that carried something


class Carries(StrEnum):
    """What a message carries that must not outlive its delivery (the outbox row's `carries`).

    Once the message is sent (or has failed for good) its text and buttons are replaced by
    `REDACTED`; a farewell loses its chat id too. A message carrying nothing keeps its text
    until the outbox prune (KYODO_OUTBOX_KEEP_DAYS).
    """

    PERSONAL = "personal"  # a name, an address, a phone number, anything a person typed
    CREDENTIAL = "credential"  # a sign-in link, a calendar link, an invite code
    FAREWELL = "farewell"  # the last words to someone just forgotten: their chat id goes too


@dataclass(frozen=True)
class OutboundMessage:
    """Text is final, in the recipient's language; HTML with everything a person typed escaped."""

    chat_id: int
    text: str
    buttons: ButtonRows = ()
    edit_message_id: int | None = None
    parse_mode: str | None = "HTML"
    is_group: bool = False  # groups get 20 messages a minute, private chats one a second
    carries: Carries | None = None  # redacted once sent (see Carries); None: nothing to hide
    # A file a person sent, handed to one staff member by its Telegram file_id: (kind, file_id),
    # kind `photo`, `voice`, `audio`, `video_note` or `document`; `text` is its caption.
    media: tuple[str, str] | None = None
    keyboard: KeyboardRows | None = None  # a reply keyboard to set, () removes it; no buttons then


def markup_json(message: OutboundMessage) -> list[list[list[str]]]:
    """The outbox's `buttons` column: inline buttons as [label, data] pairs; a reply keyboard's
    buttons as [label] alone (they carry no data: a press sends the label), and its removal as
    one empty row. A message has one or the other (the Bot API takes one reply_markup)."""
    if message.keyboard is not None:
        return [[[label] for label in row] for row in message.keyboard] or [[]]
    return [[list(button) for button in row] for row in message.buttons]


def markup_of(stored: list[list[list[str]]] | None) -> tuple[ButtonRows, KeyboardRows | None]:
    """`markup_json` read back: (inline buttons, reply keyboard or None)."""
    rows = stored or []
    if rows == [[]]:
        return (), ()
    if any(rows) and all(len(button) == 1 for row in rows for button in row):
        return (), tuple(tuple(str(button[0]) for button in row) for row in rows)
    return tuple(tuple((str(label), str(data)) for label, data in row) for row in rows), None


def once_settled(message: OutboundMessage, *, sent: bool) -> OutboundMessage:
    """What the outbox keeps of a message once it is sent, or has failed for good: a credential
    and a farewell go either way; personal data goes once sent (a failed message keeps it until
    the prune, for staff to send again)."""
    if message.carries is None or (message.carries is Carries.PERSONAL and not sent):
        return message
    chat_id = 0 if message.carries is Carries.FAREWELL else message.chat_id
    return replace(message, chat_id=chat_id, text=REDACTED, buttons=(), media=None)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; its lease tells when another may take it over
    SENT = "sent"
    FAILED = "failed"  # permanently: blocked, chat not found, bad request


@dataclass(frozen=True)
class OutboxItem:
    id: int
    message: OutboundMessage
    attempts: int
    created_at: datetime
    dedupe_key: str | None = None
    bulk: bool = False  # a broadcast copy, reminder or digest: after people's answers


@dataclass(frozen=True)
class OutboxDelivery:
    """What became of a queued message, looked up by its dedupe key: to edit it once sent."""

    dedupe_key: str
    chat_id: int
    status: OutboxStatus
    telegram_message_id: int | None  # set once sent (None for an edit, or before sending)


@dataclass(frozen=True)
class InboxItem:
    update_id: int
    payload: dict[str, object]
    received_at: datetime
