"""Staff cards: one message per waiting item in the staff chat, edited in place as the item moves.

A card stands for one item (a service request, a volunteer application, an hour report). It has
a version that grows with every change; each copy of it (the staff group, or one staff member's
private chat) remembers which version it shows and which outbox row put it on screen, so that the
Telegram message can be found and edited once that row has been sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CardKind(StrEnum):
    REQUEST = "request"
    VOLUNTEER = "volunteer"
    HOURS = "hours"


@dataclass(frozen=True)
class StaffCard:
    id: int
    kind: CardKind
    item_id: int
    version: int
    is_open: bool  # the item still waits for staff
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CardCopy:
    """Where one copy of a card is shown, and what it shows.

    `dedupe_key` names the outbox row that put the copy on screen (its first send, or a resend
    after that one failed): the message to edit is the one that row was delivered as.
    """

    card_id: int
    chat_id: int
    locale: str
    is_group: bool
    dedupe_key: str
    shown_version: int


def send_key(card_id: int, chat_id: int, version: int) -> str:
    """The outbox dedupe key of a fresh send of a card's copy: queued once, however asked."""
    return f"card:{card_id}:{chat_id}:{version}"


def edit_key(card_id: int, chat_id: int, version: int) -> str:
    """The outbox dedupe key of the edit that brings a copy to `version`."""
    return f"card:{card_id}:{chat_id}:{version}:edit"
