"""Consequences of an undo: the notices the undone action held are withdrawn, so nobody is told.

The action's own notices were queued under `held_key(kind, subject)` with a not-before time past
the undo window (`bot.domain.undo`); the undo arrives within the window, so they are all still
pending here, and deleting them means none of them is ever sent.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.events import ActionUndone, Event
from bot.domain.undo import held_key
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork


async def undone(ctx: NoticeContext, uow: UnitOfWork, event: ActionUndone) -> None:
    await uow.outbox.withdraw(held_key(event.kind, event.subject))


HANDLERS: Mapping[type[Event], Handler] = {ActionUndone: undone}
