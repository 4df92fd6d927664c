"""Every domain event has exactly one consequence handler, and a store without handlers refuses
to commit an event rather than drop it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import events as ev
from bot.notices.bus import HANDLERS
from bot.ports.events import EventsNotWired
from tests.fakes.memory_store import MemoryStore


def _all_events(base: type[ev.Event]) -> set[type[ev.Event]]:
    found: set[type[ev.Event]] = set()
    for sub in base.__subclasses__():
        found |= {sub, *_all_events(sub)}
    return found


def test_every_event_type_has_its_handler() -> None:
    missing = sorted(e.__name__ for e in _all_events(ev.Event) if e not in HANDLERS)
    assert missing == []


async def test_a_store_without_consequences_refuses_to_commit_an_event() -> None:
    store = MemoryStore()
    async with store.uow() as uow:
        uow.record(ev.HoursDecided(at=datetime(2026, 12, 1, tzinfo=UTC), report_id=1))
        with pytest.raises(EventsNotWired):
            await uow.commit()
    assert store.commits == 0
