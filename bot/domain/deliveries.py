"""Deliveries that need a person: updates Kyodo could not handle, messages that may not have
arrived. Plain values; `bot/services/deliveries.py` shows them to staff and lets them try again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

# A send whose answer never came (the request may or may not have reached Telegram) is failed
# with exactly this error by the sender (bot/runtime/sender.py) and never resent on its own.
AMBIGUOUS_TIMEOUT = "ambiguous timeout"
# The sender's prefix for a 403: the person blocked Kyodo or left. Sending again cannot help
# (and the person is marked unreachable, with an audit row), so these are not listed.
UNREACHABLE_PREFIX = "unreachable:"

# How far back failed sends are listed: staff look each morning, a week covers holidays.
FAILED_SENDS_WINDOW = timedelta(days=7)


class Problem(StrEnum):
    """What became of a message that needs a person."""

    MAYBE_ARRIVED = "maybe_arrived"  # no answer from Telegram: it may well have arrived
    NOT_SENT = "not_sent"  # Telegram refused it, or Kyodo gave up after its retries


@dataclass(frozen=True)
class ParkedUpdate:
    """An update Kyodo tried `max_attempts` times and could not handle; it waits for staff."""

    update_id: int
    payload: Mapping[str, Any]  # the raw update, kept so that it can be handled again
    received_at: datetime
    parked_at: datetime
    reason: str  # the error's kind (a class name), never its text: that may quote the update

    @property
    def kind(self) -> str:
        """The update's one field besides its id: "message", "callback_query", ..."""
        return next((k for k in self.payload if k != "update_id"), "unknown")

    @property
    def sender_id(self) -> int | None:
        """The Telegram user id of whoever sent it, if the update says."""
        body = self.payload.get(self.kind)
        sender = body.get("from") if isinstance(body, Mapping) else None
        found = sender.get("id") if isinstance(sender, Mapping) else None
        return found if isinstance(found, int) and not isinstance(found, bool) else None


@dataclass(frozen=True)
class FailedSend:
    """An outbox row that settled as failed (other than an unreachable chat)."""

    outbox_id: int
    chat_id: int
    text: str
    is_edit: bool  # an edit of a message already there (a card, a progress line)
    created_at: datetime
    settled_at: datetime
    error: str

    @property
    def problem(self) -> Problem:
        return Problem.MAYBE_ARRIVED if self.error == AMBIGUOUS_TIMEOUT else Problem.NOT_SENT
