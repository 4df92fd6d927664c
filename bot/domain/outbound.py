"""A rendered message on its way out: what the outbox stores and the sender delivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

ButtonRows = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback_data)


@dataclass(frozen=True)
class OutboundMessage:
    """Text is final, in the recipient's language; HTML with everything a person typed escaped."""

    chat_id: int
    text: str
    buttons: ButtonRows = ()
    edit_message_id: int | None = None
    parse_mode: str | None = "HTML"
    is_group: bool = False  # groups get 20 messages a minute, private chats one a second


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
