"""Service requests, their history, question-and-answer threads, drafts and reference counters."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.requests import (
    CLOSED,
    ForWhom,
    MessageDirection,
    RequestAction,
    RequestChange,
    RequestDraft,
    RequestForm,
    RequestMessage,
    RequestStatus,
    ServiceKind,
    ServiceRequest,
    TimeWindow,
)
from storage.models import (
    ServiceRequestChangeRow,
    ServiceRequestDraftRow,
    ServiceRequestMessageRow,
    ServiceRequestRow,
    ServiceRequestSequenceRow,
)
from storage.repositories._sql import rowcount, upsert_insert

_R = ServiceRequestRow
_COLUMNS = (
    _R.id,
    _R.reference,
    _R.requester_id,
    _R.kind,
    _R.for_whom,
    _R.days,
    _R.time_window,
    _R.area,
    _R.address,
    _R.phone,
    _R.details,
    _R.voice_file_ids,
    _R.status,
    _R.created_at,
    _R.updated_at,
    _R.consent_at,
    _R.taken_by,
    _R.centre_id,
    _R.contact_when,
    _R.scheduled_for,
    _R.decline_reason,
    _R.purged_at,
)


class SqlServiceRequestRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def next_sequence(self, month: str) -> int:
        # One statement that inserts the month's first number or increments it in place: the row
        # lock (PostgreSQL) or the writer lock (SQLite) orders concurrent submitters.
        stmt = upsert_insert(self._session, ServiceRequestSequenceRow).values(month=month, last=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ServiceRequestSequenceRow.month],
            set_={"last": ServiceRequestSequenceRow.last + 1},
        ).returning(ServiceRequestSequenceRow.last)
        value: int = (await self._session.execute(stmt)).scalar_one()
        return value

    async def add(
        self, form: RequestForm, *, reference: str, requester_id: int, at: datetime
    ) -> ServiceRequest:
        request_id = (
            await self._session.execute(
                insert(_R)
                .values(
                    reference=reference,
                    requester_id=requester_id,
                    kind=ServiceKind(form.kind).value,
                    for_whom=ForWhom(form.for_whom).value,
                    days=[d.isoformat() for d in form.days],
                    time_window=TimeWindow(form.time_window).value,
                    area=form.area,
                    address=form.address,
                    phone=form.phone,
                    details=form.details,
                    voice_file_ids=list(form.voice_file_ids),
                    status=RequestStatus.RECEIVED.value,
                    created_at=at,
                    updated_at=at,
                    consent_at=at,
                )
                .returning(_R.id)
            )
        ).scalar_one()
        stored = await self.get(request_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def get(self, request_id: int) -> ServiceRequest | None:
        found = await self._requests(_R.id == request_id)
        return found[0] if found else None

    async def by_reference(self, reference: str) -> ServiceRequest | None:
        found = await self._requests(_R.reference == reference)
        return found[0] if found else None

    async def save(self, request: ServiceRequest, *, was: RequestStatus) -> bool:
        result = await self._session.execute(
            update(_R)
            .where(_R.id == request.id, _R.status == RequestStatus(was).value)
            .values(
                status=RequestStatus(request.status).value,
                updated_at=request.updated_at,
                taken_by=request.taken_by,
                centre_id=request.centre_id,
                contact_when=request.contact_when,
                scheduled_for=request.scheduled_for,
                decline_reason=request.decline_reason,
            )
        )
        return rowcount(result) == 1

    async def take(self, request_id: int, staff_id: int, at: datetime) -> bool:
        result = await self._session.execute(
            update(_R)
            .where(
                _R.id == request_id,
                _R.status == RequestStatus.RECEIVED.value,
                _R.taken_by.is_(None),
            )
            .values(status=RequestStatus.UNDER_REVIEW.value, taken_by=staff_id, updated_at=at)
        )
        return rowcount(result) == 1

    async def for_requester(self, person_id: int, limit: int) -> Sequence[ServiceRequest]:
        return await self._requests(
            _R.requester_id == person_id, order=(_R.id.desc(),), limit=max(limit, 0)
        )

    async def waiting(
        self,
        statuses: frozenset[RequestStatus],
        *,
        centre_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
        centres: Collection[int] | None = None,
    ) -> Sequence[ServiceRequest]:
        where: list[ColumnElement[bool]] = [_R.status.in_(sorted(s.value for s in statuses))]
        if centre_id is not None:
            where.append(_R.centre_id == centre_id)
        if centres is not None:
            where.append(_R.centre_id.in_(sorted(centres)))
        return await self._requests(
            *where, order=(_R.created_at, _R.id), limit=max(limit, 0), offset=max(offset, 0)
        )

    async def count_by_status(
        self, centre_id: int | None = None, centres: Collection[int] | None = None
    ) -> dict[RequestStatus, int]:
        stmt = select(_R.status, func.count()).group_by(_R.status)
        if centre_id is not None:
            stmt = stmt.where(_R.centre_id == centre_id)
        if centres is not None:
            stmt = stmt.where(_R.centre_id.in_(sorted(centres)))
        return {RequestStatus(row[0]): row[1] for row in await self._session.execute(stmt)}

    async def closed_before(self, cutoff: datetime, limit: int) -> Sequence[ServiceRequest]:
        return await self._requests(
            _R.status.in_(sorted(s.value for s in CLOSED)),
            _R.updated_at < cutoff,
            _R.purged_at.is_(None),
            limit=max(limit, 0),
        )

    async def purge_personal(self, request_id: int, at: datetime) -> bool:
        result = await self._session.execute(
            update(_R)
            .where(_R.id == request_id, _R.purged_at.is_(None))
            .values(address=None, phone=None, details=None, voice_file_ids=[], purged_at=at)
        )
        if rowcount(result) != 1:
            return False
        await self._session.execute(
            update(ServiceRequestMessageRow)
            .where(ServiceRequestMessageRow.request_id == request_id)
            .values(text=None, voice_file_id=None)
        )
        return True

    async def add_change(self, change: RequestChange) -> None:
        await self._session.execute(
            insert(ServiceRequestChangeRow).values(
                request_id=change.request_id,
                at=change.at,
                actor_person_id=change.actor_person_id,
                action=RequestAction(change.action).value,
                from_status=None if change.from_status is None else change.from_status.value,
                to_status=RequestStatus(change.to_status).value,
                details=change.details,
            )
        )

    async def history(self, request_id: int) -> Sequence[RequestChange]:
        c = ServiceRequestChangeRow
        rows = await self._session.execute(
            select(c.request_id, c.at, c.actor_person_id, c.action, c.from_status, c.to_status)
            .add_columns(c.details)
            .where(c.request_id == request_id)
            .order_by(c.at, c.id)
        )
        return [
            RequestChange(
                request_id=row.request_id,
                at=row.at,
                actor_person_id=row.actor_person_id,
                action=RequestAction(row.action),
                from_status=None if row.from_status is None else RequestStatus(row.from_status),
                to_status=RequestStatus(row.to_status),
                details=dict(row.details),
            )
            for row in rows
        ]

    async def add_message(
        self,
        request_id: int,
        direction: MessageDirection,
        author_person_id: int | None,
        text: str,
        at: datetime,
        voice_file_id: str | None = None,
    ) -> RequestMessage:
        m = ServiceRequestMessageRow
        message_id = (
            await self._session.execute(
                insert(m)
                .values(
                    request_id=request_id,
                    at=at,
                    author_person_id=author_person_id,
                    direction=MessageDirection(direction).value,
                    text=text,
                    voice_file_id=voice_file_id,
                )
                .returning(m.id)
            )
        ).scalar_one()
        return RequestMessage(
            message_id, request_id, at, author_person_id, direction, text, voice_file_id
        )

    async def messages(self, request_id: int) -> Sequence[RequestMessage]:
        m = ServiceRequestMessageRow
        rows = await self._session.execute(
            select(
                m.id, m.request_id, m.at, m.author_person_id, m.direction, m.text, m.voice_file_id
            )
            .where(m.request_id == request_id)
            .order_by(m.at, m.id)
        )
        return [
            RequestMessage(
                id=row.id,
                request_id=row.request_id,
                at=row.at,
                author_person_id=row.author_person_id,
                direction=MessageDirection(row.direction),
                text=row.text,
                voice_file_id=row.voice_file_id,
            )
            for row in rows
        ]

    async def put_draft(self, person_id: int, data: dict[str, Any], at: datetime) -> None:
        d = ServiceRequestDraftRow
        stmt = upsert_insert(self._session, d).values(person_id=person_id, data=data, updated_at=at)
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[d.person_id], set_={"data": data, "updated_at": at}
            )
        )

    async def get_draft(self, person_id: int) -> RequestDraft | None:
        d = ServiceRequestDraftRow
        row = (
            await self._session.execute(
                select(d.person_id, d.data, d.updated_at).where(d.person_id == person_id)
            )
        ).first()
        return None if row is None else RequestDraft(row.person_id, dict(row.data), row.updated_at)

    async def delete_draft(self, person_id: int) -> None:
        await self._session.execute(
            delete(ServiceRequestDraftRow).where(ServiceRequestDraftRow.person_id == person_id)
        )

    async def delete_drafts_before(self, cutoff: datetime) -> int:
        result = await self._session.execute(
            delete(ServiceRequestDraftRow).where(ServiceRequestDraftRow.updated_at < cutoff)
        )
        return rowcount(result)

    async def _requests(
        self,
        *where: ColumnElement[bool],
        order: tuple[Any, ...] = (_R.id,),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ServiceRequest]:
        stmt = select(*_COLUMNS).where(*where).order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        return [_request(row) for row in await self._session.execute(stmt)]


def _request(row: Any) -> ServiceRequest:
    return ServiceRequest(
        id=row.id,
        reference=row.reference,
        requester_id=row.requester_id,
        kind=ServiceKind(row.kind),
        for_whom=ForWhom(row.for_whom),
        days=tuple(date.fromisoformat(d) for d in row.days),
        time_window=TimeWindow(row.time_window),
        area=row.area,
        address=row.address,
        phone=row.phone,
        details=row.details,
        voice_file_ids=tuple(row.voice_file_ids),
        status=RequestStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        consent_at=row.consent_at,
        taken_by=row.taken_by,
        centre_id=row.centre_id,
        contact_when=row.contact_when,
        scheduled_for=row.scheduled_for,
        decline_reason=row.decline_reason,
        purged_at=row.purged_at,
    )
