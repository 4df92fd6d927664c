"""Received Telegram updates in SQL: stored before Telegram is told, handled exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.channels import LINE_UPDATE_BASE
from bot.domain.deliveries import ParkedUpdate
from bot.domain.outbound import InboxItem
from storage.json_ids import json_id
from storage.models import InboxRow
from storage.repositories._sql import Prepared, insert_into, rowcount, upsert_insert

# The intake's and the worker's statements, run for every update at a steady rate (a batch
# of one each): built once (see Prepared).
_ADD_FRESH = Prepared(
    lambda dialect: (
        insert_into(dialect, InboxRow.__table__)
        .on_conflict_do_nothing()
        .returning(InboxRow.__table__.c.update_id)
    )
)
# An id last seen before the window belongs to an update from before Telegram started its
# ids again: that row is what the next prune would delete anyway.
_DROP_STALE = Prepared(
    lambda _dialect: delete(InboxRow).where(
        InboxRow.update_id.in_(bindparam("ids", expanding=True)),
        InboxRow.received_at < bindparam("since"),
    )
)
_PENDING = Prepared(
    lambda _dialect: (
        select(InboxRow.update_id, InboxRow.payload, InboxRow.received_at)
        .where(InboxRow.handled_at.is_(None), InboxRow.parked_at.is_(None))
        .order_by(InboxRow.update_id)
        .limit(bindparam("limit"))
    )
)


def _claim(with_kind: bool) -> Prepared[Any]:
    def build(_dialect: str) -> Any:
        # With its kind, the update is kept by its id and kind alone: the raw update (a
        # person's name and words) goes with this commit, in the claim's own round trip.
        values: dict[str, Any] = {"handled_at": bindparam("at")}
        if with_kind:
            values["payload"] = bindparam("payload", type_=InboxRow.payload.type)
        return (
            update(InboxRow)
            .where(InboxRow.update_id == bindparam("claimed_id"), InboxRow.handled_at.is_(None))
            .values(**values)
        )

    return Prepared(build)


_CLAIM = {with_kind: _claim(with_kind) for with_kind in (False, True)}


class SqlInboxRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, update_id: int, payload: dict[str, Any], at: datetime) -> bool:
        # ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed statement would
        # abort the whole PostgreSQL transaction, and with it the caller's other work.
        stmt = (
            upsert_insert(self._session, InboxRow)
            .values(update_id=update_id, payload=payload, received_at=at, handled_at=None)
            .on_conflict_do_nothing()
            .returning(InboxRow.update_id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None

    async def add_many(self, updates: Sequence[tuple[int, dict[str, Any]]], at: datetime) -> int:
        unique = dict(updates)  # the same id twice in one batch is one update
        if not unique:
            return 0
        stmt = (
            upsert_insert(self._session, InboxRow)
            .values(
                [
                    {"update_id": uid, "payload": payload, "received_at": at, "handled_at": None}
                    for uid, payload in unique.items()
                ]
            )
            .on_conflict_do_nothing()
            .returning(InboxRow.update_id)
        )
        return len((await self._session.execute(stmt)).all())

    async def pending(self, limit: int) -> Sequence[InboxItem]:
        rows = await self._session.execute(_PENDING.of(self._session), {"limit": limit})
        return [
            InboxItem(update_id=r.update_id, payload=dict(r.payload), received_at=r.received_at)
            for r in rows
        ]

    async def claim(self, update_id: int, at: datetime, kind: str | None = None) -> bool:
        values: dict[str, Any] = {"claimed_id": update_id, "at": at}
        if kind is not None:
            values["payload"] = {"kind": kind}
        result = await self._session.execute(_CLAIM[kind is not None].of(self._session), values)
        return rowcount(result) == 1

    async def claim_many(self, claims: Sequence[tuple[int, str]], at: datetime) -> set[int]:
        kinds = dict(claims)
        if not kinds:
            return set()
        # One statement for a lane's batch, not a claim per update: every update's raw payload
        # becomes its kind, as a single claim with a kind does.
        payload = case(
            {uid: literal({"kind": kind}, InboxRow.payload.type) for uid, kind in kinds.items()},
            value=InboxRow.update_id,
            else_=InboxRow.payload,
        )
        rows = await self._session.execute(
            update(InboxRow)
            .where(InboxRow.update_id.in_(list(kinds)), InboxRow.handled_at.is_(None))
            .values(handled_at=at, payload=payload)
            .returning(InboxRow.update_id)
        )
        return {int(uid) for uid in rows.scalars()}

    async def prune(self, handled_before: datetime) -> int:
        # A parked update is kept as long as a handled one: it holds what a person wrote.
        result = await self._session.execute(
            delete(InboxRow).where(
                or_(
                    and_(InboxRow.handled_at.is_not(None), InboxRow.handled_at < handled_before),
                    and_(InboxRow.parked_at.is_not(None), InboxRow.parked_at < handled_before),
                )
            )
        )
        return rowcount(result)

    async def last_update_id(self) -> int | None:
        # Telegram's highest: LINE's events have ids of their own, higher up.
        result = await self._session.execute(
            select(func.max(InboxRow.update_id)).where(InboxRow.update_id < LINE_UPDATE_BASE)
        )
        value = result.scalar_one_or_none()
        return None if value is None else int(value)

    async def forget_payloads(self, handled_before: datetime) -> int:
        # Updates handled without the core (malformed, or given up on) still hold their raw
        # payload: the nightly purge keeps their ids only.
        result = await self._session.execute(
            update(InboxRow)
            .where(
                InboxRow.handled_at.is_not(None),
                InboxRow.handled_at < handled_before,
                InboxRow.payload["kind"].as_string().is_(None),
            )
            .values(payload={"kind": "unread"})
        )
        return rowcount(result)

    async def forget_chat(self, chat_id: int) -> int:
        # Raw updates from a private chat that are handled or set aside; one still waiting is
        # left to be handled (it came after what is being forgotten).
        result = await self._session.execute(
            delete(InboxRow).where(
                _from_chat(chat_id),
                or_(InboxRow.handled_at.is_not(None), InboxRow.parked_at.is_not(None)),
            )
        )
        return rowcount(result)

    async def add_fresh(
        self, updates: Sequence[tuple[int, dict[str, Any]]], at: datetime, since: datetime
    ) -> Sequence[int]:
        unique = dict(updates)  # the same id twice in one batch is one update
        if not unique:
            return []
        await self._session.execute(
            _DROP_STALE.of(self._session), {"ids": list(unique), "since": since}
        )
        rows = await self._session.execute(
            _ADD_FRESH.of(self._session),
            [
                {"update_id": uid, "payload": payload, "received_at": at, "handled_at": None}
                for uid, payload in unique.items()
            ],
        )
        return sorted(int(uid) for uid in rows.scalars())

    async def park(self, update_id: int, at: datetime, reason: str) -> bool:
        result = await self._session.execute(
            update(InboxRow)
            .where(
                InboxRow.update_id == update_id,
                InboxRow.handled_at.is_(None),
                InboxRow.parked_at.is_(None),
            )
            .values(parked_at=at, park_reason=reason[:100])
        )
        return rowcount(result) == 1

    async def parked(self, limit: int) -> Sequence[ParkedUpdate]:
        rows = await self._session.execute(
            select(
                InboxRow.update_id,
                InboxRow.payload,
                InboxRow.received_at,
                InboxRow.parked_at,
                InboxRow.park_reason,
            )
            .where(InboxRow.parked_at.is_not(None), InboxRow.handled_at.is_(None))
            .order_by(InboxRow.parked_at, InboxRow.update_id)
            .limit(limit)
        )
        return [
            ParkedUpdate(
                update_id=r.update_id,
                payload=dict(r.payload),
                received_at=r.received_at,
                parked_at=r.parked_at,
                reason=r.park_reason or "",
            )
            for r in rows
        ]

    async def unpark(self, update_id: int) -> bool:
        result = await self._session.execute(
            update(InboxRow)
            .where(
                InboxRow.update_id == update_id,
                InboxRow.parked_at.is_not(None),
                InboxRow.handled_at.is_(None),
            )
            .values(parked_at=None, park_reason=None)
        )
        return rowcount(result) == 1


def _from_chat(chat_id: int) -> ColumnElement[bool]:
    """Raw updates from a private chat: messages in it, and buttons its person pressed; LINE's
    events carry their chat id beside the event (handlers/line/parse.py)."""
    payload = InboxRow.payload
    return or_(
        json_id(payload["message"]["chat"]["id"]) == chat_id,
        json_id(payload["callback_query"]["from"]["id"]) == chat_id,
        json_id(payload["edited_message"]["chat"]["id"]) == chat_id,
        json_id(payload["line"]["chat_id"]) == chat_id,
    )
