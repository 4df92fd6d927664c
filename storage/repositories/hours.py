"""Hour reports and their history in SQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.coop import WorkKind
from bot.domain.hours import (
    ChangeAction,
    HourChange,
    HourReport,
    NewHourReport,
    ReportStatus,
)
from storage.models import HourReportChangeRow, HourReportRow
from storage.repositories._sql import rowcount

_COLUMNS = (
    HourReportRow.id,
    HourReportRow.person_id,
    HourReportRow.centre_id,
    HourReportRow.kind,
    HourReportRow.day,
    HourReportRow.minutes,
    HourReportRow.note,
    HourReportRow.status,
    HourReportRow.created_at,
    HourReportRow.updated_at,
    HourReportRow.decided_by,
    HourReportRow.decided_at,
    HourReportRow.reason,
    HourReportRow.volunteer,
)


class SqlHourReportRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, report: NewHourReport, at: datetime) -> HourReport:
        report_id = (
            await self._session.execute(
                insert(HourReportRow)
                .values(
                    person_id=report.person_id,
                    centre_id=report.centre_id,
                    kind=WorkKind(report.kind).value,
                    day=report.day,
                    minutes=report.minutes,
                    note=report.note,
                    volunteer=report.volunteer,
                    status=ReportStatus.PENDING.value,
                    created_at=at,
                    updated_at=at,
                )
                .returning(HourReportRow.id)
            )
        ).scalar_one()
        stored = await self.get(report_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def get(self, report_id: int) -> HourReport | None:
        found = await self._reports(HourReportRow.id == report_id)
        return found[0] if found else None

    async def save(self, report: HourReport, *, was: ReportStatus) -> bool:
        result = await self._session.execute(
            update(HourReportRow)
            .where(HourReportRow.id == report.id, HourReportRow.status == ReportStatus(was).value)
            .values(
                centre_id=report.centre_id,
                kind=WorkKind(report.kind).value,
                day=report.day,
                minutes=report.minutes,
                note=report.note,
                status=ReportStatus(report.status).value,
                updated_at=report.updated_at,
                decided_by=report.decided_by,
                decided_at=report.decided_at,
                reason=report.reason,
            )
        )
        return rowcount(result) == 1

    async def for_person(self, person_id: int, start: date, end: date) -> Sequence[HourReport]:
        return await self._reports(
            HourReportRow.person_id == person_id,
            HourReportRow.day >= start,
            HourReportRow.day < end,
            order=(HourReportRow.day, HourReportRow.id),
        )

    async def pending(
        self,
        limit: int,
        *,
        centre_id: int | None = None,
        exclude_person: int | None = None,
        after: int = 0,
        centres: Collection[int] | None = None,
    ) -> Sequence[HourReport]:
        return await self._reports(
            *_pending(centre_id, exclude_person, centres),
            HourReportRow.id > after,
            order=(HourReportRow.id,),
            limit=max(limit, 0),
        )

    async def count_pending(
        self,
        centre_id: int | None = None,
        exclude_person: int | None = None,
        centres: Collection[int] | None = None,
    ) -> int:
        # All pending ones are counted from an index alone (status, centre, id: 0012); the staff
        # member's own few, found by person, are taken away. Filtering "not mine" row by row
        # instead read every pending row of the table: 0.5 s a page with a million reports.
        total = select(func.count()).where(*_pending(centre_id, None, centres))
        count = int((await self._session.execute(total)).scalar_one())
        if exclude_person is None:
            return count
        own = select(func.count()).where(
            *_pending(centre_id, None, centres), HourReportRow.person_id == exclude_person
        )
        return count - int((await self._session.execute(own)).scalar_one())

    async def add_change(self, change: HourChange) -> None:
        await self._session.execute(
            insert(HourReportChangeRow).values(
                report_id=change.report_id,
                at=change.at,
                actor_person_id=change.actor_person_id,
                action=ChangeAction(change.action).value,
                details=change.details,
            )
        )

    async def history(self, report_id: int) -> Sequence[HourChange]:
        rows = await self._session.execute(
            select(
                HourReportChangeRow.report_id,
                HourReportChangeRow.at,
                HourReportChangeRow.actor_person_id,
                HourReportChangeRow.action,
                HourReportChangeRow.details,
            )
            .where(HourReportChangeRow.report_id == report_id)
            .order_by(HourReportChangeRow.at, HourReportChangeRow.id)
        )
        return [
            HourChange(
                report_id=row.report_id,
                at=row.at,
                actor_person_id=row.actor_person_id,
                action=ChangeAction(row.action),
                details=dict(row.details),
            )
            for row in rows
        ]

    async def _reports(
        self,
        *where: ColumnElement[bool],
        order: tuple[Any, ...] = (HourReportRow.id,),
        limit: int | None = None,
    ) -> list[HourReport]:
        stmt = select(*_COLUMNS).where(*where).order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_report(row) for row in await self._session.execute(stmt)]


def _pending(
    centre_id: int | None, exclude_person: int | None, centres: Collection[int] | None = None
) -> list[ColumnElement[bool]]:
    where = [HourReportRow.status == ReportStatus.PENDING.value]
    if centre_id is not None:
        where.append(HourReportRow.centre_id == centre_id)
    if centres is not None:
        where.append(HourReportRow.centre_id.in_(sorted(centres)))
    if exclude_person is not None:
        where.append(HourReportRow.person_id != exclude_person)
    return where


def _report(row: Any) -> HourReport:
    return HourReport(
        id=row.id,
        person_id=row.person_id,
        centre_id=row.centre_id,
        kind=WorkKind(row.kind),
        day=row.day,
        minutes=row.minutes,
        note=row.note,
        status=ReportStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        volunteer=bool(row.volunteer),
        reason=row.reason,
    )
