"""In-memory LINE users and webhook events, with the SQL store's semantics (part of
tests/fakes/memory_store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.channels import LINE_CHAT_BASE, LINE_UPDATE_SLOTS, line_chat_id, line_update_id
from bot.domain.outbound import OutboxStatus
from bot.ports.line import LineAddress, LineEvent, ReplyClaim
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


@dataclass(frozen=True)
class LineUserRecord:
    user_id: str
    forgotten: bool = False


@dataclass(frozen=True)
class LineEventRecord:
    update_id: int
    chat_id: int | None
    received_at: datetime
    reply_token: str | None
    reply_by: datetime | None
    reply_outbox_id: int | None = None
    reply_done: bool = False


class MemoryLineRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def chat_for(self, user_id: str) -> int:
        for number, record in self._s.line_users.items():
            if record.user_id == user_id:
                if record.forgotten:
                    self._s.line_users[number] = replace(record, forgotten=False)
                return line_chat_id(number)
        number = self._ids.take("line_users")
        self._s.line_users[number] = LineUserRecord(user_id)
        return line_chat_id(number)

    async def chats_for(self, user_ids: Sequence[str]) -> dict[str, int]:
        return {user: await self.chat_for(user) for user in dict.fromkeys(user_ids)}

    async def address(self, chat_id: int) -> LineAddress | None:
        record = self._s.line_users.get(chat_id - LINE_CHAT_BASE)
        return None if record is None else LineAddress(record.user_id, record.forgotten)

    async def record_events(self, events: Sequence[LineEvent], at: datetime) -> list[int]:
        at = utc(at)
        taken = {record.update_id for record in self._s.line_events.values()}
        for event in sorted(events, key=lambda e: e.timestamp_ms):
            if event.event_id in self._s.line_events:
                continue
            low = line_update_id(event.timestamp_ms, 0)
            high = line_update_id(event.timestamp_ms, LINE_UPDATE_SLOTS - 1)
            used = [uid for uid in taken if low <= uid <= high]
            candidate = max(used) + 1 if used else low
            while candidate in taken:
                candidate += 1
            taken.add(candidate)
            self._s.line_events[event.event_id] = LineEventRecord(
                candidate,
                event.chat_id,
                at,
                event.reply_token,
                utc(event.reply_by) if event.reply_token and event.reply_by else None,
            )
        return [self._s.line_events[e.event_id].update_id for e in events]

    async def claim_reply(self, chat_id: int, outbox_id: int, now: datetime) -> ReplyClaim | None:
        now = utc(now)
        for record in self._s.line_events.values():
            if record.reply_outbox_id == outbox_id:
                fresh = record.reply_token is not None and (record.reply_by or now) > now
                return ReplyClaim(
                    record.reply_token, again=True, fresh=fresh, delivered=record.reply_done
                )
        waiting = sorted(
            (
                (record.update_id, event_id, record)
                for event_id, record in self._s.line_events.items()
                if record.chat_id == chat_id
                and record.reply_token is not None
                and record.reply_outbox_id is None
                and record.reply_by is not None
                and record.reply_by > now
            ),
            key=lambda found: found[0],
        )
        if not waiting:
            return None
        _, event_id, record = waiting[0]
        self._s.line_events[event_id] = replace(record, reply_outbox_id=outbox_id)
        return ReplyClaim(record.reply_token, again=False, fresh=True)

    def _claimed_by(self, outbox_id: int) -> list[tuple[str, LineEventRecord]]:
        return [(k, r) for k, r in self._s.line_events.items() if r.reply_outbox_id == outbox_id]

    async def release_reply(self, outbox_id: int) -> None:
        for event_id, record in self._claimed_by(outbox_id):
            self._s.line_events[event_id] = replace(record, reply_outbox_id=None)

    async def spend_reply(self, outbox_id: int, *, delivered: bool) -> None:
        for event_id, record in self._claimed_by(outbox_id):
            spent = replace(record, reply_token=None, reply_by=None)
            if delivered:
                spent = replace(spent, reply_done=True)
            else:
                spent = replace(spent, reply_outbox_id=None)
            self._s.line_events[event_id] = spent

    async def forget(self, chat_id: int) -> None:
        for event_id in [k for k, r in self._s.line_events.items() if r.chat_id == chat_id]:
            del self._s.line_events[event_id]
        number = chat_id - LINE_CHAT_BASE
        record = self._s.line_users.get(number)
        if record is not None:
            self._s.line_users[number] = replace(record, forgotten=True)

    async def drop_forgotten(self, chat_id: int) -> bool:
        number = chat_id - LINE_CHAT_BASE
        record = self._s.line_users.get(number)
        if record is None or not record.forgotten:
            return False
        del self._s.line_users[number]
        return True

    async def prune(self, now: datetime, events_before: datetime) -> int:
        now, events_before = utc(now), utc(events_before)
        changed = 0
        for event_id, record in list(self._s.line_events.items()):
            if record.received_at < events_before:
                del self._s.line_events[event_id]
                changed += 1
            elif record.reply_token is not None and record.reply_by and record.reply_by <= now:
                self._s.line_events[event_id] = replace(record, reply_token=None, reply_by=None)
                changed += 1
        waiting = {OutboxStatus.PENDING, OutboxStatus.SENDING}
        busy = {r.message.chat_id for r in self._s.outbox.values() if r.status in waiting}
        for number, user in list(self._s.line_users.items()):
            if user.forgotten and line_chat_id(number) not in busy:
                del self._s.line_users[number]
                changed += 1
        return changed
