"""The port through which a unit of work hands its recorded events to their consequences."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.domain.events import Event

if TYPE_CHECKING:
    from bot.ports.store import UnitOfWork

Publisher = Callable[["UnitOfWork", Event], Awaitable[None]]
"""Runs the consequences of one event inside the unit of work that recorded it (before commit)."""


class EventsNotWired(RuntimeError):
    """A use case recorded an event on a store that has no publisher: nobody would be told."""


class EventLog:
    """The events one unit of work recorded, handed to the publisher in order at commit.

    A consequence may record events of its own (a decision edits a card, which records nothing
    further today, but nothing forbids it); they are handled in the same pass. Both units of
    work (SQL and the tests' in-memory one) hold one of these, so the rule lives in one place.
    """

    MAX_PER_COMMIT = 10_000  # a handler that records an event for every event it handles

    def __init__(self, publish: Publisher | None) -> None:
        self._publish = publish
        self._pending: list[Event] = []

    def record(self, event: Event) -> None:
        self._pending.append(event)

    async def publish(self, uow: UnitOfWork) -> None:
        handled = 0
        while self._pending:
            event = self._pending.pop(0)
            if self._publish is None:
                self._pending.clear()
                raise EventsNotWired(type(event).__name__)
            await self._publish(uow, event)
            handled += 1
            if handled > self.MAX_PER_COMMIT:
                raise RuntimeError("consequences keep recording events: a loop between handlers")

    def clear(self) -> None:
        self._pending.clear()
