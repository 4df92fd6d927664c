"""The audit log in SQL: who looked at or changed what, for personal-data accountability, and
its search (newest first, keyset-paged, each filter served by an index: 0010)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audit import AuditEntry, AuditQuery
from storage.models import AuditRow


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
