"""The in-memory service requests, with the SQL store's semantics (part of memory_store)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.requests import (
    CLOSED,
    MessageDirection,
    RequestChange,
    RequestDraft,
    RequestForm,
    RequestMessage,
    RequestStatus,
    ServiceRequest,
)
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids


def _opt(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


class MemoryServiceRequestRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def next_sequence(self, month: str) -> int:
        value = self._s.request_sequences.get(month, 0) + 1
        self._s.request_sequences[month] = value
        return value

    async def add(
        self, form: RequestForm, *, reference: str, requester_id: int, at: datetime
    ) -> ServiceRequest:
        if requester_id not in self._s.people:
            raise ValueError("no such person")  # SQL: foreign key
        if any(r.reference == reference for r in self._s.service_requests.values()):
            raise ValueError(f"reference {reference} exists")  # SQL: unique
        if len(form.address) > 200 or len(form.phone) > 20:
            raise ValueError("longer than its column")
        stored = ServiceRequest(
            id=self._ids.take("service_requests"),
            reference=reference,
            requester_id=requester_id,
            kind=form.kind,
            for_whom=form.for_whom,
            days=tuple(form.days),
            time_window=form.time_window,
            area=form.area,
            address=form.address,
            phone=form.phone,
            details=form.details,
            voice_file_ids=tuple(form.voice_file_ids),
            status=RequestStatus.RECEIVED,
            created_at=utc(at),
            updated_at=utc(at),
            consent_at=utc(at),
        )
        self._s.service_requests[stored.id] = stored
        return stored

    async def get(self, request_id: int) -> ServiceRequest | None:
        return self._s.service_requests.get(request_id)

    async def by_reference(self, reference: str) -> ServiceRequest | None:
        return next(
            (r for r in self._s.service_requests.values() if r.reference == reference), None
        )

    async def save(self, request: ServiceRequest, *, was: RequestStatus) -> bool:
        stored = self._s.service_requests.get(request.id)
        if stored is None or stored.status != was:
            return False
        if request.centre_id is not None and request.centre_id not in self._s.centres:
            raise ValueError("no such centre")
        self._s.service_requests[request.id] = replace(
            stored,
            status=RequestStatus(request.status),
            updated_at=utc(request.updated_at),
            taken_by=request.taken_by,
            centre_id=request.centre_id,
            contact_when=_opt(request.contact_when),
            scheduled_for=_opt(request.scheduled_for),
            decline_reason=request.decline_reason,
        )
        return True

    async def take(self, request_id: int, staff_id: int, at: datetime) -> bool:
        stored = self._s.service_requests.get(request_id)
        if stored is None or stored.status is not RequestStatus.RECEIVED or stored.taken_by:
            return False
        self._s.service_requests[request_id] = replace(
            stored, status=RequestStatus.UNDER_REVIEW, taken_by=staff_id, updated_at=utc(at)
        )
        return True

    async def for_requester(self, person_id: int, limit: int) -> Sequence[ServiceRequest]:
        mine = [r for r in self._s.service_requests.values() if r.requester_id == person_id]
        return sorted(mine, key=lambda r: -r.id)[: max(limit, 0)]

    async def waiting(
        self,
        statuses: frozenset[RequestStatus],
        *,
        centre_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
        centres: Collection[int] | None = None,
    ) -> Sequence[ServiceRequest]:
        found = [
            r
            for r in self._s.service_requests.values()
            if r.status in statuses
            and (centre_id is None or r.centre_id == centre_id)
            and (centres is None or r.centre_id in centres)
        ]
        found.sort(key=lambda r: (r.created_at, r.id))
        return found[max(offset, 0) : max(offset, 0) + max(limit, 0)]

    async def count_by_status(
        self, centre_id: int | None = None, centres: Collection[int] | None = None
    ) -> dict[RequestStatus, int]:
        counts: dict[RequestStatus, int] = {}
        for r in self._s.service_requests.values():
            if (centre_id is None or r.centre_id == centre_id) and (
                centres is None or r.centre_id in centres
            ):
                counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    async def closed_before(self, cutoff: datetime, limit: int) -> Sequence[ServiceRequest]:
        found = [
            r
            for _, r in sorted(self._s.service_requests.items())
            if r.status in CLOSED and r.updated_at < cutoff and r.purged_at is None
        ]
        return found[: max(limit, 0)]

    async def purge_personal(self, request_id: int, at: datetime) -> bool:
        stored = self._s.service_requests.get(request_id)
        if stored is None or stored.purged_at is not None:
            return False
        self._s.service_requests[request_id] = replace(
            stored, address=None, phone=None, details=None, voice_file_ids=(), purged_at=utc(at)
        )
        for key, m in list(self._s.request_messages.items()):
            if m.request_id == request_id:
                self._s.request_messages[key] = replace(m, text=None, voice_file_id=None)
        return True

    async def add_change(self, change: RequestChange) -> None:
        if change.request_id not in self._s.service_requests:
            raise ValueError(f"no service request {change.request_id}")  # SQL: foreign key
        key = self._ids.take("service_request_changes")
        self._s.request_changes[key] = replace(
            change, at=utc(change.at), details=copy.deepcopy(change.details)
        )

    async def history(self, request_id: int) -> Sequence[RequestChange]:
        rows = [
            (c.at, k, c) for k, c in self._s.request_changes.items() if c.request_id == request_id
        ]
        return [copy.deepcopy(c) for _, _, c in sorted(rows, key=lambda t: (t[0], t[1]))]

    async def add_message(
        self,
        request_id: int,
        direction: MessageDirection,
        author_person_id: int | None,
        text: str,
        at: datetime,
        voice_file_id: str | None = None,
    ) -> RequestMessage:
        if request_id not in self._s.service_requests:
            raise ValueError(f"no service request {request_id}")
        message = RequestMessage(
            self._ids.take("service_request_messages"),
            request_id,
            utc(at),
            author_person_id,
            MessageDirection(direction),
            text,
            voice_file_id,
        )
        self._s.request_messages[message.id] = message
        return message

    async def messages(self, request_id: int) -> Sequence[RequestMessage]:
        mine = [m for m in self._s.request_messages.values() if m.request_id == request_id]
        return sorted(mine, key=lambda m: (m.at, m.id))

    async def put_draft(self, person_id: int, data: dict[str, Any], at: datetime) -> None:
        if person_id not in self._s.people:
            raise ValueError("no such person")
        self._s.request_drafts[person_id] = RequestDraft(person_id, copy.deepcopy(data), utc(at))

    async def get_draft(self, person_id: int) -> RequestDraft | None:
        draft = self._s.request_drafts.get(person_id)
        return None if draft is None else copy.deepcopy(draft)

    async def delete_draft(self, person_id: int) -> None:
        self._s.request_drafts.pop(person_id, None)

    async def delete_drafts_before(self, cutoff: datetime) -> int:
        old = [p for p, d in self._s.request_drafts.items() if d.updated_at < cutoff]
        for person_id in old:
            del self._s.request_drafts[person_id]
        return len(old)
