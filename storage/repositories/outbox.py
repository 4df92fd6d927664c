"""Outgoing messages in SQL, and how concurrent senders claim them without sending one twice.

People's answers are claimed before bulk rows (broadcast copies, reminders, digests), and a
sender says how many bulk rows it takes at once. Rows of a LINE multicast batch
(`line_batch`) are claimed whole, by `claim_batch` only. An edit replaces the edits of the same
message still pending: each carries the message's whole text and buttons, so only the latest
matters, and a slow chat (one a second) does not replay every progress step of a broadcast.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.deliveries import UNREACHABLE_PREFIX, FailedSend
from bot.domain.line_undelivered import QUOTA_SPENT, riding
from bot.domain.outbound import (
    REDACTED,
    OutboundMessage,
    OutboxDelivery,
    OutboxItem,
    OutboxStatus,
    markup_json,
    markup_of,
)
from storage.models import BroadcastDeliveryRow, BroadcastRow, OutboxRow, StaffCardCopyRow
from storage.repositories._settled import settled_columns
from storage.repositories._sql import Prepared, dialect_name, insert_into, rowcount

_T = OutboxRow.__table__

_ITEM_COLUMNS = (
    OutboxRow.id,
    OutboxRow.chat_id,
    OutboxRow.text,
    OutboxRow.buttons,
    OutboxRow.edit_message_id,
    OutboxRow.parse_mode,
    OutboxRow.is_group,
    OutboxRow.media,
    OutboxRow.attempts,
    OutboxRow.created_at,
    OutboxRow.dedupe_key,
    OutboxRow.bulk,
)


# Every reply is one of these: built once (see Prepared). The only unique column a caller
# controls is dedupe_key, so a conflict means "already queued".
_ADD = Prepared(
    lambda dialect: insert_into(dialect, _T).on_conflict_do_nothing().returning(_T.c.id)
)


# The sender's marks of what went, a batch at a time (an executemany): built once, as its
# redaction of what a sent row carried takes more building than most statements.
_MARK_SENT = Prepared(
    lambda _dialect: (
        update(OutboxRow)
        .where(OutboxRow.id == bindparam("mark_id"))
        .values(
            status=OutboxStatus.SENT.value,
            sent_at=bindparam("mark_at"),
            telegram_message_id=bindparam("mark_message_id"),
            lease_until=None,
            **settled_columns(sent=True),
        )
    )
)


def _due(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Pending and due, or claimed by a sender whose lease ran out (it crashed or hung)."""
    return or_(
        and_(
            OutboxRow.status == OutboxStatus.PENDING.value,
            or_(OutboxRow.not_before.is_(None), OutboxRow.not_before <= now),
        ),
        and_(OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.lease_until < now),
    )


def _candidates_of(bulk: bool | None) -> Prepared[Select[Any]]:
    """Ids of due rows, people's answers first (`bulk` None: both kinds, answers first)."""

    def build(dialect: str) -> Select[Any]:
        # A LINE multicast's rows go together (`claim_batch`), never one by one.
        candidates = select(OutboxRow.id).where(
            _due(bindparam("now")), OutboxRow.line_batch.is_(None)
        )
        if bulk is None:
            candidates = candidates.order_by(OutboxRow.bulk, OutboxRow.id)
        else:
            candidates = candidates.where(OutboxRow.bulk == bulk).order_by(OutboxRow.id)
        candidates = candidates.limit(bindparam("limit"))
        if dialect == "postgresql":
            # Rows another sender has locked are skipped, not waited for: senders never queue
            # behind each other, and never both take one row.
            candidates = candidates.with_for_update(skip_locked=True)
        return candidates

    # It may read past many rows not yet due (a broadcast's): on aiosqlite's thread.
    return Prepared(build, on_loop_thread=False)


