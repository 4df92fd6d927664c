"""The store of service requests as the core sees it (part of the unit of work in `store.py`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.requests import (
    MessageDirection,
    RequestChange,
    RequestDraft,
    RequestForm,
    RequestMessage,
    RequestStatus,
    ServiceRequest,
)


class ServiceRequestRepository(Protocol):
    async def next_sequence(self, month: str) -> int:
        """The next number of the month's reference counter (1, 2, ...): race-free, never reused."""
        ...

    async def add(
        self, form: RequestForm, *, reference: str, requester_id: int, at: datetime
    ) -> ServiceRequest:
        """Stores a new request, received, consented to, created and updated `at`."""
        ...

    async def get(self, request_id: int) -> ServiceRequest | None: ...
    async def by_reference(self, reference: str) -> ServiceRequest | None: ...

    async def save(self, request: ServiceRequest, *, was: RequestStatus) -> bool:
        """Writes the changeable fields only if the stored status is still `was` (conditional)."""
        ...

    async def take(self, request_id: int, staff_id: int, at: datetime) -> bool:
        """Marks the request under review by `staff_id` only if it is received and untaken.

        Of two staff taking it at once, one wins (True); the other changes nothing (False).
        """
        ...

    async def for_requester(self, person_id: int, limit: int) -> Sequence[ServiceRequest]:
        """The person's requests, newest first."""
        ...

    async def waiting(
        self,
        statuses: frozenset[RequestStatus],
        *,
        centre_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
        centres: Collection[int] | None = None,
    ) -> Sequence[ServiceRequest]:
        """Requests in `statuses` (optionally of one centre, and of the centres in `centres`,
        a staff member's scope: a request of no centre yet is then left out), oldest first."""
        ...

    async def count_by_status(
        self, centre_id: int | None = None, centres: Collection[int] | None = None
    ) -> dict[RequestStatus, int]: ...

    async def closed_before(self, cutoff: datetime, limit: int) -> Sequence[ServiceRequest]:
        """Closed requests last changed before `cutoff` whose personal fields are still there."""
        ...

    async def purge_personal(self, request_id: int, at: datetime) -> bool:
        """Clears address, phone, details, voice notes and message texts; False if already done."""
        ...

    async def add_change(self, change: RequestChange) -> None: ...
    async def history(self, request_id: int) -> Sequence[RequestChange]:
        """Every change, in the order it happened."""
        ...

    async def add_message(
        self,
        request_id: int,
        direction: MessageDirection,
        author_person_id: int | None,
        text: str,
        at: datetime,
        voice_file_id: str | None = None,
    ) -> RequestMessage: ...

    async def messages(self, request_id: int) -> Sequence[RequestMessage]:
        """The question-and-answer thread, oldest first."""
        ...

    async def put_draft(self, person_id: int, data: dict[str, Any], at: datetime) -> None: ...
    async def get_draft(self, person_id: int) -> RequestDraft | None: ...
    async def delete_draft(self, person_id: int) -> None: ...
    async def delete_drafts_before(self, cutoff: datetime) -> int: ...
