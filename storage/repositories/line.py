"""LINE's users and webhook events in SQL (bot/ports/line.py says what each is for).

Inserts use ON CONFLICT DO NOTHING and look again, never a caught IntegrityError: two webhook
requests (or two replicas) may record the same event or the same new person at once, and a
failed statement would abort a PostgreSQL transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.channels import LINE_CHAT_BASE, LINE_UPDATE_SLOTS, line_chat_id, line_update_id
from bot.domain.outbound import OutboxStatus
from bot.ports.line import LineAddress, LineEvent, ReplyClaim
from storage.models import LineEventRow, LineUserRow, OutboxRow
from storage.repositories._sql import Prepared, insert_into, rowcount

# The statements of every LINE event (the webhook's intake, the reply's claim and its outcome)
# are built once per dialect and run with bound values (see Prepared): building one and its
# cache key cost as much CPU as running it on SQLite.
_U = cast(Table, LineUserRow.__table__)
_E = cast(Table, LineEventRow.__table__)

_USERS = Prepared(
    lambda _dialect: select(_U.c.id, _U.c.user_id, _U.c.forgotten).where(
        _U.c.user_id.in_(bindparam("users", expanding=True))
    )
)
_BACK = Prepared(
    lambda _dialect: (
        update(_U).where(_U.c.id.in_(bindparam("ids", expanding=True))).values(forgotten=False)
    )
)
# Run with one row of values for each newcomer; a conflict (added meanwhile) returns no row.
_NEW_USERS = Prepared(
    lambda dialect: (
        insert_into(dialect, _U).on_conflict_do_nothing().returning(_U.c.id, _U.c.user_id)
    )
)
_ADDRESS = Prepared(
    lambda _dialect: select(_U.c.user_id, _U.c.forgotten).where(_U.c.id == bindparam("id"))
)


def _event_insert(dialect: str, update_id: Any) -> Any:
    return (
        insert_into(dialect, _E)
        .values(
            event_id=bindparam("event_id", type_=_E.c.event_id.type),
            update_id=update_id,
            chat_id=bindparam("chat_id", type_=_E.c.chat_id.type),
            received_at=bindparam("received_at", type_=_E.c.received_at.type),
            reply_token=bindparam("reply_token", type_=_E.c.reply_token.type),
            reply_by=bindparam("reply_by", type_=_E.c.reply_by.type),
        )
        .on_conflict_do_nothing()
        .returning(_E.c.update_id)
    )


def _after_top() -> Any:
    """The id after the last one taken in the millisecond's range [low, high], else low."""
    taken = _E.alias("taken")
    return func.coalesce(
        select(func.max(taken.c.update_id) + 1)
        .where(taken.c.update_id.between(bindparam("low"), bindparam("high")))
        .scalar_subquery(),
        bindparam("low", type_=_E.c.update_id.type),
    )


# After the millisecond's last id, found by the INSERT itself (one statement, not a SELECT max
# and an INSERT); past its range if it is full (the next ones follow).
_EVENT = Prepared(lambda dialect: _event_insert(dialect, _after_top()))
_EVENT_AT = Prepared(
    lambda dialect: _event_insert(dialect, bindparam("update_id", type_=_E.c.update_id.type))
)
_AFTER_TOP = Prepared(lambda _dialect: select(_after_top()))
_EVENT_ID = Prepared(
    lambda _dialect: select(_E.c.update_id).where(_E.c.event_id == bindparam("event_id"))
)


