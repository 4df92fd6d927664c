"""Notices LINE would not carry this month (bot/domain/line_undelivered.py): staff see them, per
person, with the person's name and phone, to call them; or raise the plan.

Looking is for staff only and audited, as the deliveries page is (it shows names, phones and
what was written). Counting them is the staff alert's (bot/notices/line_quota.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from bot.domain.deliveries import FailedSend
from bot.domain.line_undelivered import (
    UNDELIVERED_WINDOW,
    is_quota_spent,
    line_month,
    line_month_start,
)
from bot.domain.outbound import REDACTED
from bot.domain.people import Actor, Person
from bot.ports.store import UnitOfWork
from bot.services import access

__all__ = ["UndeliveredTo", "count_this_month", "line_month", "undelivered"]

REFUSED = "deliveries.refused"
LIMIT = 2000  # failed sends looked at: a month of a plan's shortfall for a large co-op
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@dataclass(frozen=True)
class UndeliveredTo:
    """One LINE chat's undelivered notices, oldest first, and whom to call."""

    chat_id: int
    person: Person | None  # None: forgotten since, or no longer known
    phone: str | None  # the roster's, when the person came in through a members import
    notices: tuple[FailedSend, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        """What each notice says, as plain text (a credential's reads as redacted)."""
        return tuple(_plain(send.text) for send in self.notices)


def _plain(text: str) -> str:
    return unescape(_TAG.sub("", text)) if text != REDACTED else text


async def _spent(uow: UnitOfWork, since: datetime) -> list[FailedSend]:
    return [s for s in await uow.outbox.failed_since(since, LIMIT) if is_quota_spent(s.error)]


async def count_this_month(uow: UnitOfWork, now: datetime) -> int:
    """Notices undelivered since LINE's month began (Japan's time)."""
    return len(await _spent(uow, line_month_start(now)))


async def undelivered(uow: UnitOfWork, actor: Actor, now: datetime) -> tuple[UndeliveredTo, ...]:
    """Per chat, the most recent first (staff only; a look that shows any is audited)."""
    staff_id = await access.require_staff(
        uow, actor, now, refused=REFUSED, subject="line:undelivered"
    )
    by_chat: dict[int, list[FailedSend]] = {}
    for send in await _spent(uow, now - UNDELIVERED_WINDOW):
        by_chat.setdefault(send.chat_id, []).append(send)
    found: list[UndeliveredTo] = []
    for chat_id, sends in by_chat.items():
        person = await uow.people.of_chat(chat_id)
        entry = None if person is None else await uow.roster.get(person.id)
        phone = None if entry is None else entry.phone
        sends.sort(key=lambda s: s.outbox_id)
        found.append(UndeliveredTo(chat_id, person, phone, tuple(sends)))
    found.sort(key=lambda u: (u.notices[-1].settled_at, u.chat_id), reverse=True)
    if found:
        await uow.audit.add(
            now,
            staff_id,
            "line.undelivered.viewed",
            "line:undelivered",
            {"people": len(found), "notices": sum(len(u.notices) for u in found)},
        )
    return tuple(found)
