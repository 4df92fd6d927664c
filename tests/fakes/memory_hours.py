"""The in-memory hour reports, with the SQL store's semantics (part of tests/fakes/memory_store)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.coop import WorkKind
from bot.domain.hours import (
    DAY_MINUTES,
    STEP_MINUTES,
    HourChange,
    HourReport,
    NewHourReport,
    ReportStatus,
)
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


def _check(report: HourReport | NewHourReport, state: MemoryState) -> None:
    """What the SQL store's constraints and foreign keys refuse."""
    if not 0 < report.minutes <= DAY_MINUTES or report.minutes % STEP_MINUTES:
        raise ValueError(f"minutes out of range: {report.minutes}")
    if report.person_id not in state.people or report.centre_id not in state.centres:
        raise ValueError("no such person or centre")
    if report.note is not None and len(report.note) > 200:
        raise ValueError("note longer than its column")


class MemoryHourReportRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(self, report: NewHourReport, at: datetime) -> HourReport:
        _check(report, self._s)
        stored = HourReport(
            id=self._ids.take("hour_reports"),
            person_id=report.person_id,
            centre_id=report.centre_id,
            kind=WorkKind(report.kind),
            day=report.day,
            minutes=report.minutes,
            note=report.note,
            volunteer=report.volunteer,
            status=ReportStatus.PENDING,
            created_at=utc(at),
            updated_at=utc(at),
        )
        self._s.hour_reports[stored.id] = stored
        return stored

    async def get(self, report_id: int) -> HourReport | None:
        return self._s.hour_reports.get(report_id)

    async def save(self, report: HourReport, *, was: ReportStatus) -> bool:
        stored = self._s.hour_reports.get(report.id)
        if stored is None or stored.status != was:
            return False
        _check(report, self._s)
        self._s.hour_reports[report.id] = replace(
            report,
            person_id=stored.person_id,
            created_at=stored.created_at,
            kind=WorkKind(report.kind),
            status=ReportStatus(report.status),
            updated_at=utc(report.updated_at),
            decided_at=None if report.decided_at is None else utc(report.decided_at),
        )
        return True

    async def for_person(self, person_id: int, start: date, end: date) -> Sequence[HourReport]:
        mine = [
            r
            for r in self._s.hour_reports.values()
            if r.person_id == person_id and start <= r.day < end
        ]
        return sorted(mine, key=lambda r: (r.day, r.id))

    async def pending(
        self,
        limit: int,
        *,
        centre_id: int | None = None,
        exclude_person: int | None = None,
        after: int = 0,
        centres: Collection[int] | None = None,
    ) -> Sequence[HourReport]:
        waiting = [r for r in self._pending(centre_id, exclude_person, centres) if r.id > after]
        return waiting[: max(limit, 0)]

    async def count_pending(
        self,
        centre_id: int | None = None,
        exclude_person: int | None = None,
        centres: Collection[int] | None = None,
    ) -> int:
        return len(self._pending(centre_id, exclude_person, centres))

    def _pending(
        self,
        centre_id: int | None,
        exclude_person: int | None,
        centres: Collection[int] | None = None,
    ) -> list[HourReport]:
        return [
            r
            for _, r in sorted(self._s.hour_reports.items())
            if r.status is ReportStatus.PENDING
            and (centre_id is None or r.centre_id == centre_id)
            and (centres is None or r.centre_id in centres)
            and (exclude_person is None or r.person_id != exclude_person)
        ]

    async def add_change(self, change: HourChange) -> None:
        if change.report_id not in self._s.hour_reports:
            raise ValueError(f"no hour report {change.report_id}")  # SQL: foreign key
        key = self._ids.take("hour_report_changes")
        self._s.hour_changes[key] = replace(
            change, at=utc(change.at), details=copy.deepcopy(change.details)
        )

    async def history(self, report_id: int) -> Sequence[HourChange]:
        rows = [(c.at, k, c) for k, c in self._s.hour_changes.items() if c.report_id == report_id]
        return [copy.deepcopy(c) for _, _, c in sorted(rows, key=lambda t: (t[0], t[1]))]
