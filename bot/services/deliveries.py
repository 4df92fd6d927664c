"""Deliveries that need a person: staff see them, per person, and try again.

Two kinds, both of which Kyodo will not retry on its own:
- messages to a person that may not have arrived: a send whose answer never came (an ambiguous
  timeout, not resent by design: it may well have arrived) or one Telegram refused or Kyodo
  gave up on, from the last week (`FAILED_SENDS_WINDOW`). Chats that blocked Kyodo are left
  out: sending again cannot reach them, and the person is marked unreachable already;
- updates from a person that Kyodo could not handle after all its attempts (parked by the
  inbox worker, bot/runtime/inbox.py), kept as long as handled updates are.

`pending` is the one look at both; the desk's page, Telegram's `/queue` (through
`needing_a_person`) and the morning digest's lines (bot/services/reminders.py) all read it.
Looking is for staff only and audited (it shows names and what was written); sending again and
letting an update go again are audited too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.deliveries import FAILED_SENDS_WINDOW, FailedSend, ParkedUpdate, Problem
from bot.domain.errors import DomainError
from bot.domain.line_undelivered import is_quota_spent, line_month
from bot.domain.people import Actor, Person
from bot.ports.store import UnitOfWork
from bot.services import access

REFUSED = "deliveries.refused"
LIMIT = 500  # failed sends and parked updates looked at, each: far more than a co-op's week


@dataclass(frozen=True)
class PersonDeliveries:
    """One chat's messages that may not have arrived, oldest first."""

    chat_id: int
    person: Person | None  # None for a group chat, or someone Kyodo no longer knows
    sends: tuple[FailedSend, ...]

    @property
    def maybe_arrived(self) -> int:
        return sum(1 for s in self.sends if s.problem is Problem.MAYBE_ARRIVED)

    @property
    def not_sent(self) -> int:
        return sum(1 for s in self.sends if s.problem is Problem.NOT_SENT)

    @property
    def last_settled(self) -> datetime:
        return max(s.settled_at for s in self.sends)


@dataclass(frozen=True)
class UnhandledUpdate:
    update: ParkedUpdate
    person: Person | None  # None when the sender is not known to Kyodo (a stranger)


@dataclass(frozen=True)
class NeedsAPerson:
    people: tuple[PersonDeliveries, ...]  # the most recent failure first
    updates: tuple[UnhandledUpdate, ...]  # oldest first

    @property
    def empty(self) -> bool:
        return not self.people and not self.updates


async def _may_go_again(uow: UnitOfWork, now: datetime) -> list[FailedSend]:
    """The failed sends a "send again" may help. A notice LINE refused because this month's
    messages are spent would be refused again: it is listed on the LINE page instead (with the
    person's phone; bot/services/line_undelivered.py) and goes with the person's next message,
    or again here once LINE's month has turned."""
    month = line_month(now)
    return [
        send
        for send in await uow.outbox.failed_since(now - FAILED_SENDS_WINDOW, LIMIT)
        if not (is_quota_spent(send.error) and line_month(send.settled_at) == month)
    ]


async def pending(uow: UnitOfWork, now: datetime) -> NeedsAPerson:
    """What needs a person now, without access checks: for the digest and for the functions
    below, which check the actor first."""
    by_chat: dict[int, list[FailedSend]] = {}
    for send in await _may_go_again(uow, now):
        by_chat.setdefault(send.chat_id, []).append(send)
    people = [
        PersonDeliveries(chat_id, await _person(uow, chat_id), tuple(sends))
        for chat_id, sends in by_chat.items()
    ]
    people.sort(key=lambda p: (p.last_settled, p.chat_id), reverse=True)
    updates = [
        UnhandledUpdate(parked, await _person(uow, parked.sender_id))
        for parked in await uow.inbox.parked(LIMIT)
    ]
    return NeedsAPerson(tuple(people), tuple(updates))


async def needing_a_person(uow: UnitOfWork, actor: Actor, now: datetime) -> NeedsAPerson:
    """What needs a person (staff only); a look that shows anything is audited."""
    staff_id = await access.require_staff(uow, actor, now, refused=REFUSED, subject="deliveries")
    found = await pending(uow, now)
    if not found.empty:
        await uow.audit.add(
            now,
            staff_id,
            "deliveries.viewed",
            "deliveries",
            {"people": len(found.people), "updates": len(found.updates)},
        )
    return found


async def send_again(uow: UnitOfWork, actor: Actor, now: datetime, chat_id: int) -> int:
    """Queues again every listed message to this chat, in their order; returns how many.
    Errors: nothing_to_send (sent again already, or nothing failed)."""
    subject = f"chat:{chat_id}"
    staff_id = await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    ids = [s.outbox_id for s in await _may_go_again(uow, now) if s.chat_id == chat_id]
    count = await uow.outbox.send_again(ids, now)
    if not count:
        raise DomainError("nothing_to_send")
    await uow.audit.add(now, staff_id, "deliveries.sent_again", subject, {"outbox_ids": ids})
    return count


async def handle_again(uow: UnitOfWork, actor: Actor, now: datetime, update_id: int) -> None:
    """Lets a parked update go back to the inbox worker, which handles it within a second.
    Errors: not_parked (handled or let go already, or pruned)."""
    subject = f"update:{update_id}"
    staff_id = await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    if not await uow.inbox.unpark(update_id):
        raise DomainError("not_parked")
    await uow.audit.add(now, staff_id, "inbox.handled_again", subject)


async def _person(uow: UnitOfWork, telegram_id: int | None) -> Person | None:
    # In a private chat the chat id is the person's Telegram user id; group ids are negative.
    if telegram_id is None or telegram_id <= 0:
        return None
    return await uow.people.by_telegram_id(telegram_id)
