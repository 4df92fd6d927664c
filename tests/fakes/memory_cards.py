"""In-memory staff cards, with the SQL store's semantics (part of tests/fakes/memory_store)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.cards import CardCopy, CardKind, StaffCard
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


@dataclass(frozen=True)
class StaffCardRecord:
    card: StaffCard
    is_behind: bool = False


# What "waiting for staff" and "changed at" mean for each kind: (id, changed at) of waiting
# items, and the "changed at" of any item by id.
Waiting = Callable[["MemoryState"], Iterable[int]]
ChangedAt = Callable[["MemoryState", int], datetime | None]


def _hours_waiting(state: MemoryState) -> Iterable[int]:
    return (i for i, r in state.hour_reports.items() if r.status.value == "pending")


def _hours_changed(state: MemoryState, item_id: int) -> datetime | None:
    report = state.hour_reports.get(item_id)
    return None if report is None else report.updated_at


def _volunteers_waiting(state: MemoryState) -> Iterable[int]:
    return (i for i, a in state.volunteer_applications.items() if a.status.value == "pending")


def _volunteer_changed(state: MemoryState, item_id: int) -> datetime | None:
    application = state.volunteer_applications.get(item_id)
    return None if application is None else application.decided_at or application.created_at


def _requests_waiting(state: MemoryState) -> Iterable[int]:
    return (i for i, r in state.service_requests.items() if r.is_open)


def _request_changed(state: MemoryState, item_id: int) -> datetime | None:
    request = state.service_requests.get(item_id)
    if request is None:
        return None
    changes = [c.at for c in state.request_changes.values() if c.request_id == item_id]
    return max(changes) if changes else request.updated_at


_SOURCES: dict[CardKind, tuple[Waiting, ChangedAt]] = {
    CardKind.REQUEST: (_requests_waiting, _request_changed),
    CardKind.HOURS: (_hours_waiting, _hours_changed),
    CardKind.VOLUNTEER: (_volunteers_waiting, _volunteer_changed),
}


class MemoryStaffCardRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    def _record(self, card_id: int) -> StaffCardRecord | None:
        return next((r for r in self._s.staff_cards.values() if r.card.id == card_id), None)

    async def ensure(self, kind: CardKind, item_id: int, at: datetime) -> tuple[StaffCard, bool]:
        # Keyed by (kind, item id), as the SQL unique index: two units creating one card
        # conflict on commit instead of making two.
        found = self._s.staff_cards.get((kind.value, item_id))
        if found is not None:
            return found.card, False
        at = utc(at)
        card = StaffCard(self._ids.take("staff_cards"), kind, item_id, 1, True, at, at)
        self._s.staff_cards[(kind.value, item_id)] = StaffCardRecord(card)
        return card, True

    async def get(self, card_id: int) -> StaffCard | None:
        record = self._record(card_id)
        return None if record is None else record.card

    async def find(self, kind: CardKind, item_id: int) -> StaffCard | None:
        record = self._s.staff_cards.get((kind.value, item_id))
        return None if record is None else record.card

    async def bump(self, card_id: int, at: datetime, *, is_open: bool) -> int:
        record = self._record(card_id)
        if record is None:
            raise LookupError(f"no staff card {card_id}")
        card = replace(
            record.card, version=record.card.version + 1, is_open=is_open, updated_at=utc(at)
        )
        self._s.staff_cards[(card.kind.value, card.item_id)] = StaffCardRecord(card, True)
        return card.version

    async def copies(self, card_id: int) -> Sequence[CardCopy]:
        return sorted(
            (c for (cid, _), c in self._s.staff_card_copies.items() if cid == card_id),
            key=lambda c: c.chat_id,
        )

    async def put_copy(self, copy: CardCopy) -> None:
        if self._record(copy.card_id) is None:
            raise ValueError("no such card")  # the foreign key
        self._s.staff_card_copies[(copy.card_id, copy.chat_id)] = copy

    async def mark_shown(self, card_id: int, chat_id: int, version: int) -> None:
        copy = self._s.staff_card_copies.get((card_id, chat_id))
        if copy is not None:
            self._s.staff_card_copies[(card_id, chat_id)] = replace(copy, shown_version=version)

    async def settle(self, card_id: int) -> bool:
        record = self._record(card_id)
        if record is None:
            return True
        lagging = any(c.shown_version < record.card.version for c in await self.copies(card_id))
        if not lagging:
            key = (record.card.kind.value, record.card.item_id)
            self._s.staff_cards[key] = StaffCardRecord(record.card, False)
        return not lagging

    async def behind(self, limit: int) -> Sequence[StaffCard]:
        cards = [r.card for r in self._s.staff_cards.values() if r.is_behind]
        return sorted(cards, key=lambda c: (c.updated_at, c.id))[:limit]

    async def forget_chat(self, chat_id: int) -> int:
        gone = [key for key in self._s.staff_card_copies if key[1] == chat_id]
        for key in gone:
            del self._s.staff_card_copies[key]
        return len(gone)
