"""The member roster in SQL (`member_roster`), and the open letters' codes of its people."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.roster import RosterEntry
from storage.models import InviteRow, MemberRosterRow, PersonRow

# Bound parameters per statement, well under SQLite's and asyncpg's limits.
_CHUNK = 500


class SqlRosterRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, entry: RosterEntry) -> None:
        await self._session.execute(
            insert(MemberRosterRow).values(
                person_id=entry.person_id,
                member_key=entry.key,
                kana=entry.kana,
                phone=entry.phone,
                imported_at=entry.imported_at,
            )
        )

    async def get(self, person_id: int) -> RosterEntry | None:
        row = (
            await self._session.execute(
                select(MemberRosterRow).where(MemberRosterRow.person_id == person_id)
            )
        ).one_or_none()
        return None if row is None else _entry(row)

    async def by_keys(self, keys: Collection[str]) -> dict[str, int]:
        wanted = list(keys)
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = await self._session.execute(
                select(MemberRosterRow.member_key, MemberRosterRow.person_id).where(
                    MemberRosterRow.member_key.in_(wanted[start : start + _CHUNK])
                )
            )
            found.update({row.member_key: row.person_id for row in rows})
        return found

    async def waiting(self, after: int, limit: int) -> Sequence[RosterEntry]:
        rows = await self._session.execute(
            select(MemberRosterRow)
            .join(PersonRow, PersonRow.id == MemberRosterRow.person_id)
            .where(MemberRosterRow.person_id > after, PersonRow.telegram_user_id.is_(None))
            .order_by(MemberRosterRow.person_id)
            .limit(limit)
        )
        return [_entry(row) for row in rows]

    async def open_code_until(
        self, person_ids: Collection[int], now: datetime
    ) -> dict[int, datetime]:
        wanted = list(person_ids)
        found: dict[int, datetime] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = await self._session.execute(
                select(InviteRow.person_id, func.max(InviteRow.expires_at).label("until"))
                .where(
                    InviteRow.person_id.in_(wanted[start : start + _CHUNK]),
                    InviteRow.used_by.is_(None),
                    InviteRow.expires_at > now,
                )
                .group_by(InviteRow.person_id)
            )
            found.update({row.person_id: row.until for row in rows})
        return found

    async def stale(self, cutoff: datetime, limit: int) -> Sequence[int]:
        recent = select(InviteRow.person_id).where(
            InviteRow.person_id == MemberRosterRow.person_id, InviteRow.expires_at >= cutoff
        )
        rows = await self._session.execute(
            select(MemberRosterRow.person_id)
            .join(PersonRow, PersonRow.id == MemberRosterRow.person_id)
            .where(
                MemberRosterRow.imported_at < cutoff,
                PersonRow.telegram_user_id.is_(None),
                ~recent.exists(),
            )
            .order_by(MemberRosterRow.person_id)
            .limit(limit)
        )
        return [row.person_id for row in rows]

    async def forget(self, person_id: int) -> None:
        await self._session.execute(
            delete(MemberRosterRow).where(MemberRosterRow.person_id == person_id)
        )
        await self._session.execute(delete(InviteRow).where(InviteRow.person_id == person_id))


def _entry(row: object) -> RosterEntry:
    return RosterEntry(
        person_id=row.person_id,  # type: ignore[attr-defined]
        key=row.member_key,  # type: ignore[attr-defined]
        kana=row.kana,  # type: ignore[attr-defined]
        phone=row.phone,  # type: ignore[attr-defined]
        imported_at=row.imported_at,  # type: ignore[attr-defined]
    )
