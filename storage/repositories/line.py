"""LINE's users and webhook events in SQL (bot/ports/line.py says what each is for).

Inserts use ON CONFLICT DO NOTHING and look again, never a caught IntegrityError: two webhook
requests (or two replicas) may record the same event or the same new person at once, and a
failed statement would abort a PostgreSQL transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from bot.domain.channels import LINE_CHAT_BASE, LINE_UPDATE_SLOTS, line_chat_id, line_update_id
from bot.domain.outbound import OutboxStatus
from bot.ports.line import LineAddress, LineEvent, ReplyClaim
from storage.models import LineEventRow, LineUserRow, OutboxRow
from storage.repositories._sql import rowcount, upsert_insert

# Built once: an alias is costly to make for each statement.
_TAKEN = aliased(LineEventRow, name="taken")
_OWN_CLAIM = aliased(LineEventRow, name="own_claim")
_OLDEST = aliased(LineEventRow, name="oldest")


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

    async def chats_for(self, user_ids: Sequence[str]) -> dict[str, int]:
        # One SELECT for all of them, and one INSERT for those never seen (a webhook brings
        # events of several people): not two statements a person.
        wanted = list(dict.fromkeys(user_ids))
        chats: dict[str, int] = {}
        while missing := [u for u in wanted if u not in chats]:
            rows = (
                await self._session.execute(
                    select(LineUserRow.id, LineUserRow.user_id, LineUserRow.forgotten).where(
                        LineUserRow.user_id.in_(missing)
                    )
                )
            ).all()
            back = [row.id for row in rows if row.forgotten]
            if back:
                await self._session.execute(
                    update(LineUserRow).where(LineUserRow.id.in_(back)).values(forgotten=False)
                )
            chats.update((row.user_id, line_chat_id(row.id)) for row in rows)
            new = [u for u in missing if u not in chats]
            if not new:
                break
            stmt = (
                upsert_insert(self._session, LineUserRow)
                .values([{"user_id": u, "forgotten": False} for u in new])
                .on_conflict_do_nothing()
                .returning(LineUserRow.id, LineUserRow.user_id)
            )
            for row in await self._session.execute(stmt):
                chats[row.user_id] = line_chat_id(row.id)
            # Any added by another request meanwhile are read on the next turn.
        return {user: chats[user] for user in wanted}

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
        # One INSERT for each event, in the order they were sent (events of one millisecond take
        # its ids in turn); only an event already recorded (a redelivery) is looked up.
        known: dict[str, int] = {}
        for event in sorted(events, key=lambda e: e.timestamp_ms):
            if event.event_id not in known:
                known[event.event_id] = await self._insert(event, at)
        return [known[e.event_id] for e in events]

    async def _insert(self, event: LineEvent, at: datetime) -> int:
        low = line_update_id(event.timestamp_ms, 0)
        high = line_update_id(event.timestamp_ms, LINE_UPDATE_SLOTS - 1)
        # After the millisecond's last id, found by the INSERT itself (one statement, not a
        # SELECT max and an INSERT); past its range if it is full (the next ones follow).
        taken = _TAKEN
        after_top = func.coalesce(
            select(func.max(taken.update_id) + 1)
            .where(taken.update_id.between(low, high))
            .scalar_subquery(),
            low,
        )
        candidate: Any = after_top
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
            # Either the same event, recorded before (a redelivery) or by another request
            # meanwhile, or another event that took this id: the first keeps its id, the second
            # takes the next one free.
            same = (
                await self._session.execute(
                    select(LineEventRow.update_id).where(LineEventRow.event_id == event.event_id)
                )
            ).scalar_one_or_none()
            if same is not None:
                return int(same)
            if isinstance(candidate, int):
                candidate += 1
            else:  # which id the INSERT tried is not returned: read it, then count on
                top = (await self._session.execute(select(after_top))).scalar_one()
                candidate = int(top)

    async def claim_reply(self, chat_id: int, outbox_id: int, now: datetime) -> ReplyClaim | None:
        # The usual case, a first try with a token there, is one UPDATE: the chat's oldest
        # unclaimed token, taken unless the row holds a claim already. Otherwise one SELECT
        # tells the row's own claim (listed first) from a token another sender took meanwhile.
        own_claim, oldest = _OWN_CLAIM, _OLDEST
        unclaimed = (
            LineEventRow.chat_id == chat_id,
            LineEventRow.reply_token.is_not(None),
            LineEventRow.reply_outbox_id.is_(None),
            LineEventRow.reply_by > now,
        )
        first = (
            select(oldest.event_id)
            .where(
                oldest.chat_id == chat_id,
                oldest.reply_token.is_not(None),
                oldest.reply_outbox_id.is_(None),
                oldest.reply_by > now,
            )
            .order_by(oldest.update_id)
            .limit(1)
            .scalar_subquery()
        )
        while True:
            taken = (
                await self._session.execute(
                    update(LineEventRow)
                    .where(
                        LineEventRow.event_id == first,
                        LineEventRow.reply_outbox_id.is_(None),
                        ~exists().where(own_claim.reply_outbox_id == outbox_id),
                    )
                    .values(reply_outbox_id=outbox_id)
                    .returning(LineEventRow.reply_token)
                )
            ).first()
            if taken is not None:
                return ReplyClaim(taken.reply_token, again=False, fresh=True)
            row = (
                await self._session.execute(
                    select(
                        LineEventRow.reply_token,
                        LineEventRow.reply_by,
                        LineEventRow.reply_done,
                        LineEventRow.reply_outbox_id,
                    )
                    .where(or_(LineEventRow.reply_outbox_id == outbox_id, and_(*unclaimed)))
                    .order_by(LineEventRow.reply_outbox_id.is_(None), LineEventRow.update_id)
                    .limit(1)
                )
            ).first()
            if row is None:
                return None
            if row.reply_outbox_id == outbox_id:
                fresh = (
                    row.reply_token is not None and row.reply_by is not None and row.reply_by > now
                )
                return ReplyClaim(
                    row.reply_token, again=True, fresh=fresh, delivered=row.reply_done
                )
            # Another sender took the oldest meanwhile: the next one.

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