def _claim(_dialect: str) -> Any:
    """The chat's oldest unclaimed token still good, taken unless the row holds a claim."""
    oldest, own_claim = _E.alias("oldest"), _E.alias("own_claim")
    first = (
        select(oldest.c.event_id)
        .where(
            oldest.c.chat_id == bindparam("chat"),
            oldest.c.reply_token.is_not(None),
            oldest.c.reply_outbox_id.is_(None),
            oldest.c.reply_by > bindparam("now"),
        )
        .order_by(oldest.c.update_id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        update(_E)
        .where(
            _E.c.event_id == first,
            _E.c.reply_outbox_id.is_(None),
            ~exists().where(own_claim.c.reply_outbox_id == bindparam("outbox_id")),
        )
        .values(reply_outbox_id=bindparam("outbox_id"))
        .returning(_E.c.reply_token)
    )


def _own_or_next(_dialect: str) -> Any:
    """The row's own claim (listed first), else the chat's oldest unclaimed token still good."""
    unclaimed = and_(
        _E.c.chat_id == bindparam("chat"),
        _E.c.reply_token.is_not(None),
        _E.c.reply_outbox_id.is_(None),
        _E.c.reply_by > bindparam("now"),
    )
    return (
        select(_E.c.reply_token, _E.c.reply_by, _E.c.reply_done, _E.c.reply_outbox_id)
        .where(or_(_E.c.reply_outbox_id == bindparam("outbox_id"), unclaimed))
        .order_by(_E.c.reply_outbox_id.is_(None), _E.c.update_id)
        .limit(1)
    )


_CLAIM = Prepared(_claim)
_OWN_OR_NEXT = Prepared(_own_or_next)
_RELEASE = Prepared(
    lambda _dialect: (
        update(_E)
        .where(_E.c.reply_outbox_id == bindparam("outbox_id"))
        .values(reply_outbox_id=None)
    )
)
# LINE took the reply: the claim stays, so a retry knows; refused: the claim goes too.
_SPENT_DELIVERED = Prepared(
    lambda _dialect: (
        update(_E)
        .where(_E.c.reply_outbox_id == bindparam("outbox_id"))
        .values(reply_token=None, reply_by=None, reply_done=True)
    )
)
_SPENT_REFUSED = Prepared(
    lambda _dialect: (
        update(_E)
        .where(_E.c.reply_outbox_id == bindparam("outbox_id"))
        .values(reply_token=None, reply_by=None, reply_outbox_id=None)
    )
)


class SqlLineRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def chat_for(self, user_id: str) -> int:
        return (await self.chats_for([user_id]))[user_id]

    async def chats_for(self, user_ids: Sequence[str]) -> dict[str, int]:
        # One SELECT for all of them, and one INSERT for those never seen (a webhook brings
        # events of several people): not two statements a person.
        wanted = list(dict.fromkeys(user_ids))
        chats: dict[str, int] = {}
        session = self._session
        while missing := [u for u in wanted if u not in chats]:
            rows = (await session.execute(_USERS.of(session), {"users": missing})).all()
            back = [row.id for row in rows if row.forgotten]
            if back:
                await session.execute(_BACK.of(session), {"ids": back})
            chats.update((row.user_id, line_chat_id(row.id)) for row in rows)
            new = [u for u in missing if u not in chats]
            if not new:
                break
            values = [{"user_id": u, "forgotten": False} for u in new]
            for row in await session.execute(_NEW_USERS.of(session), values):
                chats[row.user_id] = line_chat_id(row.id)
            # Any added by another request meanwhile are read on the next turn.
        return {user: chats[user] for user in wanted}

    async def address(self, chat_id: int) -> LineAddress | None:
        number = chat_id - LINE_CHAT_BASE
        if number < 1:
            return None
        row = (await self._session.execute(_ADDRESS.of(self._session), {"id": number})).first()
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
        session = self._session
        values: dict[str, Any] = {
            "event_id": event.event_id,
            "chat_id": event.chat_id,
            "received_at": at,
            "reply_token": event.reply_token,
            "reply_by": event.reply_by if event.reply_token else None,
            "low": line_update_id(event.timestamp_ms, 0),
            "high": line_update_id(event.timestamp_ms, LINE_UPDATE_SLOTS - 1),
        }
        statement = _EVENT.of(session)  # the id after the millisecond's last one taken
        while True:
            inserted = (await session.execute(statement, values)).scalar_one_or_none()
            if inserted is not None:
                return int(inserted)
            # Either the same event, recorded before (a redelivery) or by another request
            # meanwhile, or another event that took this id: the first keeps its id, the second
            # takes the next one free.
            same = (
                await session.execute(_EVENT_ID.of(session), {"event_id": event.event_id})
            ).scalar_one_or_none()
            if same is not None:
                return int(same)
            if "update_id" in values:
                values["update_id"] += 1
            else:  # which id the INSERT tried is not returned: read it, then count on
                top = (await session.execute(_AFTER_TOP.of(session), values)).scalar_one()
                values["update_id"] = int(top)
                statement = _EVENT_AT.of(session)

    async def claim_reply(self, chat_id: int, outbox_id: int, now: datetime) -> ReplyClaim | None:
        # The usual case, a first try with a token there, is one UPDATE: the chat's oldest
        # unclaimed token, taken unless the row holds a claim already. Otherwise one SELECT
        # tells the row's own claim (listed first) from a token another sender took meanwhile.
        session = self._session
        values = {"chat": chat_id, "outbox_id": outbox_id, "now": now}
        while True:
            taken = (await session.execute(_CLAIM.of(session), values)).first()
            if taken is not None:
                return ReplyClaim(taken.reply_token, again=False, fresh=True)
            row = (await session.execute(_OWN_OR_NEXT.of(session), values)).first()
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
        await self._session.execute(_RELEASE.of(self._session), {"outbox_id": outbox_id})

    async def spend_reply(self, outbox_id: int, *, delivered: bool) -> None:
        spent = _SPENT_DELIVERED if delivered else _SPENT_REFUSED
        await self._session.execute(spent.of(self._session), {"outbox_id": outbox_id})

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
