"""In-memory volunteer applications and personal data, with the SQL store's semantics (part of
tests/fakes/memory_store): conditional decisions, the purge, and deleting a person with the
cascades and SET NULLs of the SQL foreign keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.hours import ReportStatus
from bot.domain.outbound import OutboxStatus
from bot.domain.volunteers import (
    NAME_LIMIT,
    NOTE_LIMIT,
    PURGED,
    Application,
    ApplicationStatus,
    NewApplication,
)
from tests.fakes.store_time import utc

if TYPE_CHECKING:
    from tests.fakes.memory_store import MemoryState, _Ids

_NOTE_KEYS = ("note", "was_note")


class MemoryVolunteerRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(self, application: NewApplication, at: datetime) -> Application:
        if application.person_id not in self._s.people:
            raise ValueError("no such person")  # SQL: foreign key
        if len(application.name) > NAME_LIMIT or len(application.skills_note or "") > NOTE_LIMIT:
            raise ValueError("longer than its column")
        stored = Application(
            id=self._ids.take("volunteer_applications"),
            person_id=application.person_id,
            name=application.name,
            phone=application.phone,
            choices=application.choices,
            skills_note=application.skills_note,
            consented_at=utc(application.consented_at),
            status=ApplicationStatus.PENDING,
            created_at=utc(at),
        )
        self._s.volunteer_applications[stored.id] = stored
        return stored

    async def get(self, application_id: int) -> Application | None:
        return self._s.volunteer_applications.get(application_id)

    async def for_person(self, person_id: int) -> Sequence[Application]:
        return [
            a for _, a in sorted(self._s.volunteer_applications.items()) if a.person_id == person_id
        ]

    async def pending(self, limit: int) -> Sequence[Application]:
        waiting = [
            a
            for _, a in sorted(self._s.volunteer_applications.items())
            if a.status is ApplicationStatus.PENDING
        ]
        return waiting[: max(limit, 0)]

    async def decide(
        self,
        application_id: int,
        status: ApplicationStatus,
        by: int,
        at: datetime,
        reason: str | None,
    ) -> bool:
        stored = self._s.volunteer_applications.get(application_id)
        if stored is None or stored.status is not ApplicationStatus.PENDING:
            return False
        self._s.volunteer_applications[application_id] = replace(
            stored,
            status=ApplicationStatus(status),
            decided_by=by,
            decided_at=utc(at),
            reason=reason,
        )
        return True

    async def reopen(self, application_id: int, status: ApplicationStatus, by: int) -> bool:
        stored = self._s.volunteer_applications.get(application_id)
        if stored is None or stored.status is not status or stored.decided_by != by:
            return False
        self._s.volunteer_applications[application_id] = replace(
            stored, status=ApplicationStatus.PENDING, decided_by=None, decided_at=None, reason=None
        )
        return True

    async def purge_declined(self, decided_before: datetime, at: datetime) -> int:
        count = 0
        for key, a in list(self._s.volunteer_applications.items()):
            if (
                a.status is ApplicationStatus.DECLINED
                and a.decided_at is not None
                and a.decided_at < decided_before
                and a.purged_at is None
            ):
                self._s.volunteer_applications[key] = replace(
                    a, name=PURGED, phone=None, skills_note=None, purged_at=utc(at)
                )
                count += 1
        return count

    async def delete_for_person(self, person_id: int) -> int:
        mine = [k for k, a in self._s.volunteer_applications.items() if a.person_id == person_id]
        for key in mine:
            del self._s.volunteer_applications[key]
        return len(mine)


class MemoryPersonalDataRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def delete_person(self, person_id: int) -> None:
        person = self._s.people.get(person_id)
        if person is None:
            return
        if person.telegram_user_id is not None:
            self._forget_chat(person.telegram_user_id)
        s = self._s
        del s.people[person_id]
        # ON DELETE CASCADE
        _drop(s.shift_assignments, lambda k, v: k[1] == person_id)
        _drop(s.assembly_answers, lambda k, v: k[1] == person_id)
        _drop(s.assembly_checkins, lambda k, v: k[1] == person_id)
        gone = {k for k, r in s.hour_reports.items() if r.person_id == person_id}
        _drop(s.hour_reports, lambda k, v: k in gone)
        _drop(s.hour_changes, lambda k, v: v.report_id in gone)
        _drop(s.shift_releases, lambda k, v: v.person_id == person_id)
        _drop(s.calendar_tokens, lambda k, v: k == person_id)
        _drop(s.volunteer_applications, lambda k, v: v.person_id == person_id)
        _drop(s.request_drafts, lambda k, v: k == person_id)
        _drop(s.reminder_prefs, lambda k, v: k == person_id)
        _drop(s.broadcast_prefs, lambda k, v: k[0] == person_id)
        _drop(s.broadcast_deliveries, lambda k, v: k[1] == person_id)
        _drop(s.desk_logins, lambda k, v: v.person_id == person_id)
        _drop(s.desk_sessions, lambda k, v: v.person_id == person_id)
        _drop(s.memberships, lambda k, v: k[0] == person_id)
        _drop(s.person_chats, lambda k, v: v.person_id == person_id)
        _drop(s.link_codes, lambda k, v: v.person_id == person_id)
        # ON DELETE SET NULL
        _null(s.service_requests, "requester_id", person_id)
        _null(s.service_requests, "taken_by", person_id)
        _null(s.request_changes, "actor_person_id", person_id)
        _null(s.request_messages, "author_person_id", person_id)
        _null(s.invites, "created_by", person_id)
        _null(s.invites, "used_by", person_id)
        _null(s.assembly_answers, "proxy_to", person_id)
        _null(s.shift_releases, "taken_by", person_id)
        _null(s.hour_reports, "decided_by", person_id)
        _null(s.volunteer_applications, "decided_by", person_id)

    async def anonymise_person(self, person_id: int, name: str) -> None:
        s = self._s
        person = s.people.get(person_id)
        if person is None:
            return
        if person.telegram_user_id is not None:
            self._forget_chat(person.telegram_user_id)
        s.people[person_id] = replace(
            person,
            display_name=name,
            telegram_user_id=None,
            locale=None,
            telegram_language=None,
            roles=frozenset(),
            unreachable=False,
        )
        gone = {
            k
            for k, r in s.hour_reports.items()
            if r.person_id == person_id and r.status is not ReportStatus.APPROVED
        }
        _drop(s.hour_reports, lambda k, v: k in gone)
        _drop(s.hour_changes, lambda k, v: v.report_id in gone)
        kept = {k for k, r in s.hour_reports.items() if r.person_id == person_id}
        for key in kept:
            s.hour_reports[key] = replace(s.hour_reports[key], note=None)
        for key, change in list(s.hour_changes.items()):
            if change.report_id in kept and any(n in change.details for n in _NOTE_KEYS):
                details = {k: v for k, v in change.details.items() if k not in _NOTE_KEYS}
                s.hour_changes[key] = replace(change, details=details)
        _drop(s.shift_assignments, lambda k, v: k[1] == person_id)
        _drop(s.assembly_answers, lambda k, v: k[1] == person_id)
        _drop(s.assembly_checkins, lambda k, v: k[1] == person_id)
        _drop(s.shift_releases, lambda k, v: v.person_id == person_id)
        _drop(s.calendar_tokens, lambda k, v: k == person_id)
        _drop(s.reminder_prefs, lambda k, v: k == person_id)
        _drop(s.broadcast_prefs, lambda k, v: k[0] == person_id)
        _drop(s.desk_logins, lambda k, v: v.person_id == person_id)
        _drop(s.desk_sessions, lambda k, v: v.person_id == person_id)
        _drop(s.memberships, lambda k, v: k[0] == person_id)

    async def messages_of(self, chat_id: int) -> tuple[int, int]:
        received = sum(1 for item, _ in self._s.inbox.values() if _chat_of(item.payload) == chat_id)
        sent = sum(1 for r in self._s.outbox.values() if r.message.chat_id == chat_id)
        return received, sent

    async def delete_messages(self, chat_id: int) -> int:
        before = len(self._s.inbox) + len(self._s.outbox)
        _drop(
            self._s.inbox,
            lambda k, v: v[1] is not None and _chat_of(v[0].payload) == chat_id,
        )
        _drop(
            self._s.outbox,
            lambda k, v: (
                v.message.chat_id == chat_id
                and v.status in (OutboxStatus.SENT, OutboxStatus.FAILED)
            ),
        )
        return before - len(self._s.inbox) - len(self._s.outbox)

    def _forget_chat(self, chat_id: int) -> None:
        _drop(self._s.dialogs, lambda k, v: k[1] == chat_id)
        _drop(
            self._s.inbox,
            lambda k, v: v[1] is not None and _chat_of(v[0].payload) == chat_id,
        )
        _drop(
            self._s.outbox,
            lambda k, v: (
                v.message.chat_id == chat_id
                and v.status in (OutboxStatus.SENT, OutboxStatus.FAILED)
            ),
        )


def _chat_of(payload: dict[str, Any]) -> int | None:
    message = payload.get("message")
    if isinstance(message, dict):
        chat = message.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    query = payload.get("callback_query")
    if isinstance(query, dict):
        sender = query.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


def _drop(table: dict[Any, Any], gone: Any) -> None:
    for key in [k for k, v in table.items() if gone(k, v)]:
        del table[key]


def _null(table: dict[Any, Any], field: str, person_id: int) -> None:
    for key, value in list(table.items()):
        if getattr(value, field) == person_id:
            table[key] = replace(value, **{field: None})
