"""The store of hour reports as the core sees it (part of the unit of work in `store.py`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.domain.hours import HourChange, HourReport, NewHourReport, ReportStatus


class HourReportRepository(Protocol):
    async def add(self, report: NewHourReport, at: datetime) -> HourReport:
        """Stores a new report, pending, created and updated `at`."""
        ...

    async def get(self, report_id: int) -> HourReport | None: ...

    async def save(self, report: HourReport, *, was: ReportStatus) -> bool:
        """Writes the report's changeable fields only if its stored status is still `was`.

        A conditional update: of two staff deciding the same report at once, one wins (True) and
        the other changes nothing (False).
        """
        ...

    async def for_person(self, person_id: int, start: date, end: date) -> Sequence[HourReport]:
        """The person's reports for days in [start, end), by day then id (every status)."""
        ...

    async def pending(
        self,
        limit: int,
        *,
        centre_id: int | None = None,
        exclude_person: int | None = None,
        after: int = 0,
        centres: Collection[int] | None = None,
    ) -> Sequence[HourReport]:
        """Reports waiting for review with id > `after`, oldest (lowest id) first; of one centre,
        of the centres in `centres` (a staff member's scope; empty: none) and without one
        person's own, when given. A keyset page: the thousandth page costs what the first
        does."""
        ...

    async def count_pending(
        self,
        centre_id: int | None = None,
        exclude_person: int | None = None,
        centres: Collection[int] | None = None,
    ) -> int:
        """How many `pending` would list in all."""
        ...

    async def add_change(self, change: HourChange) -> None: ...

    async def history(self, report_id: int) -> Sequence[HourChange]:
        """Every change to the report, in the order it happened."""
        ...
