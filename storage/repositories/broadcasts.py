"""Broadcasts in SQL: the campaigns, their recipients streamed by keyset, deliveries, opt-outs.

The audience is a query over people, read one page at a time after a person id (`id > :after
ORDER BY id LIMIT :n`), so a broadcast to 60,000 people never holds more than a page. Who
receives a broadcast is one predicate (`_addressed` and `_wants`: audience x kind x opt-out),
used by the pages, the counts of the preview and the "not sent" of a cancel alike. A chunk of
messages is queued with one multi-row INSERT ... ON CONFLICT DO NOTHING on the outbox's unique
dedupe key, so queuing a chunk twice (a replica that lost a race, a restart) adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, insert, select, true, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.ext.asyncio import AsyncConnection

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
from bot.domain.people import Role
from storage.models import (
    AssemblyAnswerRow,
    BroadcastDeliveryRow,
    BroadcastPreferenceRow,
    BroadcastRow,
    CentreMembershipRow,
    OutboxRow,
    PersonRoleRow,
    PersonRow,
)
from storage.repositories._sql import rowcount, upsert_insert

# Rows per INSERT: SQLite caps bound parameters per statement (12 columns a row here).
_INSERT_SLICE = 500
_UNSENT = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(
        id=row.id,
        draft=Draft(
            audience=Audience(
                AudienceKind(row.audience), centre_id=row.centre_id, assembly_id=row.assembly_id
            ),
            kind=BroadcastKind(row.kind),
            text_ja=row.text_ja,
            text_en=row.text_en,
        ),
        status=BroadcastStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        send_at=row.send_at,
        coordinator_chat_id=row.coordinator_chat_id,
        coordinator_locale=row.coordinator_locale,
        cursor=row.cursor,
        materialised=row.materialised,
        started_at=row.started_at,
        finished_at=row.finished_at,
        progress_outbox_id=row.progress_outbox_id,
        progress_at=row.progress_at,
        progress_text=row.progress_text,
        planned=row.planned,
        skipped=row.skipped,
        asking=row.asking,
    )


def _has_role(role: Role) -> ColumnElement[bool]:
    return exists().where(PersonRoleRow.person_id == PersonRow.id, PersonRoleRow.role == role.value)


def _in_audience(audience: Audience) -> ColumnElement[bool]:
    kind = audience.kind
    if kind is AudienceKind.MEMBERS:
        return _has_role(Role.MEMBER)
    if kind is AudienceKind.VOLUNTEERS:
        return _has_role(Role.VOLUNTEER)
    if kind is AudienceKind.CENTRE:
        # Everyone who belongs to the centre (migration 0018), whether on its shifts or not.
        return exists().where(
            CentreMembershipRow.person_id == PersonRow.id,
            CentreMembershipRow.centre_id == audience.centre_id,
        )
    if kind is AudienceKind.NO_ANSWER:
        answered = exists().where(
            AssemblyAnswerRow.assembly_id == audience.assembly_id,
            AssemblyAnswerRow.person_id == PersonRow.id,
        )
        return and_(_has_role(Role.MEMBER), ~answered)
    raise ValueError(f"not an audience of people: {kind}")


def _chose(kind: BroadcastKind, receive: bool) -> ColumnElement[bool]:
    return exists().where(
        BroadcastPreferenceRow.person_id == PersonRow.id,
        BroadcastPreferenceRow.kind == kind.value,
        BroadcastPreferenceRow.receive == receive,
    )


def _wants(kind: BroadcastKind) -> ColumnElement[bool]:
    """The person's settings show `kind` on: opted in to an opt-in kind (the newsletter), or
    not opted out of another (bot.domain.broadcasts.receives_by_default)."""
    return ~_chose(kind, False) if receives_by_default(kind) else _chose(kind, True)


def _addressed(audience: Audience, kind: BroadcastKind, after: int) -> ColumnElement[bool]:
    """The people a broadcast of `kind` to `audience` is for, with a Telegram account, after a
    person id: its recipients are those of them who `_want` it."""
    who = _wants(kind) if audience.kind is AudienceKind.OPTED_IN else _in_audience(audience)
    return and_(PersonRow.telegram_user_id.is_not(None), PersonRow.id > after, who)


class SqlBroadcastRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

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
        result = await self._session.execute(
            insert(BroadcastRow)
            .values(
                created_by=created_by,
                created_at=created_at,
                send_at=send_at,
                status=status.value,
                audience=draft.audience.kind.value,
                centre_id=draft.audience.centre_id,
                assembly_id=draft.audience.assembly_id,
                kind=draft.kind.value,
                text_ja=draft.text_ja,
                text_en=draft.text_en,
                coordinator_chat_id=coordinator_chat_id,
                coordinator_locale=coordinator_locale,
                cursor=0,
                materialised=False,
                progress_text="",
                planned=0,
                skipped=0,
            )
            .returning(BroadcastRow.id)
        )
        broadcast = await self.get(result.scalar_one())
        if broadcast is None:
            raise RuntimeError("a broadcast just inserted is not there")
        return broadcast

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = (
            await self._session.execute(
                select(BroadcastRow.__table__).where(BroadcastRow.id == broadcast_id)
            )
        ).first()
        return None if row is None else _broadcast(row)

    async def save(self, broadcast: Broadcast, *, was: BroadcastStatus, was_cursor: int) -> bool:
        result = await self._session.execute(
            update(BroadcastRow)
            .where(
                BroadcastRow.id == broadcast.id,
                BroadcastRow.status == was.value,
                BroadcastRow.cursor == was_cursor,
                BroadcastRow.asking == broadcast.asking,
            )
            .values(
                status=broadcast.status.value,
                cursor=broadcast.cursor,
                materialised=broadcast.materialised,
                started_at=broadcast.started_at,
                finished_at=broadcast.finished_at,
                progress_outbox_id=broadcast.progress_outbox_id,
                progress_at=broadcast.progress_at,
                progress_text=broadcast.progress_text,
                planned=broadcast.planned,
                skipped=broadcast.skipped,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    async def set_asking(self, broadcast_id: int, asking: bool) -> None:
        await self._session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.id == broadcast_id)
            .values(asking=asking)
            .execution_options(synchronize_session=False)
        )

    async def in_progress(self, limit: int) -> Sequence[Broadcast]:
        rows = await self._session.execute(
            select(BroadcastRow.__table__)
            .where(
                (BroadcastRow.status == BroadcastStatus.RUNNING.value)
                | (
                    (BroadcastRow.status == BroadcastStatus.CANCELLED.value)
                    & BroadcastRow.finished_at.is_(None)
                )
            )
            .order_by(BroadcastRow.send_at, BroadcastRow.id)
            .limit(limit)
        )
        return [_broadcast(row) for row in rows]

    async def with_status(
        self, statuses: frozenset[BroadcastStatus], limit: int
    ) -> Sequence[Broadcast]:
        rows = await self._session.execute(
            select(BroadcastRow.__table__)
            .where(BroadcastRow.status.in_([s.value for s in statuses]))
            .order_by(BroadcastRow.send_at, BroadcastRow.id)
            .limit(limit)
        )
        return [_broadcast(row) for row in rows]

    async def due(self, now: datetime, limit: int) -> Sequence[Broadcast]:
        rows = await self._session.execute(
            select(BroadcastRow.__table__)
            .where(
                BroadcastRow.status == BroadcastStatus.SCHEDULED.value,
                BroadcastRow.send_at <= now,
            )
            .order_by(BroadcastRow.send_at, BroadcastRow.id)
            .limit(limit)
        )
        return [_broadcast(row) for row in rows]

    async def recipients(
        self, audience: Audience, kind: BroadcastKind, after: int, limit: int
    ) -> Sequence[Recipient]:
        rows = await self._session.execute(
            select(
                PersonRow.id,
                PersonRow.telegram_user_id,
                PersonRow.locale,
                PersonRow.telegram_language,
            )
            .where(_addressed(audience, kind, after), _wants(kind))
            .order_by(PersonRow.id)
            .limit(limit)
        )
        return [Recipient(r.id, r.telegram_user_id, r.locale, r.telegram_language) for r in rows]

    async def count_audience(
        self, audience: Audience, kind: BroadcastKind, after: int = 0
    ) -> tuple[int, int]:
        wants = _wants(kind) if audience.kind is not AudienceKind.OPTED_IN else true()
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(case((wants, 1), else_=0)), 0),
                )
                .select_from(PersonRow)
                .where(_addressed(audience, kind, after))
            )
        ).one()
        addressed, recipients = int(row[0]), int(row[1])
        return recipients, addressed - recipients

    async def queue(
        self,
        broadcast_id: int,
        messages: Sequence[tuple[int, OutboundMessage]],
        at: datetime,
        line_batches: Mapping[int, str] | None = None,
    ) -> int:
        batches = line_batches or {}
        new = 0
        for start in range(0, len(messages), _INSERT_SLICE):
            chunk = messages[start : start + _INSERT_SLICE]
            person_of = {f"bc:{broadcast_id}:{pid}": pid for pid, _ in chunk}
            rows = [
                {
                    "chat_id": message.chat_id,
                    "text": message.text,
                    "buttons": [[list(button) for button in row] for row in message.buttons],
                    "edit_message_id": message.edit_message_id,
                    "parse_mode": message.parse_mode,
                    "is_group": message.is_group,
                    "status": OutboxStatus.PENDING.value,
                    "not_before": None,
                    "attempts": 0,
                    "created_at": at,
                    "dedupe_key": f"bc:{broadcast_id}:{pid}",
                    "carries": None if message.carries is None else message.carries.value,
                    "bulk": True,  # after people's answers (bot/runtime/sender.py)
                    "line_batch": batches.get(pid),
                }
                for pid, message in chunk
            ]
            # executemany of one cached statement ("insertmanyvalues" batches it into a few
            # INSERTs): building a VALUES list of 500 rows cost more CPU than running it.
            inserted = await self._session.execute(
                upsert_insert(self._session, OutboxRow)
                .on_conflict_do_nothing()
                .returning(OutboxRow.id, OutboxRow.dedupe_key),
                rows,
            )
            links = [
                {"broadcast_id": broadcast_id, "person_id": person_of[key], "outbox_id": oid}
                for oid, key in inserted
            ]
            if links:
                await self._session.execute(
                    upsert_insert(self._session, BroadcastDeliveryRow).on_conflict_do_nothing(),
                    links,
                )
            new += len(links)
        return new

    def _rows_of(self, broadcast_id: int) -> Any:
        return select(BroadcastDeliveryRow.outbox_id).where(
            BroadcastDeliveryRow.broadcast_id == broadcast_id
        )

    async def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self._session.execute(
            select(OutboxRow.status, func.count())
            .select_from(BroadcastDeliveryRow)
            .join(OutboxRow, OutboxRow.id == BroadcastDeliveryRow.outbox_id)
            .where(BroadcastDeliveryRow.broadcast_id == broadcast_id)
            .group_by(OutboxRow.status)
        )
        counts = {status.value: 0 for status in OutboxStatus}
        counts.update({status: int(count) for status, count in rows})
        return counts

    async def unsent(self, broadcast_id: int) -> int:
        # From the outbox's few unsent rows (its status index) to their broadcast, not the
        # other way round through every delivery of a large broadcast.
        count = await self._session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .join(BroadcastDeliveryRow, BroadcastDeliveryRow.outbox_id == OutboxRow.id)
            .where(OutboxRow.status.in_(_UNSENT), BroadcastDeliveryRow.broadcast_id == broadcast_id)
        )
        return int(count or 0)

    async def hold(self, broadcast_id: int, until: datetime) -> int:
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.status == OutboxStatus.PENDING.value,
                OutboxRow.id.in_(self._rows_of(broadcast_id)),
            )
            .values(not_before=until)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def drop_pending(self, broadcast_id: int) -> int:
        # The deliveries go with their outbox rows (ON DELETE CASCADE). A row a sender claimed
        # meanwhile is no longer pending, so it is left alone and sent.
        result = await self._session.execute(
            sql_delete(OutboxRow)
            .where(
                OutboxRow.status == OutboxStatus.PENDING.value,
                OutboxRow.id.in_(self._rows_of(broadcast_id)),
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def unreached(self, broadcast_id: int, limit: int) -> Sequence[Unreached]:
        rows = await self._session.execute(
            select(PersonRow.id, PersonRow.display_name, OutboxRow.last_error)
            .select_from(BroadcastDeliveryRow)
            .join(OutboxRow, OutboxRow.id == BroadcastDeliveryRow.outbox_id)
            .join(PersonRow, PersonRow.id == BroadcastDeliveryRow.person_id)
            .where(
                BroadcastDeliveryRow.broadcast_id == broadcast_id,
                OutboxRow.status == OutboxStatus.FAILED.value,
            )
            .order_by(PersonRow.id)
            .limit(limit)
        )
        return [
            Unreached(
                r.id,
                r.display_name,
                "blocked" if (r.last_error or "").startswith("unreachable") else "failed",
            )
            for r in rows
        ]

    async def message_id(self, outbox_id: int) -> int | None:
        value = await self._session.scalar(
            select(OutboxRow.telegram_message_id).where(OutboxRow.id == outbox_id)
        )
        return None if value is None else int(value)

    async def _kinds(self, person_id: int, receive: bool) -> frozenset[BroadcastKind]:
        rows = await self._session.scalars(
            select(BroadcastPreferenceRow.kind).where(
                BroadcastPreferenceRow.person_id == person_id,
                BroadcastPreferenceRow.receive == receive,
            )
        )
        return frozenset(BroadcastKind(kind) for kind in rows)

    async def opted_out(self, person_id: int) -> frozenset[BroadcastKind]:
        return await self._kinds(person_id, False)

    async def opted_in(self, person_id: int) -> frozenset[BroadcastKind]:
        return await self._kinds(person_id, True)

    async def set_preference(
        self, person_id: int, kind: BroadcastKind, receive: bool, at: datetime
    ) -> None:
        stmt = upsert_insert(self._session, BroadcastPreferenceRow).values(
            person_id=person_id, kind=BroadcastKind(kind).value, receive=receive, updated_at=at
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["person_id", "kind"],
                set_={"receive": stmt.excluded.receive, "updated_at": stmt.excluded.updated_at},
            )
        )
