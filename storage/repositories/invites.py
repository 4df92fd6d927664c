"""One-time invite codes in SQL, by the hash of the code (never the code); using one is a
conditional update, so only one person wins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.invites import Invite, InviteFailures
from bot.domain.people import Role
from storage.models import InviteFailureRow, InviteRow
from storage.repositories._sql import rowcount, upsert_insert


class SqlInviteRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, invite: Invite) -> None:
        await self._session.execute(
            insert(InviteRow).values(
                code_hash=invite.code_hash,
                role=Role(invite.role).value,
                created_by=invite.created_by,
                created_at=invite.created_at,
                expires_at=invite.expires_at,
                used_by=invite.used_by,
                used_at=invite.used_at,
                person_id=invite.person_id,
            )
        )

    async def get(self, code_hash: str) -> Invite | None:
        row = (
            await self._session.execute(
                select(
                    InviteRow.code_hash,
                    InviteRow.role,
                    InviteRow.created_by,
                    InviteRow.created_at,
                    InviteRow.expires_at,
                    InviteRow.used_by,
                    InviteRow.used_at,
                    InviteRow.person_id,
                ).where(InviteRow.code_hash == code_hash)
            )
        ).one_or_none()
        if row is None:
            return None
        return Invite(
            code_hash=row.code_hash,
            role=Role(row.role),
            created_by=row.created_by,
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_by=row.used_by,
            used_at=row.used_at,
            person_id=row.person_id,
        )

    async def mark_used(self, code_hash: str, person_id: int, at: datetime) -> bool:
        # The WHERE re-checks "unused" at write time: of two people racing for one code, the
        # second update matches no row (PostgreSQL re-evaluates it after the first commits).
        result = await self._session.execute(
            update(InviteRow)
            .where(InviteRow.code_hash == code_hash, InviteRow.used_by.is_(None))
            .values(used_by=person_id, used_at=at)
        )
        return rowcount(result) == 1

    async def open_invites(self, now: datetime, limit: int) -> Sequence[Invite]:
        rows = await self._session.execute(
            select(
                InviteRow.code_hash,
                InviteRow.role,
                InviteRow.created_by,
                InviteRow.created_at,
                InviteRow.expires_at,
            )
            # A letter's code is listed with its person on the desk's Members page.
            .where(
                InviteRow.used_by.is_(None),
                InviteRow.expires_at > now,
                InviteRow.person_id.is_(None),
            )
            .order_by(InviteRow.created_at.desc())
            .limit(limit)
        )
        return [
            Invite(row.code_hash, Role(row.role), row.created_by, row.created_at, row.expires_at)
            for row in rows
        ]

    async def open_for(self, person_id: int, now: datetime) -> Sequence[Invite]:
        rows = await self._session.execute(
            select(
                InviteRow.code_hash,
                InviteRow.role,
                InviteRow.created_by,
                InviteRow.created_at,
                InviteRow.expires_at,
            )
            .where(
                InviteRow.person_id == person_id,
                InviteRow.used_by.is_(None),
                InviteRow.expires_at > now,
            )
            .order_by(InviteRow.created_at.desc())
        )
        return [
            Invite(
                row.code_hash,
                Role(row.role),
                row.created_by,
                row.created_at,
                row.expires_at,
                person_id=person_id,
            )
            for row in rows
        ]

    async def revoke_invite(self, code_hash: str, at: datetime) -> bool:
        result = await self._session.execute(
            update(InviteRow)
            .where(
                InviteRow.code_hash == code_hash,
                InviteRow.used_by.is_(None),
                InviteRow.expires_at > at,
            )
            .values(expires_at=at)
        )
        return rowcount(result) == 1

    async def failures(self, telegram_user_id: int) -> InviteFailures | None:
        row = (
            await self._session.execute(
                select(InviteFailureRow.failures, InviteFailureRow.locked_until).where(
                    InviteFailureRow.telegram_user_id == telegram_user_id
                )
            )
        ).one_or_none()
        return None if row is None else InviteFailures(row.failures, row.locked_until)

    async def put_failures(
        self, telegram_user_id: int, failures: InviteFailures, at: datetime
    ) -> None:
        values = {
            "failures": failures.failures,
            "locked_until": failures.locked_until,
            "updated_at": at,
        }
        await self._session.execute(
            upsert_insert(self._session, InviteFailureRow)
            .values(telegram_user_id=telegram_user_id, **values)
            .on_conflict_do_update(index_elements=["telegram_user_id"], set_=values)
        )

    async def clear_failures(self, telegram_user_id: int) -> None:
        await self._session.execute(
            delete(InviteFailureRow).where(InviteFailureRow.telegram_user_id == telegram_user_id)
        )

    async def forget_failures(self, before: datetime) -> int:
        # A counter nobody added to since `before`, and no lockout still running: done with.
        result = await self._session.execute(
            delete(InviteFailureRow).where(
                InviteFailureRow.updated_at < before,
                or_(
                    InviteFailureRow.locked_until.is_(None),
                    InviteFailureRow.locked_until < before,
                ),
            )
        )
        return rowcount(result)
