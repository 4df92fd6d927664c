"""Payroll export queries: a month of hour reports summed per person and centre in SQL.

A month of a large co-op is ~130,000 reports; they are grouped by the database (one pass over
the month's index range), and only the ~6,000 sums travel to Python.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.exports import HoursLine, HoursQuery, HoursScope
from bot.domain.hours import ReportStatus
from storage.models import HourReportRow, PersonRow


class SqlExportRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def hours(self, query: HoursQuery) -> Sequence[HoursLine]:
        statuses = [ReportStatus.APPROVED.value]
        if query.scope is HoursScope.ALL:
            statuses.append(ReportStatus.PENDING.value)
        report = HourReportRow
        approved = report.status == ReportStatus.APPROVED.value
        conditions = [report.day >= query.start, report.day < query.end]
        conditions.append(report.status.in_(statuses))
        if query.centre_id is not None:
            conditions.append(report.centre_id == query.centre_id)
        sums = (
            select(
                report.person_id,
                report.centre_id,
                report.volunteer,
                func.count(distinct(report.day)).label("days"),
                func.sum(case((approved, report.minutes), else_=0)).label("approved"),
                func.sum(case((approved, 0), else_=report.minutes)).label("pending"),
            )
            .where(*conditions)
            .group_by(report.person_id, report.centre_id, report.volunteer)
            .subquery()
        )
        rows = await self._session.execute(
            select(
                sums.c.person_id,
                sums.c.centre_id,
                sums.c.days,
                sums.c.approved,
                sums.c.pending,
                sums.c.volunteer,
                PersonRow.display_name,
            )
            .select_from(sums)
            .join(PersonRow, PersonRow.id == sums.c.person_id)
            .order_by(sums.c.person_id, sums.c.centre_id, sums.c.volunteer)
        )
        return [
            HoursLine(
                person_id=row.person_id,
                name=row.display_name,
                centre_id=row.centre_id,
                days=int(row.days),
                approved_minutes=int(row.approved or 0),
                pending_minutes=int(row.pending or 0),
                volunteer=bool(row.volunteer),
            )
            for row in rows
        ]
