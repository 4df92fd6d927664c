"""`Consequences`: the publisher the composition root gives every unit of work.

One handler per event type, looked up, never chained; an event without a handler is a
programming error caught at the first commit that records it (and by a test that checks every
event type is covered).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.engine import DialogSettings
from bot.domain import events as ev
from bot.notices import assemblies as assembly_notices
from bot.notices import broadcasts as broadcast_notices
from bot.notices import conversations as conversation_notices
from bot.notices import hours, line_quota, links, members, volunteers
from bot.notices import reminders as reminder_notices
from bot.notices import requests as service_requests
from bot.notices import shifts as shift_notices
from bot.notices import undo as undo_notices
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.rendering import Renderer


def _merge(*features: Mapping[type[ev.Event], Handler]) -> Mapping[type[ev.Event], Handler]:
    merged: dict[type[ev.Event], Handler] = {}
    for handlers in features:
        for event_type, handler in handlers.items():
            if event_type in merged:
                raise ValueError(f"two handlers for {event_type.__name__}: one per event")
            merged[event_type] = handler
    return merged


# One module per feature; each says which of its functions handles which event.
HANDLERS = _merge(
    hours.HANDLERS,
    broadcast_notices.HANDLERS,
    shift_notices.HANDLERS,
    service_requests.HANDLERS,
    volunteers.HANDLERS,
    assembly_notices.HANDLERS,
    reminder_notices.HANDLERS,
    undo_notices.HANDLERS,
    conversation_notices.HANDLERS,
    members.HANDLERS,
    links.HANDLERS,
    line_quota.HANDLERS,
)


class Consequences:
    """Implements `bot.ports.events.Publisher`."""

    def __init__(self, renderer: Renderer, settings: DialogSettings) -> None:
        self.context = NoticeContext(renderer, settings)

    async def __call__(self, uow: UnitOfWork, event: ev.Event) -> None:
        handler = HANDLERS.get(type(event))
        if handler is None:
            raise LookupError(f"no consequence handler for {type(event).__name__}")
        if not event.bulk:
            await handler(self.context, uow, event)
            return
        # Reminders, digests, notices to many: after people's answers (bot/runtime/sender.py).
        with uow.outbox.as_bulk():
            await handler(self.context, uow, event)
