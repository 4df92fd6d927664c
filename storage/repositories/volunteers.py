"""Volunteer applications and a person's personal data (inspect, forget, purge) in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.hours import ReportStatus
from bot.domain.volunteers import (
    PURGED,
    Application,
    ApplicationStatus,
    Choices,
    DayPart,
    Interest,
    Language,
    NewApplication,
    Skill,
    Weekday,
    slot,
)
from storage.json_ids import json_id
from storage.models import (
    AssemblyAnswerRow,
    AssemblyCheckInRow,
    BroadcastPreferenceRow,
    CalendarTokenRow,
    CentreMembershipRow,
    DeskLoginRow,
    DeskSessionRow,
    DialogStateRow,
    HourReportChangeRow,
    HourReportRow,
    InboxRow,
    OutboxRow,
    PersonRoleRow,
    PersonRow,
    ReminderPrefsRow,
    ShiftAssignmentRow,
    ShiftReleaseRow,
    VolunteerApplicationRow,
)
from storage.repositories._sql import rowcount

_COLUMNS = (
    VolunteerApplicationRow.id,
    VolunteerApplicationRow.person_id,
    VolunteerApplicationRow.name,
    VolunteerApplicationRow.phone,
    VolunteerApplicationRow.interests,
    VolunteerApplicationRow.availability,
    VolunteerApplicationRow.languages,
    VolunteerApplicationRow.skills,
    VolunteerApplicationRow.skills_note,
    VolunteerApplicationRow.consented_at,
    VolunteerApplicationRow.status,
    VolunteerApplicationRow.created_at,
    VolunteerApplicationRow.decided_by,
    VolunteerApplicationRow.decided_at,
    VolunteerApplicationRow.reason,
    VolunteerApplicationRow.purged_at,
)
_SLOTS = [slot(d, p) for d in Weekday for p in DayPart]
# Keys of hour-report history rows that hold the member's free text.
_NOTE_KEYS = ("note", "was_note")


def _application(row: Any) -> Application:
    return Application(
        id=row.id,
        person_id=row.person_id,
        name=row.name,
        phone=row.phone,
        choices=Choices(
            interests=tuple(Interest(v) for v in row.interests),
            availability=tuple(v for v in _SLOTS if v in set(row.availability)),
            languages=tuple(Language(v) for v in row.languages),
            skills=tuple(Skill(v) for v in row.skills),
        ),
        skills_note=row.skills_note,
        consented_at=row.consented_at,
        status=ApplicationStatus(row.status),
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        purged_at=row.purged_at,
    )


class SqlVolunteerRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, application: NewApplication, at: datetime) -> Application:
        choices = application.choices
        application_id = (
            await self._session.execute(
                insert(VolunteerApplicationRow)
                .values(
                    person_id=application.person_id,
                    name=application.name,
                    phone=application.phone,
                    interests=[v.value for v in choices.interests],
                    availability=list(choices.availability),
                    languages=[v.value for v in choices.languages],
                    skills=[v.value for v in choices.skills],
                    skills_note=application.skills_note,
                    consented_at=application.consented_at,
                    status=ApplicationStatus.PENDING.value,
                    created_at=at,
                )
                .returning(VolunteerApplicationRow.id)
            )
        ).scalar_one()
        stored = await self.get(application_id)
        assert stored is not None  # noqa: S101 -- inserted just above, in this transaction
        return stored

    async def get(self, application_id: int) -> Application | None:
        found = await self._applications(VolunteerApplicationRow.id == application_id)
        return found[0] if found else None

    async def for_person(self, person_id: int) -> Sequence[Application]:
        return await self._applications(VolunteerApplicationRow.person_id == person_id)

    async def pending(self, limit: int) -> Sequence[Application]:
        return await self._applications(
            VolunteerApplicationRow.status == ApplicationStatus.PENDING.value,
            limit=max(limit, 0),
        )

    async def decide(
        self,
        application_id: int,
        status: ApplicationStatus,
        by: int,
        at: datetime,
        reason: str | None,
    ) -> bool:
        result = await self._session.execute(
            update(VolunteerApplicationRow)
            .where(
                VolunteerApplicationRow.id == application_id,
                VolunteerApplicationRow.status == ApplicationStatus.PENDING.value,
            )
            .values(
                status=ApplicationStatus(status).value, decided_by=by, decided_at=at, reason=reason
            )
        )
        return rowcount(result) == 1

    async def reopen(self, application_id: int, status: ApplicationStatus, by: int) -> bool:
        result = await self._session.execute(
            update(VolunteerApplicationRow)
            .where(
                VolunteerApplicationRow.id == application_id,
                VolunteerApplicationRow.status == ApplicationStatus(status).value,
                VolunteerApplicationRow.decided_by == by,
            )
            .values(
                status=ApplicationStatus.PENDING.value,
                decided_by=None,
                decided_at=None,
                reason=None,
            )
        )
        return rowcount(result) == 1

    async def purge_declined(self, decided_before: datetime, at: datetime) -> int:
        result = await self._session.execute(
            update(VolunteerApplicationRow)
            .where(
                VolunteerApplicationRow.status == ApplicationStatus.DECLINED.value,
                VolunteerApplicationRow.decided_at < decided_before,
                VolunteerApplicationRow.purged_at.is_(None),
            )
            .values(name=PURGED, phone=None, skills_note=None, purged_at=at)
        )
        return rowcount(result)

    async def delete_for_person(self, person_id: int) -> int:
        result = await self._session.execute(
            delete(VolunteerApplicationRow).where(VolunteerApplicationRow.person_id == person_id)
        )
        return rowcount(result)

    async def _applications(
        self, *where: ColumnElement[bool], limit: int | None = None
    ) -> list[Application]:
        stmt = select(*_COLUMNS).where(*where).order_by(VolunteerApplicationRow.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_application(row) for row in await self._session.execute(stmt)]


class SqlPersonalDataRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def delete_person(self, person_id: int) -> None:
        telegram_id = await self._telegram_id(person_id)
        if telegram_id is not None:
            await self._forget_chat(telegram_id)
        # The foreign keys cascade to roles, shifts, answers, reports, applications and links.
        await self._session.execute(delete(PersonRow).where(PersonRow.id == person_id))

    async def anonymise_person(self, person_id: int, name: str) -> None:
        telegram_id = await self._telegram_id(person_id)
        if telegram_id is not None:
            await self._forget_chat(telegram_id)
        session = self._session
        await session.execute(
            update(PersonRow)
            .where(PersonRow.id == person_id)
            .values(
                display_name=name,
                telegram_user_id=None,
                locale=None,
                telegram_language=None,
                unreachable=False,
            )
        )
        await session.execute(delete(PersonRoleRow).where(PersonRoleRow.person_id == person_id))
        await session.execute(
            delete(HourReportRow).where(
                HourReportRow.person_id == person_id,
                HourReportRow.status != ReportStatus.APPROVED.value,
            )
        )
        await session.execute(
            update(HourReportRow).where(HourReportRow.person_id == person_id).values(note=None)
        )
        await self._strip_history_notes(person_id)
        for table, column in (
            (ShiftAssignmentRow, ShiftAssignmentRow.person_id),
            (AssemblyAnswerRow, AssemblyAnswerRow.person_id),
            (AssemblyCheckInRow, AssemblyCheckInRow.person_id),
            (ShiftReleaseRow, ShiftReleaseRow.person_id),
            (CalendarTokenRow, CalendarTokenRow.person_id),
            # Choices and sessions of someone who is no one now: nothing to keep them for.
            (ReminderPrefsRow, ReminderPrefsRow.person_id),
            (BroadcastPreferenceRow, BroadcastPreferenceRow.person_id),
            (DeskLoginRow, DeskLoginRow.person_id),
            (DeskSessionRow, DeskSessionRow.person_id),
            # Which centres someone who is no one now belonged to (their numbers stay).
            (CentreMembershipRow, CentreMembershipRow.person_id),
        ):
            await session.execute(delete(table).where(column == person_id))

    async def messages_of(self, chat_id: int) -> tuple[int, int]:
        received = (
            await self._session.execute(
                select(func.count()).select_from(InboxRow).where(_from_chat(chat_id))
            )
        ).scalar_one()
        sent = (
            await self._session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.chat_id == chat_id)
            )
        ).scalar_one()
        return int(received), int(sent)

    async def delete_messages(self, chat_id: int) -> int:
        inbox = await self._session.execute(
            delete(InboxRow).where(_from_chat(chat_id), InboxRow.handled_at.is_not(None))
        )
        outbox = await self._session.execute(
            delete(OutboxRow).where(
                OutboxRow.chat_id == chat_id, OutboxRow.status.in_(("sent", "failed"))
            )
        )
        return rowcount(inbox) + rowcount(outbox)

    async def _telegram_id(self, person_id: int) -> int | None:
        found: int | None = (
            await self._session.execute(
                select(PersonRow.telegram_user_id).where(PersonRow.id == person_id)
            )
        ).scalar_one_or_none()
        return found

    async def _forget_chat(self, chat_id: int) -> None:
        # A private chat's id is the person's Telegram id: their dialog state and messages go.
        await self._session.execute(delete(DialogStateRow).where(DialogStateRow.chat_id == chat_id))
        await self.delete_messages(chat_id)

    async def _strip_history_notes(self, person_id: int) -> None:
        rows = await self._session.execute(
            select(HourReportChangeRow.id, HourReportChangeRow.details)
            .join(HourReportRow, HourReportRow.id == HourReportChangeRow.report_id)
            .where(HourReportRow.person_id == person_id)
        )
        for change_id, details in rows.all():
            if any(key in details for key in _NOTE_KEYS):
                kept = {k: v for k, v in details.items() if k not in _NOTE_KEYS}
                await self._session.execute(
                    update(HourReportChangeRow)
                    .where(HourReportChangeRow.id == change_id)
                    .values(details=kept)
                )


def _from_chat(chat_id: int) -> ColumnElement[bool]:
    """Inbox updates from a private chat: messages in it, and buttons its person pressed."""
    payload = InboxRow.payload
    return or_(
        json_id(payload["message"]["chat"]["id"]) == chat_id,
        json_id(payload["callback_query"]["from"]["id"]) == chat_id,
    )
