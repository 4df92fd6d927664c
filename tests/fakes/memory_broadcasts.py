"""The memory store's broadcasts, deliveries and opt-outs, with the SQL store's semantics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.broadcasts import (
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Draft,
    Recipient,
    Unreached,
    receives_by_default,
)
from bot.domain.outbound import OutboundMessage, OutboxStatus
from bot.domain.people import Person, Role
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


class MemoryBroadcastRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(
        self,
        draft: Draft,
        *,
        status: BroadcastStatus,
        created_by: int | None,
        created_at: datetime,
        send_at: datetime,
        coordinator_chat_id: int | None,
        coordinator_locale: str,
    ) -> Broadcast:
        stored = Broadcast(
            id=self._ids.take("broadcasts"),
            draft=draft,
            status=status,
            created_by=created_by,
            created_at=utc(created_at),
            send_at=utc(send_at),
            coordinator_chat_id=coordinator_chat_id,
            coordinator_locale=coordinator_locale,
        )
        self._s.broadcasts[stored.id] = stored
        return stored

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return self._s.broadcasts.get(broadcast_id)

    async def save(self, broadcast: Broadcast, *, was: BroadcastStatus, was_cursor: int) -> bool:
        stored = self._s.broadcasts.get(broadcast.id)
        if stored is None or stored.status is not was or stored.cursor != was_cursor:
            return False
        if stored.asking is not broadcast.asking:
            return False
        self._s.broadcasts[broadcast.id] = replace(
            broadcast, draft=stored.draft, created_at=stored.created_at, send_at=stored.send_at
        )
        return True

    async def set_asking(self, broadcast_id: int, asking: bool) -> None:
        stored = self._s.broadcasts.get(broadcast_id)
        if stored is not None:
            self._s.broadcasts[broadcast_id] = replace(stored, asking=asking)

    async def in_progress(self, limit: int) -> Sequence[Broadcast]:
        found = [
            b
            for b in self._s.broadcasts.values()
            if b.status is BroadcastStatus.RUNNING
            or (b.status is BroadcastStatus.CANCELLED and b.finished_at is None)
        ]
        return sorted(found, key=lambda b: (b.send_at, b.id))[:limit]

    async def with_status(
        self, statuses: frozenset[BroadcastStatus], limit: int
    ) -> Sequence[Broadcast]:
        found = [b for b in self._s.broadcasts.values() if b.status in statuses]
        return sorted(found, key=lambda b: (b.send_at, b.id))[:limit]

    async def due(self, now: datetime, limit: int) -> Sequence[Broadcast]:
        now = utc(now)
        found = [
            b
            for b in self._s.broadcasts.values()
            if b.status is BroadcastStatus.SCHEDULED and b.send_at <= now
        ]
        return sorted(found, key=lambda b: (b.send_at, b.id))[:limit]

    def _in_audience(self, person: Person, audience: Audience) -> bool:
        kind = audience.kind
        if kind is AudienceKind.MEMBERS:
            return Role.MEMBER in person.roles
        if kind is AudienceKind.VOLUNTEERS:
            return Role.VOLUNTEER in person.roles
        if kind is AudienceKind.CENTRE:
            return (person.id, audience.centre_id) in self._s.memberships
        if kind is AudienceKind.NO_ANSWER:
            return (
                Role.MEMBER in person.roles
                and (audience.assembly_id, person.id) not in self._s.assembly_answers
            )
        return False  # OPTED_IN is decided by the preferences alone

    def _wanted(self, person: Person, audience: Audience, kind: BroadcastKind) -> bool | None:
        """True: gets it; False: in the audience, but their settings show `kind` off; None: not
        in the audience (or no Telegram account)."""
        if person.telegram_user_id is None:
            return None
        pref = self._s.broadcast_prefs.get((person.id, kind.value))
        wants = pref if pref is not None else receives_by_default(kind)
        if audience.kind is AudienceKind.OPTED_IN:
            return True if wants else None
        if not self._in_audience(person, audience):
            return None
        return wants

    async def recipients(
        self, audience: Audience, kind: BroadcastKind, after: int, limit: int
    ) -> Sequence[Recipient]:
        found: list[Recipient] = []
        for person_id in sorted(p for p in self._s.people if p > after):
            person = self._s.people[person_id]
            if person.telegram_user_id is None or not self._wanted(person, audience, kind):
                continue
            found.append(
                Recipient(
                    person.id, person.telegram_user_id, person.locale, person.telegram_language
                )
            )
            if len(found) >= limit:
                break
        return found

    async def count_audience(
        self, audience: Audience, kind: BroadcastKind, after: int = 0
    ) -> tuple[int, int]:
        wanted = [self._wanted(p, audience, kind) for p in self._s.people.values() if p.id > after]
        return sum(1 for w in wanted if w is True), sum(1 for w in wanted if w is False)

    async def queue(
        self,
        broadcast_id: int,
        messages: Sequence[tuple[int, OutboundMessage]],
        at: datetime,
        line_batches: Mapping[int, str] | None = None,
    ) -> int:
        from tests.fakes.memory_store import MemoryOutboxRepository

        if broadcast_id not in self._s.broadcasts:
            raise ValueError(f"no broadcast {broadcast_id}")  # SQL: foreign key
        outbox = MemoryOutboxRepository(self._s, self._ids)
        new = 0
        for person_id, message in messages:
            key = f"bc:{broadcast_id}:{person_id}"
            outbox_id = await outbox.add(message, at, dedupe_key=key, bulk=True)
            if outbox_id is not None:
                self._s.outbox[outbox_id].line_batch = (line_batches or {}).get(person_id)
                self._s.broadcast_deliveries[(broadcast_id, person_id)] = outbox_id
                new += 1
        return new

    def _rows(self, broadcast_id: int) -> list[tuple[int, int]]:
        """(person id, outbox id) of the broadcast's rows still in the outbox."""
        return [
            (person_id, outbox_id)
            for (bid, person_id), outbox_id in self._s.broadcast_deliveries.items()
            if bid == broadcast_id and outbox_id in self._s.outbox
        ]

    async def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        counts = {status.value: 0 for status in OutboxStatus}
        for _, outbox_id in self._rows(broadcast_id):
            counts[self._s.outbox[outbox_id].status.value] += 1
        return counts

    async def unsent(self, broadcast_id: int) -> int:
        counts = await self.delivery_counts(broadcast_id)
        return counts["pending"] + counts["sending"]

    async def hold(self, broadcast_id: int, until: datetime) -> int:
        held = 0
        for _, outbox_id in self._rows(broadcast_id):
            record = self._s.outbox[outbox_id]
            if record.status is OutboxStatus.PENDING:
                self._s.outbox[outbox_id] = replace(record, not_before=utc(until))
                held += 1
        return held

    async def drop_pending(self, broadcast_id: int) -> int:
        dropped = 0
        for person_id, outbox_id in self._rows(broadcast_id):
            if self._s.outbox[outbox_id].status is OutboxStatus.PENDING:
                del self._s.outbox[outbox_id]
                del self._s.broadcast_deliveries[(broadcast_id, person_id)]
                dropped += 1
        return dropped

    async def unreached(self, broadcast_id: int, limit: int) -> Sequence[Unreached]:
        found: list[Unreached] = []
        for person_id, outbox_id in sorted(self._rows(broadcast_id)):
            record = self._s.outbox[outbox_id]
            if record.status is not OutboxStatus.FAILED:
                continue
            person = self._s.people.get(person_id)
            name = person.display_name if person else f"#{person_id}"
            blocked = (record.last_error or "").startswith("unreachable")
            found.append(Unreached(person_id, name, "blocked" if blocked else "failed"))
            if len(found) >= limit:
                break
        return found

    async def message_id(self, outbox_id: int) -> int | None:
        record = self._s.outbox.get(outbox_id)
        return None if record is None else record.telegram_message_id

    async def opted_out(self, person_id: int) -> frozenset[BroadcastKind]:
        return frozenset(
            BroadcastKind(kind)
            for (pid, kind), receive in self._s.broadcast_prefs.items()
            if pid == person_id and not receive
        )

    async def opted_in(self, person_id: int) -> frozenset[BroadcastKind]:
        return frozenset(
            BroadcastKind(kind)
            for (pid, kind), receive in self._s.broadcast_prefs.items()
            if pid == person_id and receive
        )

    async def set_preference(
        self, person_id: int, kind: BroadcastKind, receive: bool, at: datetime
    ) -> None:
        if person_id not in self._s.people:
            raise ValueError(f"no person {person_id}")
        self._s.broadcast_prefs[(person_id, BroadcastKind(kind).value)] = receive
