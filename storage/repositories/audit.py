"""The audit log in SQL: who looked at or changed what, for personal-data accountability, and
its search (newest first, keyset-paged, each filter served by an index: 0010)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audit import FORGOTTEN_CHAT, TRACES, AuditEntry, AuditQuery
from storage.json_ids import json_id
from storage.models import AuditRow
from storage.repositories._sql import rowcount


class SqlAuditRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(
        self,
        at: datetime,
        actor_person_id: int | None,
        action: str,
        subject: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._session.execute(
            insert(AuditRow).values(
                at=at,
                actor_person_id=actor_person_id,
                action=action,
                subject=subject,
                details=details,
            )
        )

    async def search(
        self, query: AuditQuery, before: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        where: list[ColumnElement[bool]] = []
        if before is not None:
            where.append(AuditRow.id < before)
        if query.subject:
            where.append(AuditRow.subject == query.subject)
        if query.actor_person_id is not None:
            where.append(AuditRow.actor_person_id == query.actor_person_id)
        if query.action:
            if query.action.endswith("."):
                where.append(AuditRow.action.startswith(query.action, autoescape=True))
            else:
                where.append(AuditRow.action == query.action)
        if query.since is not None:
            where.append(AuditRow.at >= query.since)
        if query.until is not None:
            where.append(AuditRow.at < query.until)
        stmt = (
            select(
                AuditRow.id,
                AuditRow.at,
                AuditRow.actor_person_id,
                AuditRow.action,
                AuditRow.subject,
                AuditRow.details,
            )
            .where(*where)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        return [
            AuditEntry(
                row.id,
                row.at,
                row.actor_person_id,
                row.action,
                row.subject,
                dict(row.details) if row.details else None,
            )
            for row in await self._session.execute(stmt)
        ]

    async def forget_telegram_id(self, telegram_user_id: int) -> int:
        # A private chat's id is its person's Telegram id: where one names the subject, the
        # entry keeps what happened, not to whom.
        renamed = await self._session.execute(
            update(AuditRow)
            .where(AuditRow.subject == f"chat:{telegram_user_id}")
            .values(subject=FORGOTTEN_CHAT)
        )
        stripped = await self._strip(
            json_id(AuditRow.details["telegram_id"]) == telegram_user_id, ("telegram_id",)
        )
        return rowcount(renamed) + stripped

    async def strip_traces(self, before: datetime) -> int:
        # Groups have negative ids, which name no one: only private chats' go.
        renamed = await self._session.execute(
            update(AuditRow)
            .where(
                AuditRow.at < before,
                AuditRow.subject.startswith("chat:", autoescape=True),
                ~AuditRow.subject.startswith("chat:-", autoescape=True),
                AuditRow.subject != FORGOTTEN_CHAT,
            )
            .values(subject=FORGOTTEN_CHAT)
        )
        return rowcount(renamed) + await self._strip(AuditRow.at < before, TRACES)

    async def _strip(self, where: ColumnElement[bool], keys: tuple[str, ...]) -> int:
        # Row by row in Python: removing a key from JSON has no portable SQL (SQLite's
        # json_remove, PostgreSQL's `-`), and the rows carrying one are few (refusals).
        has_one = [AuditRow.details[key].as_string().is_not(None) for key in keys]
        rows = await self._session.execute(
            select(AuditRow.id, AuditRow.details).where(where, or_(*has_one))
        )
        changed = 0
        for row_id, details in rows.all():
            kept = {k: v for k, v in (details or {}).items() if k not in keys}
            await self._session.execute(
                update(AuditRow).where(AuditRow.id == row_id).values(details=kept or None)
            )
            changed += 1
        return changed
