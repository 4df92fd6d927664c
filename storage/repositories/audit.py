"""The audit log in SQL: who looked at or changed what, for personal-data accountability."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

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
