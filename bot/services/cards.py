"""Staff cards: which chats show a card, and which outbox rows bring every copy up to date.

The mechanism, whatever the item: a new item's card is sent to every target (the staff group,
or each staff member's private chat); a change bumps the card's version; then every copy that
shows an older version is brought up to date:

- its message was sent (the outbox row has a Telegram message id): the message is edited;
- its message never arrived (the row failed, or is gone): the card is sent afresh, and that new
  message is the one edited from then on;
- its first send is still queued or in flight (no message id yet): nothing now. The card stays
  "behind" and the card feed tries again once the id is known, so a copy never turns into two
  messages and the latest state is what ends up on screen.

Need-to-know: a card goes to the private chats of the staff whose scope covers its item's
centre (bot.services.access): whole-co-op staff (admins, coordinators) and the staff who belong
to that centre; an item of no centre (a request before triage, a volunteer application) to
whole-co-op staff only. A request handed to another centre reaches that centre's staff then
(`reach`). A staff group, when configured, gets every card: whoever is in that group sees them
all, so a co-op that keeps centres apart leaves `KYODO_STAFF_CHAT_ID` unset.

Nothing here renders text: it returns `CardSend`s, which the dialogs render per locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.cards import CardCopy, CardKind, StaffCard, edit_key, reopen_key, send_key
from bot.domain.outbound import OutboxStatus
from bot.domain.people import Actor
from bot.i18n import resolve_locale
from bot.ports.store import UnitOfWork
from bot.services import access, memberships

# What a card's action refused to anyone but staff is audited as (a button replayed by a
# resident or a member, say); the dialogs ask bot.services.access with it.
REFUSED = "triage.refused"


@dataclass(frozen=True)
class CardTarget:
    """A chat that gets a copy of every new card."""

    chat_id: int
    locale: str
    is_group: bool


@dataclass(frozen=True)
class CardSend:
    """One outbox row for the caller to render and queue: a copy sent fresh, or edited."""

    card: StaffCard
    chat_id: int
    locale: str
    is_group: bool
    dedupe_key: str
    edit_message_id: int | None  # None: a new message


# The staff whose scope covers a centre: bot.services.memberships (shift notices use it too).
staff_for = memberships.staff_for


async def targets(
    uow: UnitOfWork, staff_chat_id: int | None, default_locale: str, centre_id: int | None
) -> list[CardTarget]:
    """The staff group if one is configured; else the private chat of every reachable staff
    member whose scope covers `centre_id` (the item's centre; None: no centre yet)."""
    if staff_chat_id is not None:
        return [CardTarget(staff_chat_id, default_locale, True)]
    found: dict[int, CardTarget] = {}
    for person in await staff_for(uow, centre_id):
        if person.telegram_user_id is None or person.unreachable:
            continue
        locale = resolve_locale(person.locale, person.telegram_language, default_locale)
        found[person.telegram_user_id] = CardTarget(person.telegram_user_id, locale, False)
    return [found[chat] for chat in sorted(found)]


async def reach(
    uow: UnitOfWork, kind: CardKind, item_id: int, to: Sequence[CardTarget]
) -> list[CardSend]:
    """The item's card sent to the private chats in `to` that have no copy yet (staff of a
    centre the item was just handed to); nothing if the item has no card."""
    card = await uow.cards.find(kind, item_id)
    if card is None:
        return []
    have = {c.chat_id for c in await uow.cards.copies(card.id)}
    sends = []
    for target in to:
        if target.is_group or target.chat_id in have:
            continue
        key = send_key(card.id, target.chat_id, card.version)
        await uow.cards.put_copy(
            CardCopy(card.id, target.chat_id, target.locale, False, key, card.version)
        )
        sends.append(CardSend(card, target.chat_id, target.locale, False, key, None))
    return sends


async def open_card(
    uow: UnitOfWork,
    kind: CardKind,
    item_id: int,
    now: datetime,
    to: Sequence[CardTarget],
) -> list[CardSend]:
    """The item's card, sent to `to` if it is new; nothing if the item has a card already."""
    card, created = await uow.cards.ensure(kind, item_id, now)
    if not created:
        return []
    sends = []
    for target in to:
        key = send_key(card.id, target.chat_id, card.version)
        await uow.cards.put_copy(
            CardCopy(card.id, target.chat_id, target.locale, target.is_group, key, card.version)
        )
        sends.append(CardSend(card, target.chat_id, target.locale, target.is_group, key, None))
    return sends


async def reopen(
    uow: UnitOfWork, kind: CardKind, item_id: int, now: datetime, target: CardTarget
) -> CardSend:
    """The item's card sent again to one chat (from /queue). The new message becomes that
    chat's copy, the one kept up to date from then on."""
    card, _ = await uow.cards.ensure(kind, item_id, now)
    key = reopen_key(card.id, target.chat_id, now)
    await uow.cards.put_copy(
        CardCopy(card.id, target.chat_id, target.locale, target.is_group, key, card.version)
    )
    return CardSend(card, target.chat_id, target.locale, target.is_group, key, None)


async def item_centre(uow: UnitOfWork, kind: CardKind, item_id: int) -> int | None:
    """The centre an item belongs to now (None: none yet, or a volunteer application, which is
    the whole co-op's)."""
    if kind is CardKind.HOURS:
        report = await uow.hours.get(item_id)
        return None if report is None else report.centre_id
    if kind is CardKind.REQUEST:
        request = await uow.requests.get(item_id)
        return None if request is None else request.centre_id
    return None


async def require_in_scope(
    uow: UnitOfWork, actor: Actor, now: datetime, kind: CardKind, item_id: int
) -> None:
    """A card shown again (from /queue) only to staff whose scope covers its item's centre;
    anyone else is refused and audited (bot.services.access)."""
    subject = f"card:{kind}:{item_id}"
    await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    centre_id = await item_centre(uow, kind, item_id)
    await access.require_in_scope(uow, actor, now, centre_id, refused=REFUSED, subject=subject)


async def changed(
    uow: UnitOfWork, kind: CardKind, item_id: int, now: datetime, *, is_open: bool
) -> list[CardSend]:
    """The item changed: its card's copies are edited to match (nothing if it has no card)."""
    card = await uow.cards.find(kind, item_id)
    if card is None:
        return []
    await uow.cards.bump(card.id, now, is_open=is_open)
    bumped = await uow.cards.get(card.id)
    return [] if bumped is None else await catch_up(uow, bumped)


async def _staff_chats(uow: UnitOfWork, centre_id: int | None) -> set[int]:
    return {
        p.telegram_user_id
        for p in await staff_for(uow, centre_id)
        if p.telegram_user_id is not None and not p.unreachable
    }


async def catch_up(uow: UnitOfWork, card: StaffCard) -> list[CardSend]:
    """Outbox rows that bring each copy lagging behind `card.version` up to date (see above).

    A private copy of someone who is no longer staff, no longer reachable, or whose scope no
    longer covers the item's centre is left as it was: what happens to the item is its staff's
    business only.
    """
    lagging = [c for c in await uow.cards.copies(card.id) if c.shown_version < card.version]
    if any(not c.is_group for c in lagging):
        staff = await _staff_chats(uow, await item_centre(uow, card.kind, card.item_id))
        for copy in [c for c in lagging if not c.is_group and c.chat_id not in staff]:
            await uow.cards.mark_shown(card.id, copy.chat_id, card.version)
            lagging.remove(copy)
    delivered = await uow.outbox.deliveries([c.dedupe_key for c in lagging])
    sends: list[CardSend] = []
    for copy in lagging:
        delivery = delivered.get(copy.dedupe_key)
        if delivery is not None and delivery.status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            continue  # no message id yet: the card feed comes back to it
        if delivery is not None and delivery.telegram_message_id is not None:
            key = edit_key(card.id, copy.chat_id, card.version)
            await uow.cards.mark_shown(card.id, copy.chat_id, card.version)
            sends.append(_send(card, copy, key, delivery.telegram_message_id))
            continue
        # Failed, sent without an id, or gone: the copy starts again as a new message.
        key = send_key(card.id, copy.chat_id, card.version)
        await uow.cards.put_copy(replace(copy, dedupe_key=key, shown_version=card.version))
        sends.append(_send(card, copy, key, None))
    await uow.cards.settle(card.id)
    return sends


def _send(card: StaffCard, copy: CardCopy, key: str, message_id: int | None) -> CardSend:
    return CardSend(card, copy.chat_id, copy.locale, copy.is_group, key, message_id)


async def copy_in(uow: UnitOfWork, kind: CardKind, item_id: int, chat_id: int) -> CardCopy | None:
    """The copy of the item's card shown in `chat_id`, if any."""
    card = await uow.cards.find(kind, item_id)
    if card is None:
        return None
    return next((c for c in await uow.cards.copies(card.id) if c.chat_id == chat_id), None)