# The sender's statements, run at every wake (at a steady rate, several times an update):
# built once (see Prepared).
_CANDIDATES = {bulk: _candidates_of(bulk) for bulk in (None, False, True)}
# One UPDATE for the batch (a statement per row cost the sender its rate at 1,000/s).
# SQLAlchemy drops SKIP LOCKED on SQLite without a word; the repeated due-condition in the
# WHERE, under SQLite's single writer, is what makes the claim safe there.
_CLAIM = Prepared(
    lambda _dialect: (
        update(OutboxRow)
        .where(OutboxRow.id.in_(bindparam("ids", expanding=True)), _due(bindparam("now")))
        .values(
            status=OutboxStatus.SENDING.value,
            lease_until=bindparam("lease_until"),
            attempts=OutboxRow.attempts + 1,
        )
        .returning(*_ITEM_COLUMNS)
    )
)
# Both read every row of their status (thousands during a broadcast): on aiosqlite's thread.
_NEXT_PENDING = Prepared(
    lambda _dialect: select(
        func.min(func.coalesce(OutboxRow.not_before, OutboxRow.created_at))
    ).where(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.line_batch.is_(None)),
    on_loop_thread=False,
)
_NEXT_LEASE_END = Prepared(
    lambda _dialect: select(func.min(OutboxRow.lease_until)).where(
        OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.line_batch.is_(None)
    ),
    on_loop_thread=False,
)


def _item(row: Any) -> OutboxItem:
    buttons, keyboard = markup_of(row.buttons)
    return OutboxItem(
        id=row.id,
        message=OutboundMessage(
            chat_id=row.chat_id,
            text=row.text,
            buttons=buttons,
            keyboard=keyboard,
            edit_message_id=row.edit_message_id,
            parse_mode=row.parse_mode,
            is_group=row.is_group,
            media=None if not row.media else (str(row.media[0]), str(row.media[1])),
        ),
        attempts=row.attempts,
        created_at=row.created_at,
        dedupe_key=row.dedupe_key,
        bulk=row.bulk,
    )


# Asked on every LINE reply (what it may carry: bot/domain/line_undelivered.py), and almost
# always empty: built once (see Prepared).
_HELD_ON_LINE = Prepared(
    lambda _dialect: (
        select(*(_T.c[column.key] for column in _ITEM_COLUMNS))
        .where(
            _T.c.chat_id == bindparam("chat_id"),
            _T.c.status == OutboxStatus.FAILED.value,
            _T.c.last_error.startswith(QUOTA_SPENT, autoescape=True),
            _T.c.text != REDACTED,
        )
        .order_by(_T.c.id)
        .limit(bindparam("limit"))
    )
)


class SqlOutboxRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self._bulk = False

    @contextmanager
    def as_bulk(self) -> Iterator[None]:
        previous, self._bulk = self._bulk, True
        try:
            yield
        finally:
            self._bulk = previous

    async def add(
        self,
        message: OutboundMessage,
        at: datetime,
        *,
        not_before: datetime | None = None,
        dedupe_key: str | None = None,
        bulk: bool = False,
    ) -> int | None:
        values = {
            "chat_id": message.chat_id,
            "text": message.text,
            "buttons": markup_json(message),
            "edit_message_id": message.edit_message_id,
            "parse_mode": message.parse_mode,
            "is_group": message.is_group,
            "status": OutboxStatus.PENDING.value,
            "not_before": not_before,
            "attempts": 0,
            "created_at": at,
            "carries": None if message.carries is None else message.carries.value,
            "media": None if message.media is None else list(message.media),
            "dedupe_key": dedupe_key,
            "bulk": bulk or self._bulk,
        }
        result = await self._session.execute(_ADD.of(self._session), values)
        new_id: int | None = result.scalar_one_or_none()
        if new_id is not None and message.edit_message_id is not None:
            await self._supersede(message.chat_id, message.edit_message_id, new_id)
        return new_id

    async def _supersede(self, chat_id: int, message_id: int, newest: int) -> None:
        """Drops the earlier edits of one message that no sender has taken yet: the newest
        carries everything they would have shown. Rows under a dedupe key stay (a caller may
        look them up by it)."""
        await self._session.execute(
            delete(OutboxRow)
            .where(
                OutboxRow.status == OutboxStatus.PENDING.value,
                OutboxRow.chat_id == chat_id,
                OutboxRow.edit_message_id == message_id,
                OutboxRow.dedupe_key.is_(None),
                OutboxRow.id < newest,
            )
            .execution_options(synchronize_session=False)
        )

    async def claim(
        self, now: datetime, lease_until: datetime, limit: int, bulk_limit: int | None = None
    ) -> Sequence[OutboxItem]:
        if limit <= 0:
            return []
        if bulk_limit is None:
            ids = await self._candidates(now, None, limit)
        else:
            ids = await self._candidates(now, False, limit)
            ids += await self._candidates(now, True, min(bulk_limit, limit - len(ids)))
        if not ids:
            return []
        rows = await self._session.execute(
            _CLAIM.of(self._session), {"ids": ids, "now": now, "lease_until": lease_until}
        )
        return sorted((_item(row) for row in rows), key=lambda item: item.id)

    async def _candidates(self, now: datetime, bulk: bool | None, limit: int) -> list[int]:
        """Ids of due rows, people's answers first (`bulk` None: both kinds, answers first)."""
        if limit <= 0:
            return []
        candidates = _CANDIDATES[bulk].of(self._session)
        return list(
            (await self._session.execute(candidates, {"now": now, "limit": limit})).scalars()
        )

    async def claim_batch(
        self, now: datetime, lease_until: datetime
    ) -> tuple[str, Sequence[OutboxItem]] | None:
        """Takes the oldest due LINE batch whole (its name and rows); None when none is due."""
        first = (
            select(OutboxRow.line_batch)
            .where(_due(now), OutboxRow.line_batch.is_not(None))
            .order_by(OutboxRow.id)
            .limit(1)
        )
        if dialect_name(self._session) == "postgresql":
            first = first.with_for_update(skip_locked=True)
        name = (await self._session.execute(first)).scalar_one_or_none()
        if name is None:
            return None
        rows = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.line_batch == name, _due(now))
            .values(
                status=OutboxStatus.SENDING.value,
                lease_until=lease_until,
                attempts=OutboxRow.attempts + 1,
            )
            .returning(*_ITEM_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        return str(name), sorted((_item(row) for row in rows), key=lambda item: item.id)

    async def mark_sent(self, item_id: int, at: datetime, telegram_message_id: int | None) -> None:
        await self._set(
            item_id,
            status=OutboxStatus.SENT.value,
            sent_at=at,
            telegram_message_id=telegram_message_id,
            lease_until=None,
            **settled_columns(sent=True),
        )

    async def mark_sent_many(self, marks: Sequence[tuple[int, datetime, int | None]]) -> None:
        if not marks:
            return
        # One executemany of one statement built once: the sender's marks at 1,000/s.
        await self._session.execute(
            _MARK_SENT.of(self._session),
            [
                {"mark_id": item_id, "mark_at": at, "mark_message_id": message_id}
                for item_id, at, message_id in marks
            ],
        )

    async def mark_failed(self, item_id: int, at: datetime, error: str) -> None:
        # `at` is kept in sent_at: the moment the message's fate was settled.
        await self._set(
            item_id,
            status=OutboxStatus.FAILED.value,
            sent_at=at,
            last_error=error,
            lease_until=None,
            **settled_columns(sent=False),
        )

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._set(
            item_id,
            status=OutboxStatus.PENDING.value,
            not_before=not_before,
            last_error=error,
            lease_until=None,
        )

    async def next_due(self) -> datetime | None:
        # The sender's rows: a LINE batch is the multicaster's (`claim_batch`), and a sender
        # woken for one it cannot take would poll for it in a loop.
        pending = (
            await self._session.execute(_NEXT_PENDING.of(self._session))
        ).scalar_one_or_none()
        # A claimed row comes due again when its lease runs out (should its sender have died).
        leased = (
            await self._session.execute(_NEXT_LEASE_END.of(self._session))
        ).scalar_one_or_none()
        # MIN() and COALESCE() keep the column's type, so both come back as aware datetimes.
        times: list[datetime] = [t for t in (pending, leased) if t is not None]
        return min(times) if times else None

    async def counts(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        counts = {status.value: 0 for status in OutboxStatus}
        counts.update({status: count for status, count in rows})
        return counts

    async def deliveries(self, dedupe_keys: Sequence[str]) -> dict[str, OutboxDelivery]:
        keys = list(dict.fromkeys(dedupe_keys))
        found: dict[str, OutboxDelivery] = {}
        # In slices: a long IN list is cheap, but SQLite caps the number of bound parameters.
        for start in range(0, len(keys), 500):
            rows = await self._session.execute(
                select(
                    OutboxRow.dedupe_key,
                    OutboxRow.chat_id,
                    OutboxRow.status,
                    OutboxRow.telegram_message_id,
                ).where(OutboxRow.dedupe_key.in_(keys[start : start + 500]))
            )
            for key, chat_id, status, message_id in rows:
                if key is not None:  # the IN never matches NULL; this tells mypy
                    found[key] = OutboxDelivery(key, chat_id, OutboxStatus(status), message_id)
        return found

    async def failed_since(self, since: datetime, limit: int) -> Sequence[FailedSend]:
        # `sent_at` holds when a failed row's fate was settled (mark_failed).
        rows = await self._session.execute(
            select(
                OutboxRow.id,
                OutboxRow.chat_id,
                OutboxRow.text,
                OutboxRow.edit_message_id,
                OutboxRow.created_at,
                OutboxRow.sent_at,
                OutboxRow.last_error,
            )
            .where(
                OutboxRow.status == OutboxStatus.FAILED.value,
                OutboxRow.sent_at >= since,
                ~func.coalesce(OutboxRow.last_error, "").startswith(UNREACHABLE_PREFIX),
            )
            .order_by(OutboxRow.chat_id, OutboxRow.id)
            .limit(limit)
        )
        return [
            FailedSend(
                outbox_id=r.id,
                chat_id=r.chat_id,
                text=r.text,
                is_edit=r.edit_message_id is not None,
                created_at=r.created_at,
                settled_at=r.sent_at,
                error=r.last_error or "",
            )
            for r in rows
        ]

    async def undelivered_on_line(self, chat_id: int, limit: int) -> Sequence[OutboxItem]:
        rows = await self._session.execute(
            _HELD_ON_LINE.of(self._session), {"chat_id": chat_id, "limit": limit}
        )
        return [_item(row) for row in rows]

    async def riders_of(self, leader_id: int) -> Sequence[OutboxItem]:
        rows = await self._session.execute(
            select(*_ITEM_COLUMNS)
            .where(
                OutboxRow.status == OutboxStatus.FAILED.value,
                OutboxRow.last_error == riding(leader_id),
            )
            .order_by(OutboxRow.id)
        )
        return [_item(row) for row in rows]

    async def note_failed(self, item_ids: Sequence[int], error: str) -> None:
        if not item_ids:
            return
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(list(item_ids)), OutboxRow.status == OutboxStatus.FAILED.value)
            .values(last_error=error)
            .execution_options(synchronize_session=False)
        )

    async def send_again(self, item_ids: Sequence[int], at: datetime) -> int:
        if not item_ids:
            return 0
        result = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(list(item_ids)), OutboxRow.status == OutboxStatus.FAILED.value)
            .values(
                status=OutboxStatus.PENDING.value,
                not_before=at,
                attempts=0,
                sent_at=None,
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def prune(self, settled_before: datetime) -> int:
        # Rows still needed stay: a staff card's copies are edited through their row's message
        # id, and a broadcast counts its deliveries (and edits its progress) through its rows.
        # Their text went when they were sent, if they carried anything.
        result = await self._session.execute(
            delete(OutboxRow)
            .where(
                OutboxRow.status.in_((OutboxStatus.SENT.value, OutboxStatus.FAILED.value)),
                OutboxRow.sent_at < settled_before,
                or_(
                    OutboxRow.dedupe_key.is_(None),
                    OutboxRow.dedupe_key.not_in(select(StaffCardCopyRow.dedupe_key)),
                ),
                OutboxRow.id.not_in(select(BroadcastDeliveryRow.outbox_id)),
                OutboxRow.id.not_in(
                    select(BroadcastRow.progress_outbox_id).where(
                        BroadcastRow.progress_outbox_id.is_not(None)
                    )
                ),
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def withdraw(self, dedupe_prefix: str) -> int:
        # Only rows still pending: a row being sent or sent has reached someone already.
        result = await self._session.execute(
            delete(OutboxRow)
            .where(
                OutboxRow.dedupe_key.startswith(dedupe_prefix, autoescape=True),
                OutboxRow.status == OutboxStatus.PENDING.value,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def forget_chat(self, chat_id: int) -> int:
        # Everything to a person being forgotten, whatever its state: a message still waiting
        # would otherwise reach them, and its row keep their chat id, after they were forgotten.
        result = await self._session.execute(
            delete(OutboxRow)
            .where(OutboxRow.chat_id == chat_id)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def _set(self, item_id: int, **values: object) -> None:
        await self._session.execute(
            update(OutboxRow).where(OutboxRow.id == item_id).values(**values)
        )
