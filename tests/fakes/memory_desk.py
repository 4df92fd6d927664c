"""The in-memory desk repository, with the SQL store's semantics (see memory_store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.coop import Assembly, Shift
from bot.domain.desk import AuditEntry, AuditQuery, DeskLogin, DeskSession
from bot.domain.hours import HourReport, ReportStatus
from bot.domain.people import Person, Role

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime refused by the store: {value!r}")
    return value.astimezone(UTC)


class MemoryDeskRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add_login(self, login: DeskLogin) -> None:
        if login.token_hash in self._s.desk_logins or login.person_id not in self._s.people:
            raise ValueError("duplicate link or unknown person")
        self._s.desk_logins[login.token_hash] = replace(
            login, created_at=_utc(login.created_at), expires_at=_utc(login.expires_at)
        )

    async def get_login(self, token_hash: str) -> DeskLogin | None:
        return self._s.desk_logins.get(token_hash)

    async def use_login(self, token_hash: str, at: datetime) -> bool:
        login = self._s.desk_logins.get(token_hash)
        if login is None or login.used_at is not None:
            return False
        self._s.desk_logins[token_hash] = replace(login, used_at=_utc(at))
        return True

    async def add_session(self, session: DeskSession) -> None:
        if session.id_hash in self._s.desk_sessions or session.person_id not in self._s.people:
            raise ValueError("duplicate session or unknown person")
        self._s.desk_sessions[session.id_hash] = session

    async def get_session(self, id_hash: str) -> DeskSession | None:
        return self._s.desk_sessions.get(id_hash)

    async def touch_session(self, id_hash: str, at: datetime) -> None:
        session = self._s.desk_sessions.get(id_hash)
        if session is not None:
            self._s.desk_sessions[id_hash] = replace(session, last_seen_at=_utc(at))

    async def end_session(self, id_hash: str, at: datetime) -> None:
        session = self._s.desk_sessions.get(id_hash)
        if session is not None and session.ended_at is None:
            self._s.desk_sessions[id_hash] = replace(session, ended_at=_utc(at))

    def _pending(self, centre_id: int | None, exclude_person: int | None) -> list[HourReport]:
        return sorted(
            (
                r
                for r in self._s.hour_reports.values()
                if r.status is ReportStatus.PENDING
                and (centre_id is None or r.centre_id == centre_id)
                and (exclude_person is None or r.person_id != exclude_person)
            ),
            key=lambda r: r.id,
        )

    async def pending_hours(
        self, centre_id: int | None, exclude_person: int | None, after: int, limit: int
    ) -> Sequence[HourReport]:
        return [r for r in self._pending(centre_id, exclude_person) if r.id > after][:limit]

    async def count_pending_hours(self, centre_id: int | None, exclude_person: int | None) -> int:
        return len(self._pending(centre_id, exclude_person))

    async def people(self, role: Role | None, after: int, limit: int) -> Sequence[Person]:
        found = [
            p
            for _, p in sorted(self._s.people.items())
            if p.id > after and (role is None or role in p.roles)
        ]
        return found[:limit]

    async def count_by_role(self) -> dict[Role, int]:
        counts: dict[Role, int] = {}
        for person in self._s.people.values():
            for role in person.roles:
                counts[role] = counts.get(role, 0) + 1
        return counts

    async def audit(
        self, query: AuditQuery, before: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        found: list[AuditEntry] = []
        for index in range(len(self._s.audit), 0, -1):
            record = self._s.audit[index - 1]
            if before is not None and index >= before:
                continue
            if query.subject and record.subject != query.subject:
                continue
            if (
                query.actor_person_id is not None
                and record.actor_person_id != query.actor_person_id
            ):
                continue
            if query.action and not (
                record.action.startswith(query.action)
                if query.action.endswith(".")
                else record.action == query.action
            ):
                continue
            if query.since is not None and record.at < query.since:
                continue
            if query.until is not None and record.at >= query.until:
                continue
            found.append(
                AuditEntry(
                    index,
                    record.at,
                    record.actor_person_id,
                    record.action,
                    record.subject,
                    record.details,
                )
            )
            if len(found) == limit:
                break
        return found

    async def update_shift(self, shift: Shift) -> bool:
        if shift.id not in self._s.shifts:
            return False
        self._s.shifts[shift.id] = replace(
            shift,
            starts_at=_utc(shift.starts_at),
            ends_at=_utc(shift.ends_at),
            assigned=frozenset(),
        )
        return True

    async def update_assembly(self, assembly: Assembly) -> bool:
        stored = self._s.assemblies.get(assembly.id)
        if stored is None:
            return False
        self._s.assemblies[assembly.id] = replace(
            stored,
            title_ja=assembly.title_ja,
            title_en=assembly.title_en,
            place_ja=assembly.place_ja,
            place_en=assembly.place_en,
            agenda_ja=assembly.agenda_ja,
            agenda_en=assembly.agenda_en,
            quorum=assembly.quorum,
        )
        return True
