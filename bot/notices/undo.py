"""Consequences of an undo: the notices the undone action held are withdrawn, so nobody is told.

The action's own notices were queued under `held_key(kind, subject)` with a not-before time past
the undo window (`bot.domain.undo`); the undo arrives within the window, so they are all still
pending here, and deleting them means none of them is ever sent. A staff card that shows the
undone action's subject is brought up to date.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.cards import CardKind
from bot.domain.events import ActionUndone, Event
from bot.domain.undo import UndoKind, held_key
from bot.notices.cards import item_changed
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork

# The actions whose subject is on a staff card: the card's copies show it undone.
_CARDS = {
    UndoKind.REQUEST_ACCEPT: CardKind.REQUEST,
    UndoKind.REQUEST_DONE: CardKind.REQUEST,
    UndoKind.REQUEST_DECLINE: CardKind.REQUEST,
    UndoKind.HOURS_DECISION: CardKind.HOURS,
    UndoKind.VOLUNTEER_DECISION: CardKind.VOLUNTEER,
}


async def undone(ctx: NoticeContext, uow: UnitOfWork, event: ActionUndone) -> None:
    await uow.outbox.withdraw(held_key(event.kind, event.subject, event.person_id))
    card = _CARDS.get(event.kind)
    if card is not None:
        await item_changed(ctx, uow, card, event.subject, event.at)


HANDLERS: Mapping[type[Event], Handler] = {ActionUndone: undone}
