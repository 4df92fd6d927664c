"""The in-memory export sums, as the SQL store sums them (part of tests/fakes/memory_store)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.domain.exports import HoursLine, HoursQuery, HoursScope
from bot.domain.hours import ReportStatus

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState


class MemoryExportRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def hours(self, query: HoursQuery) -> Sequence[HoursLine]:
        counted = {ReportStatus.APPROVED}
        if query.scope is HoursScope.ALL:
            counted.add(ReportStatus.PENDING)
        sums: dict[tuple[int, int, bool], tuple[set[object], int, int]] = {}
        for report in self._s.hour_reports.values():
            if report.status not in counted or not query.start <= report.day < query.end:
                continue
            if query.centre_id is not None and report.centre_id != query.centre_id:
                continue
            key = (report.person_id, report.centre_id, report.volunteer)
            days, approved, pending = sums.get(key, (set(), 0, 0))
            days.add(report.day)
            if report.status is ReportStatus.APPROVED:
                approved += report.minutes
            else:
                pending += report.minutes
            sums[key] = (days, approved, pending)
        lines = []
        for (person_id, centre_id, volunteer), (days, approved, pending) in sorted(sums.items()):
            person = self._s.people[person_id]
            lines.append(
                HoursLine(
                    person_id=person_id,
                    name=person.display_name,
                    centre_id=centre_id,
                    days=len(days),
                    approved_minutes=approved,
                    pending_minutes=pending,
                    volunteer=volunteer,
                )
            )
        return lines
