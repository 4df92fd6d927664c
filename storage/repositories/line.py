"""LINE's users and webhook events in SQL (bot/ports/line.py says what each is for).

Inserts use ON CONFLICT DO NOTHING and look again, never a caught IntegrityError: two webhook
requests (or two replicas) may record the same event or the same new person at once, and a
failed statement would abort a PostgreSQL transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.channels import LINE_CHAT_BASE, LINE_UPDATE_SLOTS, line_chat_id, line_update_id
from bot.domain.outbound import OutboxStatus
from bot.ports.line import LineAddress, LineEvent, ReplyClaim
from storage.models import LineEventRow, LineUserRow, OutboxRow
from storage.repositories._sql import rowcount, upsert_insert


class SqlLineRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def chat_for(self, user_id: str) -> int:
        while True:
            row = (
                await self._session.execute(
                    select(LineUserRow.id, LineUserRow.forgotten).where(
                        LineUserRow.user_id == user_id
                    )
                )
            ).first()
            if row is not None:
                if row.forgotten:
                    await self._session.execute(
                        update(LineUserRow).where(LineUserRow.id == row.id).values(forgotten=False)
                    )
                return line_chat_id(row.id)
            stmt = (
                upsert_insert(self._session, LineUserRow)
                .values(user_id=user_id, forgotten=False)
                .on_conflict_do_nothing()
                .returning(LineUserRow.id)
            )
            number = (await self._session.execute(stmt)).scalar_one_or_none()
            if number is not None:
                return line_chat_id(number)
            # Added by another request meanwhile: read it.

    async def address(self, chat_id: int) -> LineAddress | None:
        number = chat_id - LINE_CHAT_BASE
        if number < 1:
            return None
        row = (
            await self._session.execute(
                select(LineUserRow.user_id, LineUserRow.forgotten).where(LineUserRow.id == number)
            )
        ).first()
        return None if row is None else LineAddress(row.user_id, row.forgotten)

    async def record_events(self, events: Sequence[LineEvent], at: datetime) -> list[int]:
        if not events:
            return []
        given = list(dict.fromkeys(e.event_id for e in events))
        known: dict[str, int] = {
            row.event_id: row.update_id
            for row in await self._session.execute(
                select(LineEventRow.event_id, LineEventRow.update_id).where(
                    LineEventRow.event_id.in_(given)
                )
            )
        }
        # New events in the order they were sent: events of one millisecond take its ids in turn.
        for event in sorted(events, key=lambda e: e.timestamp_ms):
            if event.event_id not in known:
                known[event.event_id] = await self._insert(event, at)
        return [known[e.event_id] for e in events]

    async def _insert(self, event: LineEvent, at: datetime) -> int:
        low = line_update_id(event.timestamp_ms, 0)
        high = line_update_id(event.timestamp_ms, LINE_UPDATE_SLOTS - 1)
        top = (
            await self._session.execute(
                select(func.max(LineEventRow.update_id)).where(
                    LineEventRow.update_id.between(low, high)
                )
            )
        ).scalar_one_or_none()
        # After the millisecond's last id; past its range if it is full (the next ones follow).
        candidate = low if top is None else int(top) + 1
        while True:
            stmt = (
                upsert_insert(self._session, LineEventRow)
                .values(
                    event_id=event.event_id,
                    update_id=candidate,
                    chat_id=event.chat_id,
                    received_at=at,
                    reply_token=event.reply_token,
                    reply_by=event.reply_by if event.reply_token else None,
                )
                .on_conflict_do_nothing()
                .returning(LineEventRow.update_id)
            )
            inserted = (await self._session.execute(stmt)).scalar_one_or_none()
            if inserted is not None:
                return int(inserted)
            # Either the same event, recorded by another request meanwhile, or another event
            # that took this id: the first keeps its id, the second takes the next.
            same = (
                await self._session.execute(
                    select(LineEventRow.update_id).where(LineEventRow.event_id == event.event_id)
                )
            ).scalar_one_or_none()
            if same is not None:
                return int(same)
            candidate += 1

    async def claim_reply(self, chat_id: int, outbox_id: int, now: datetime) -> ReplyClaim | None:
        own = (
            await self._session.execute(
                select(
                    LineEventRow.reply_token, LineEventRow.reply_by, LineEventRow.reply_done
                ).where(LineEventRow.reply_outbox_id == outbox_id)
            )
        ).first()
        if own is not None:
            fresh = own.reply_token is not None and own.reply_by is not None and own.reply_by > now
            return ReplyClaim(own.reply_token, again=True, fresh=fresh, delivered=own.reply_done)
        while True:
            candidate = (
                await self._session.execute(
                    select(LineEventRow.event_id, LineEventRow.reply_token)
                    .where(
                        LineEventRow.chat_id == chat_id,
                        LineEventRow.reply_token.is_not(None),
                        LineEventRow.reply_outbox_id.is_(None),
                        LineEventRow.reply_by > now,
                    )
                    .order_by(LineEventRow.update_id)
                    .limit(1)
                )
            ).first()
            if candidate is None:
                return None
            taken = await self._session.execute(
                update(LineEventRow)
                .where(
                    LineEventRow.event_id == candidate.event_id,
                    LineEventRow.reply_outbox_id.is_(None),
                )
                .values(reply_outbox_id=outbox_id)
            )
            if rowcount(taken) == 1:
                return ReplyClaim(candidate.reply_token, again=False, fresh=True)
            # Another sender took it meanwhile: the next one, if any.

    async def release_reply(self, outbox_id: int) -> None:
        await self._session.execute(
            update(LineEventRow)
            .where(LineEventRow.reply_outbox_id == outbox_id)
            .values(reply_outbox_id=None)
        )

    async def spend_reply(self, outbox_id: int, *, delivered: bool) -> None:
        claim = {"reply_done": True} if delivered else {"reply_outbox_id": None}
        await self._session.execute(
            update(LineEventRow)
            .where(LineEventRow.reply_outbox_id == outbox_id)
            .values(reply_token=None, reply_by=None, **claim)
        )

    async def forget(self, chat_id: int) -> None:
        await self._session.execute(delete(LineEventRow).where(LineEventRow.chat_id == chat_id))
        await self._session.execute(
            update(LineUserRow)
            .where(LineUserRow.id == chat_id - LINE_CHAT_BASE)
            .values(forgotten=True)
        )

    async def drop_forgotten(self, chat_id: int) -> bool:
        result = await self._session.execute(
            delete(LineUserRow).where(
                LineUserRow.id == chat_id - LINE_CHAT_BASE, LineUserRow.forgotten.is_(True)
            )
        )
        return rowcount(result) == 1

    async def prune(self, now: datetime, events_before: datetime) -> int:
        old = await self._session.execute(
            delete(LineEventRow).where(LineEventRow.received_at < events_before)
        )
        expired = await self._session.execute(
            update(LineEventRow)
            .where(LineEventRow.reply_token.is_not(None), LineEventRow.reply_by <= now)
            .values(reply_token=None, reply_by=None)
        )
        on_its_way = exists().where(
            OutboxRow.chat_id == LineUserRow.id + LINE_CHAT_BASE,
            OutboxRow.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
        )
        forgotten = await self._session.execute(
            delete(LineUserRow).where(and_(LineUserRow.forgotten.is_(True), ~on_its_way))
        )
        return rowcount(expired) + rowcount(old) + rowcount(forgotten)
