"""Staff cards: one message per waiting item in the staff chat, edited in place as the item moves.

A card stands for one item (a service request, a volunteer application, an hour report). It has
a version that grows with every change; each copy of it (the staff group, or one staff member's
private chat) remembers which version it shows and which outbox row put it on screen, so that the
Telegram message can be found and edited once that row has been sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.errors import InvalidInput


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


def reopen_key(card_id: int, chat_id: int, at: datetime) -> str:
    """The outbox dedupe key of a card sent again to a chat on request (from /queue)."""
    return f"card:{card_id}:{chat_id}:open:{at.timestamp():.6f}"


def edit_key(card_id: int, chat_id: int, version: int) -> str:
    """The outbox dedupe key of the edit that brings a copy to `version`."""
    return f"card:{card_id}:{chat_id}:{version}:edit"


# --- A date and time typed by staff (accept: when the centre calls; schedule: when it is) -----

_WHEN_PATTERNS = (
    # 2026-11-25 14:30, 2026/11/25 14:30
    re.compile(
        r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\s*(?P<h>\d{1,2}):(?P<min>\d{2})$"
    ),
    # 11/25 14:30
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})\s+(?P<h>\d{1,2}):(?P<min>\d{2})$"),
    # 11月25日 14時30分, 11月25日14時, 11月25日 14:30
    re.compile(
        r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:\([^)]*\))?\s*"
        r"(?P<h>\d{1,2})(?:時(?:(?P<min>\d{1,2})分|半(?P<half>))?|:(?P<min2>\d{2}))$"
    ),
)
WHEN_TEXT_LIMIT = 40
WHEN_AHEAD_DAYS = 366


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime:
    """A typed date and time (NFKC-normalised first) in the co-op's zone, in the future.

    Without a year, the next such day (11/25 typed in December is next year's; today's date
    stays today, so an hour already gone is refused rather than moved a year on). Raises
    `InvalidInput("when_format")` for anything else, `when_impossible` for 2/30 or 25:00,
    `when_past` for a time already gone, `when_far` for more than a year ahead.
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    if len(folded) > WHEN_TEXT_LIMIT:
        raise InvalidInput("when_format")
    found = next((m for p in _WHEN_PATTERNS if (m := p.match(folded))), None)
    if found is None:
        raise InvalidInput("when_format")
    parts = found.groupdict()
    minute_text = parts.get("min") or parts.get("min2")
    minute = 30 if parts.get("half") is not None else int(minute_text or 0)
    local_now = now.astimezone(tz)
    year = int(parts["y"]) if parts.get("y") else local_now.year
    try:
        when = datetime(year, int(parts["m"]), int(parts["d"]), int(parts["h"]), minute, tzinfo=tz)
    except ValueError:
        raise InvalidInput("when_impossible") from None
    if not parts.get("y") and when.date() < local_now.date():
        try:
            when = when.replace(year=year + 1)
        except ValueError:  # 2/29 of a leap year, asked for in the next one
            raise InvalidInput("when_impossible") from None
    if when <= local_now:
        raise InvalidInput("when_past")
    if when - local_now > timedelta(days=WHEN_AHEAD_DAYS):
        raise InvalidInput("when_far")
    return when
