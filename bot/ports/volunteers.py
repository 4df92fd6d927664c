"""The store of volunteer applications and of a person's personal data, as the core sees it.

Both are parts of the unit of work in `store.py` (`uow.volunteers`, `uow.privacy`). Repositories
never commit; the conditional updates return whether they changed anything, so that of two staff
deciding one application at once exactly one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.volunteers import Application, ApplicationStatus, NewApplication


class VolunteerRepository(Protocol):
    async def add(self, application: NewApplication, at: datetime) -> Application:
        """Stores a new application, pending, created `at`."""
        ...

    async def get(self, application_id: int) -> Application | None: ...

    async def for_person(self, person_id: int) -> Sequence[Application]:
        """The person's applications, oldest first."""
        ...

    async def pending(self, limit: int) -> Sequence[Application]:
        """Applications waiting for a decision, oldest (lowest id) first."""
        ...

    async def decide(
        self,
        application_id: int,
        status: ApplicationStatus,
        by: int,
        at: datetime,
        reason: str | None,
    ) -> bool:
        """Records the decision only if the application is still pending (a conditional update)."""
        ...

    async def reopen(self, application_id: int, status: ApplicationStatus, by: int) -> bool:
        """Puts an application decided as `status` by `by` back to pending, without its decision
        (an undo); only if it still is so (a conditional update)."""
        ...

    async def purge_declined(self, decided_before: datetime, at: datetime) -> int:
        """Clears name, phone and free text of applications declined before `decided_before`
        and not purged yet; returns how many."""
        ...

    async def delete_for_person(self, person_id: int) -> int:
        """Deletes every application of the person; returns how many."""
        ...


class PersonalDataRepository(Protocol):
    async def delete_person(self, person_id: int) -> None:
        """Deletes the person; their roles, shifts, answers, reports and links go with them."""
        ...

    async def anonymise_person(self, person_id: int, name: str) -> None:
        """Keeps the person's row for the records the co-op must keep (approved hours), but
        without anything that identifies them: the name becomes `name`, the Telegram id,
        language choices and roles go, the notes of their hour reports are cleared, and their
        unapproved reports, shifts, assembly answers and calendar link are deleted."""
        ...

    async def messages_of(self, chat_id: int) -> tuple[int, int]:
        """How many updates from this private chat the inbox holds, and messages to it the
        outbox holds: (received, sent)."""
        ...

    async def delete_messages(self, chat_id: int) -> int:
        """Deletes the handled inbox updates from the chat and the outbox rows to it that are
        no longer waiting to be sent; returns how many rows."""
        ...
