"""An in-memory store with the SQL store's semantics, for fast service and dialog tests.

Each unit of work works on a private copy of the committed state taken when it starts, so
leaving without `commit()` discards everything. `commit()` merges the unit's changes row by
row into the committed state, so overlapping units that touch different rows both keep their
work, as on SQL; two units changing the same row raise `ConflictingUnitsError`, loudly, where
SQL would have serialised them. Ids come from store-wide counters that, like SQL sequences,
are not rolled back. The repository contract suite in tests/storage runs against this fake
too, so it cannot drift from the SQL store unnoticed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from bot.domain.assemblies import Answer
from bot.domain.audit import FORGOTTEN_CHAT, TRACES, AuditEntry, AuditQuery
from bot.domain.broadcasts import Broadcast
from bot.domain.cards import CardCopy
from bot.domain.channels import LINE_UPDATE_BASE
from bot.domain.conversations import Conversation, ConversationMessage
from bot.domain.coop import Assembly, BusinessCentre, NewShift, Shift, WorkKind
from bot.domain.deliveries import UNREACHABLE_PREFIX, FailedSend, ParkedUpdate
from bot.domain.desk import DeskLogin, DeskSession
from bot.domain.dialogs import DialogState
from bot.domain.events import Event
from bot.domain.hours import HourChange, HourReport
from bot.domain.invites import Invite, InviteFailures
from bot.domain.line_undelivered import QUOTA_SPENT, riding
from bot.domain.outbound import (
    REDACTED,
    InboxItem,
    OutboundMessage,
    OutboxDelivery,
    OutboxItem,
    OutboxStatus,
    once_settled,
)
from bot.domain.people import NewPerson, Person, Role
from bot.domain.reminders import ReminderPrefs, ScheduledSend
from bot.domain.requests import RequestChange, RequestDraft, RequestMessage, ServiceRequest
from bot.domain.roster import RosterEntry
from bot.domain.shift_swaps import ShiftRelease
from bot.domain.volunteers import Application
from bot.ports.broadcasts import BroadcastRepository
from bot.ports.cards import StaffCardRepository
from bot.ports.conversations import ConversationRepository
from bot.ports.desk import DeskRepository
from bot.ports.events import EventLog, Publisher
from bot.ports.exports import ExportRepository
from bot.ports.hours import HourReportRepository
from bot.ports.line import LineRepository
from bot.ports.links import LinkCode, LinkRepository
from bot.ports.memberships import MembershipRepository
from bot.ports.requests import ServiceRequestRepository
from bot.ports.roster import RosterRepository
from bot.ports.scheduling import ReminderRepository
from bot.ports.shift_swaps import ShiftSwapRepository
from bot.ports.store import (
    AssemblyRepository,
    AuditRepository,
    CentreRepository,
    DialogRepository,
    InboxRepository,
    InviteRepository,
    OutboxRepository,
    PeopleRepository,
    ShiftRepository,
)
from bot.ports.volunteers import PersonalDataRepository, VolunteerRepository
from tests.fakes.memory_assemblies import MemoryAssemblyRepository
from tests.fakes.memory_broadcasts import MemoryBroadcastRepository
from tests.fakes.memory_cards import MemoryStaffCardRepository, StaffCardRecord
from tests.fakes.memory_conversations import MemoryConversationRepository
from tests.fakes.memory_desk import MemoryDeskRepository
from tests.fakes.memory_exports import MemoryExportRepository
from tests.fakes.memory_hours import MemoryHourReportRepository
from tests.fakes.memory_line import LineEventRecord, LineUserRecord, MemoryLineRepository
from tests.fakes.memory_links import MemoryLinkRepository, PersonChat
from tests.fakes.memory_memberships import MemoryMembershipRepository
from tests.fakes.memory_reminders import MemoryReminderRepository
from tests.fakes.memory_requests import MemoryServiceRequestRepository
from tests.fakes.memory_roster import MemoryRosterRepository
from tests.fakes.memory_shift_swaps import MemoryShiftSwapRepository
from tests.fakes.memory_volunteers import (
    MemoryPersonalDataRepository,
    MemoryVolunteerRepository,
)
from tests.fakes.store_time import utc, utc_or_none


@dataclass
class OutboxRecord:
    """One outbox row, mutable like the SQL row it stands for."""

    id: int
    message: OutboundMessage
    created_at: datetime
    dedupe_key: str | None
    status: OutboxStatus = OutboxStatus.PENDING
    not_before: datetime | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    telegram_message_id: int | None = None
    bulk: bool = False
    line_batch: str | None = None  # a LINE multicast's rows go together (claim_batch)

    def is_due(self, now: datetime) -> bool:
        if self.status is OutboxStatus.PENDING:
            return self.not_before is None or self.not_before <= now
        return (
            self.status is OutboxStatus.SENDING
            and self.lease_until is not None
            and self.lease_until < now
        )


@dataclass
class AuditRecord:
    at: datetime
    actor_person_id: int | None
    action: str
    subject: str
    details: dict[str, Any] | None


@dataclass
class MemoryState:
    """Everything the store holds; tests may read it directly (e.g. `store.state.audit`)."""

    people: dict[int, Person] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    # Telegram id -> (wrong codes in a row, updated at)
    invite_failures: dict[int, tuple[InviteFailures, datetime]] = field(default_factory=dict)
    dialogs: dict[tuple[str, int], DialogState] = field(default_factory=dict)
    dialog_times: dict[tuple[str, int], datetime] = field(default_factory=dict)  # updated at
    inbox: dict[int, tuple[InboxItem, datetime | None]] = field(default_factory=dict)
    # Parked updates: update id -> (parked at, reason); their rows stay in `inbox`, unhandled.
    inbox_parked: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    outbox: dict[int, OutboxRecord] = field(default_factory=dict)
    audit: list[AuditRecord] = field(default_factory=list)
    centres: dict[int, BusinessCentre] = field(default_factory=dict)
    shifts: dict[int, Shift] = field(default_factory=dict)  # stored with `assigned` empty
    # One row per (shift id, person id), as in SQL, so that two units assigning two people to
    # one shift do not conflict.
    shift_assignments: dict[tuple[int, int], bool] = field(default_factory=dict)
    assemblies: dict[int, Assembly] = field(default_factory=dict)
    assembly_answers: dict[tuple[int, int], Answer] = field(default_factory=dict)
    # (assembly id, person id) -> (checked in by, at)
    assembly_checkins: dict[tuple[int, int], tuple[int | None, datetime]] = field(
        default_factory=dict
    )
    hour_reports: dict[int, HourReport] = field(default_factory=dict)
    hour_changes: dict[int, HourChange] = field(default_factory=dict)  # keyed by change id
    service_requests: dict[int, ServiceRequest] = field(default_factory=dict)
    request_changes: dict[int, RequestChange] = field(default_factory=dict)  # by change id
    request_messages: dict[int, RequestMessage] = field(default_factory=dict)
    request_drafts: dict[int, RequestDraft] = field(default_factory=dict)  # by person id
    request_sequences: dict[str, int] = field(default_factory=dict)  # month -> last number
    shift_releases: dict[int, ShiftRelease] = field(default_factory=dict)
    calendar_tokens: dict[int, str] = field(default_factory=dict)  # person id -> token hash
    broadcasts: dict[int, Broadcast] = field(default_factory=dict)
    # (broadcast id, person id) -> outbox id; (person id, kind) -> receive
    broadcast_deliveries: dict[tuple[int, int], int] = field(default_factory=dict)
    broadcast_prefs: dict[tuple[int, str], bool] = field(default_factory=dict)
    # Keyed by (kind, item id), like the SQL unique index; copies by (card id, chat id).
    staff_cards: dict[tuple[str, int], StaffCardRecord] = field(default_factory=dict)
    staff_card_copies: dict[tuple[int, int], CardCopy] = field(default_factory=dict)
    volunteer_applications: dict[int, Application] = field(default_factory=dict)
    scheduled_sends: dict[int, ScheduledSend] = field(default_factory=dict)
    reminder_prefs: dict[int, ReminderPrefs] = field(default_factory=dict)  # by person id
    desk_logins: dict[str, DeskLogin] = field(default_factory=dict)  # by token hash
    desk_sessions: dict[str, DeskSession] = field(default_factory=dict)  # by id hash
    line_users: dict[int, LineUserRecord] = field(default_factory=dict)  # by row number
    line_events: dict[str, LineEventRecord] = field(default_factory=dict)  # by event id
    # One row per (person id, centre id), as in SQL (centre_memberships).
    memberships: dict[tuple[int, int], bool] = field(default_factory=dict)
    # Conversations with the staff, by id, and their messages, by id (bot/domain/conversations).
    conversations: dict[int, Conversation] = field(default_factory=dict)
    conversation_messages: dict[int, ConversationMessage] = field(default_factory=dict)
    roster: dict[int, RosterEntry] = field(default_factory=dict)  # by person id
    person_chats: dict[int, PersonChat] = field(default_factory=dict)  # by chat id
    link_codes: dict[str, LinkCode] = field(default_factory=dict)  # by code hash


# The keyed tables of MemoryState, merged row by row on commit (audit is append-only).
_TABLES = (
    "people",
    "invites",
    "invite_failures",
    "dialogs",
    "dialog_times",
    "inbox",
    "inbox_parked",
    "outbox",
    "centres",
    "shifts",
    "shift_assignments",
    "assemblies",
    "assembly_answers",
    "assembly_checkins",
    "hour_reports",
    "hour_changes",
    "service_requests",
    "request_changes",
    "request_messages",
    "request_drafts",
    "request_sequences",
    "shift_releases",
    "staff_cards",
    "staff_card_copies",
    "calendar_tokens",
    "broadcasts",
    "broadcast_deliveries",
    "broadcast_prefs",
    "volunteer_applications",
    "scheduled_sends",
    "reminder_prefs",
    "desk_logins",
    "desk_sessions",
    "line_users",
    "line_events",
    "memberships",
    "conversations",
    "conversation_messages",
    "roster",
    "person_chats",
    "link_codes",
)
_MISSING = object()


class ConflictingUnitsError(RuntimeError):
    """Two overlapping units of work changed the same row: a race the test should look at."""


class _Ids:
    """Store-wide id counters: like SQL sequences, an id handed out is never handed out again."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


class MemoryPeopleRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def get(self, person_id: int) -> Person | None:
        return self._s.people.get(person_id)

    async def by_telegram_id(self, telegram_user_id: int) -> Person | None:
        return next(
            (p for p in self._s.people.values() if p.telegram_user_id == telegram_user_id), None
        )

    async def read_ahead(self, chat_ids: Sequence[int]) -> None:
        return None  # no round trips to save: of_chat reads the dicts as they are

    async def of_chat(self, chat_id: int) -> Person | None:
        person = await self.by_telegram_id(chat_id)
        linked = self._s.person_chats.get(chat_id)
        if person is None and linked is not None:
            person = await self.get(linked.person_id)
        return person

    async def with_role(self, role: Role) -> Sequence[Person]:
        return [p for _, p in sorted(self._s.people.items()) if Role(role) in p.roles]

    async def page(self, role: Role | None, after: int, limit: int) -> Sequence[Person]:
        found = [
            p
            for _, p in sorted(self._s.people.items())
            if p.id > after and (role is None or role in p.roles)
        ]
        return found[:limit]

    async def count_by_role(self) -> dict[Role, int]:
        counts: dict[Role, int] = {}
        for person in self._s.people.values():
            for role in person.roles:
                counts[role] = counts.get(role, 0) + 1
        return counts

    async def add(self, person: NewPerson) -> Person:
        if person.telegram_user_id is not None and await self.by_telegram_id(
            person.telegram_user_id
        ):
            # The SQL store refuses this with its unique constraint.
            raise ValueError(f"telegram user {person.telegram_user_id} is already a person")
        stored = Person(
            id=self._ids.take("people"),
            telegram_user_id=person.telegram_user_id,
            display_name=person.display_name,
            locale=person.locale,
            telegram_language=person.telegram_language,
            roles=frozenset(Role(r) for r in person.roles),
            created_at=utc(person.created_at),
        )
        self._s.people[stored.id] = stored
        return stored

    async def set_locale(self, person_id: int, locale: str | None) -> None:
        self._change(person_id, locale=locale)

    async def set_telegram_language(self, person_id: int, language: str | None) -> None:
        self._change(person_id, telegram_language=language)

    async def add_role(self, person_id: int, role: Role) -> None:
        if person := self._s.people.get(person_id):
            self._change(person_id, roles=person.roles | {Role(role)})

    async def remove_role(self, person_id: int, role: Role) -> None:
        if person := self._s.people.get(person_id):
            self._change(person_id, roles=person.roles - {Role(role)})

    async def mark_unreachable(self, telegram_user_id: int, unreachable: bool) -> None:
        if person := await self.by_telegram_id(telegram_user_id):
            self._change(person.id, unreachable=unreachable)

    async def attach(
        self, person_id: int, telegram_user_id: int, telegram_language: str | None
    ) -> bool:
        person = self._s.people.get(person_id)
        if person is None or person.telegram_user_id is not None:
            return False
        if await self.by_telegram_id(telegram_user_id):
            # The SQL store refuses this with its unique constraint.
            raise ValueError(f"telegram user {telegram_user_id} is already a person")
        self._change(
            person_id, telegram_user_id=telegram_user_id, telegram_language=telegram_language
        )
        return True

    async def rename(self, person_id: int, display_name: str) -> None:
        self._change(person_id, display_name=display_name)

    async def remove_placeholder(self, person_id: int) -> None:
        self._s.people.pop(person_id, None)
        # ON DELETE SET NULL of the audit log's actor, as in SQL.
        for record in self._s.audit:
            if record.actor_person_id == person_id:
                record.actor_person_id = None

    def _change(self, person_id: int, **changes: Any) -> None:
        if person := self._s.people.get(person_id):
            self._s.people[person_id] = replace(person, **changes)


class MemoryInviteRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, invite: Invite) -> None:
        if invite.code_hash in self._s.invites:
            raise ValueError(f"invite {invite.code_hash} exists")
        self._s.invites[invite.code_hash] = replace(
            invite,
            created_at=utc(invite.created_at),
            expires_at=utc(invite.expires_at),
            used_at=utc_or_none(invite.used_at),
        )

    async def get(self, code_hash: str) -> Invite | None:
        return self._s.invites.get(code_hash)

    async def mark_used(self, code_hash: str, person_id: int, at: datetime) -> bool:
        invite = self._s.invites.get(code_hash)
        if invite is None or invite.used_by is not None:
            return False
        self._s.invites[code_hash] = replace(invite, used_by=person_id, used_at=utc(at))
        return True

    async def open_invites(self, now: datetime, limit: int) -> Sequence[Invite]:
        found = [
            i
            for i in self._s.invites.values()
            if i.used_by is None and i.expires_at > now and i.person_id is None
        ]
        return sorted(found, key=lambda i: i.created_at, reverse=True)[:limit]

    async def open_for(self, person_id: int, now: datetime) -> Sequence[Invite]:
        found = [
            i
            for i in self._s.invites.values()
            if i.person_id == person_id and i.used_by is None and i.expires_at > now
        ]
        return sorted(found, key=lambda i: i.created_at, reverse=True)

    async def revoke_invite(self, code_hash: str, at: datetime) -> bool:
        invite = self._s.invites.get(code_hash)
        if invite is None or invite.used_by is not None or invite.expires_at <= at:
            return False
        self._s.invites[code_hash] = replace(invite, expires_at=utc(at))
        return True

    async def failures(self, telegram_user_id: int) -> InviteFailures | None:
        found = self._s.invite_failures.get(telegram_user_id)
        return None if found is None else found[0]

    async def put_failures(
        self, telegram_user_id: int, failures: InviteFailures, at: datetime
    ) -> None:
        locked = utc_or_none(failures.locked_until)
        self._s.invite_failures[telegram_user_id] = (
            replace(failures, locked_until=locked),
            utc(at),
        )

    async def clear_failures(self, telegram_user_id: int) -> None:
        self._s.invite_failures.pop(telegram_user_id, None)

    async def forget_failures(self, before: datetime) -> int:
        done = [
            tg
            for tg, (failures, at) in self._s.invite_failures.items()
            if at < before and (failures.locked_until is None or failures.locked_until < before)
        ]
        for tg in done:
            del self._s.invite_failures[tg]
        return len(done)


class MemoryDialogRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def read_ahead(self, keys: Sequence[tuple[str, int]]) -> None:
        return None  # no round trips to save: get reads the dict as it is

    async def get(self, channel: str, chat_id: int) -> DialogState | None:
        state = self._s.dialogs.get((channel, chat_id))
        # A copy, as from SQL: a caller mutating `data` must not change the stored state.
        return copy.deepcopy(state)

    async def put(self, channel: str, chat_id: int, state: DialogState, at: datetime) -> None:
        self._s.dialogs[(channel, chat_id)] = copy.deepcopy(state)
        self._s.dialog_times[(channel, chat_id)] = utc(at)

    async def delete(self, channel: str, chat_id: int) -> None:
        self._s.dialogs.pop((channel, chat_id), None)
        self._s.dialog_times.pop((channel, chat_id), None)

    async def delete_idle(self, before: datetime) -> int:
        idle = [key for key, at in self._s.dialog_times.items() if at < before]
        for key in idle:
            await self.delete(*key)
        return len(idle)


def _from_chat(payload: dict[str, Any]) -> int | None:
    """The private chat a raw update came from, read as the SQL store's JSON paths read it."""
    for key, path in (("message", "chat"), ("edited_message", "chat"), ("callback_query", "from")):
        part = payload.get(key)
        inner = part.get(path) if isinstance(part, dict) else None
        if isinstance(inner, dict) and isinstance(inner.get("id"), int):
            return int(inner["id"])
    line = payload.get("line")  # a LINE event (handlers/line/parse.py)
    if isinstance(line, dict) and isinstance(line.get("chat_id"), int):
        return int(line["chat_id"])
    return None


class MemoryInboxRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, update_id: int, payload: dict[str, Any], at: datetime) -> bool:
        if update_id in self._s.inbox:
            return False
        item = InboxItem(update_id=update_id, payload=copy.deepcopy(payload), received_at=utc(at))
        self._s.inbox[update_id] = (item, None)
        return True

    async def add_many(self, updates: Sequence[tuple[int, dict[str, Any]]], at: datetime) -> int:
        return sum([await self.add(uid, payload, at) for uid, payload in dict(updates).items()])

    async def pending(self, limit: int) -> Sequence[InboxItem]:
        unhandled = sorted(
            k
            for k, (_, handled) in self._s.inbox.items()
            if handled is None and k not in self._s.inbox_parked
        )
        return [self._s.inbox[k][0] for k in unhandled[:limit]]

    async def claim(self, update_id: int, at: datetime, kind: str | None = None) -> bool:
        entry = self._s.inbox.get(update_id)
        if entry is None or entry[1] is not None:
            return False
        self._s.inbox[update_id] = (entry[0], utc(at))
        if kind is not None:
            self._keep_kind(update_id, kind)
        return True

    async def claim_many(self, claims: Sequence[tuple[int, str]], at: datetime) -> set[int]:
        return {uid for uid, kind in dict(claims).items() if await self.claim(uid, at, kind)}

    async def last_update_id(self) -> int | None:
        return max((u for u in self._s.inbox if u < LINE_UPDATE_BASE), default=None)

    def _keep_kind(self, update_id: int, kind: str) -> None:
        """Of a handled update, its id and kind only: the raw update goes."""
        if entry := self._s.inbox.get(update_id):
            item, handled = entry
            self._s.inbox[update_id] = (replace(item, payload={"kind": kind}), handled)

    async def forget_payloads(self, handled_before: datetime) -> int:
        raw = [
            k
            for k, (item, handled) in self._s.inbox.items()
            if handled is not None and handled < handled_before and "kind" not in item.payload
        ]
        for k in raw:
            self._keep_kind(k, "unread")
        return len(raw)

    async def forget_chat(self, chat_id: int) -> int:
        parked = getattr(self._s, "inbox_parked", {})
        gone = [
            k
            for k, (item, handled) in self._s.inbox.items()
            if (handled is not None or k in parked) and _from_chat(item.payload) == chat_id
        ]
        for k in gone:
            del self._s.inbox[k]
            parked.pop(k, None)
        return len(gone)

    async def prune(self, handled_before: datetime) -> int:
        old = [k for k, (_, h) in self._s.inbox.items() if h is not None and h < handled_before]
        old += [k for k, (at, _) in self._s.inbox_parked.items() if at < handled_before]
        for k in old:
            del self._s.inbox[k]
            self._s.inbox_parked.pop(k, None)
        return len(old)

    async def add_fresh(
        self, updates: Sequence[tuple[int, dict[str, Any]]], at: datetime, since: datetime
    ) -> Sequence[int]:
        added = []
        for uid, payload in dict(updates).items():
            old = self._s.inbox.get(uid)
            if old is not None and old[0].received_at < since:
                del self._s.inbox[uid]
                self._s.inbox_parked.pop(uid, None)
            if await self.add(uid, payload, at):
                added.append(uid)
        return sorted(added)

    async def park(self, update_id: int, at: datetime, reason: str) -> bool:
        entry = self._s.inbox.get(update_id)
        if entry is None or entry[1] is not None or update_id in self._s.inbox_parked:
            return False
        self._s.inbox_parked[update_id] = (utc(at), reason[:100])
        return True

    async def parked(self, limit: int) -> Sequence[ParkedUpdate]:
        found = [
            ParkedUpdate(
                uid,
                copy.deepcopy(self._s.inbox[uid][0].payload),
                self._s.inbox[uid][0].received_at,
                at,
                reason,
            )
            for uid, (at, reason) in self._s.inbox_parked.items()
            if uid in self._s.inbox and self._s.inbox[uid][1] is None
        ]
        return sorted(found, key=lambda p: (p.parked_at, p.update_id))[:limit]

    async def unpark(self, update_id: int) -> bool:
        entry = self._s.inbox.get(update_id)
        if entry is None or entry[1] is not None or update_id not in self._s.inbox_parked:
            return False
        del self._s.inbox_parked[update_id]
        return True


class MemoryOutboxRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids
        self._bulk = False

    @contextmanager
    def as_bulk(self) -> Iterator[None]:
        previous, self._bulk = self._bulk, True
        try:
            yield
        finally:
            self._bulk = previous

    async def add(
        self,
        message: OutboundMessage,
        at: datetime,
        *,
        not_before: datetime | None = None,
        dedupe_key: str | None = None,
        bulk: bool = False,
    ) -> int | None:
        if dedupe_key is not None and any(
            r.dedupe_key == dedupe_key for r in self._s.outbox.values()
        ):
            return None
        record = OutboxRecord(
            id=self._ids.take("outbox"),
            message=message,
            created_at=utc(at),
            dedupe_key=dedupe_key,
            not_before=utc_or_none(not_before),
            bulk=bulk or self._bulk,
        )
        if message.edit_message_id is not None:
            # The SQL store's rule: the newest edit of a message replaces the pending ones.
            for old in list(self._s.outbox.values()):
                if (
                    old.status is OutboxStatus.PENDING
                    and old.dedupe_key is None
                    and old.message.chat_id == message.chat_id
                    and old.message.edit_message_id == message.edit_message_id
                ):
                    del self._s.outbox[old.id]
        self._s.outbox[record.id] = record
        return record.id

    async def claim(
        self, now: datetime, lease_until: datetime, limit: int, bulk_limit: int | None = None
    ) -> Sequence[OutboxItem]:
        ready = [
            r for _, r in sorted(self._s.outbox.items()) if r.is_due(now) and r.line_batch is None
        ]
        answers = [r for r in ready if not r.bulk][: max(limit, 0)]
        bulk_room = max(limit, 0) - len(answers)
        if bulk_limit is not None:
            bulk_room = min(bulk_room, bulk_limit)
        due = answers + [r for r in ready if r.bulk][: max(bulk_room, 0)]
        return self._take(due, lease_until)

    async def claim_batch(
        self, now: datetime, lease_until: datetime
    ) -> tuple[str, Sequence[OutboxItem]] | None:
        first = next(
            (
                r.line_batch
                for _, r in sorted(self._s.outbox.items())
                if r.line_batch is not None and r.is_due(now)
            ),
            None,
        )
        if first is None:
            return None
        due = [r for r in self._s.outbox.values() if r.line_batch == first and r.is_due(now)]
        return first, self._take(due, lease_until)

    def _take(self, due: list[OutboxRecord], lease_until: datetime) -> list[OutboxItem]:
        for record in due:
            record.status = OutboxStatus.SENDING
            record.lease_until = utc(lease_until)
            record.attempts += 1
        return [
            OutboxItem(
                id=r.id,
                message=r.message,
                attempts=r.attempts,
                created_at=r.created_at,
                dedupe_key=r.dedupe_key,
                bulk=r.bulk,
            )
            for r in sorted(due, key=lambda r: r.id)
        ]

    async def mark_sent(self, item_id: int, at: datetime, telegram_message_id: int | None) -> None:
        if record := self._s.outbox.get(item_id):
            record.status = OutboxStatus.SENT
            record.sent_at = utc(at)
            record.telegram_message_id = telegram_message_id
            record.lease_until = None
            record.message = once_settled(record.message, sent=True)

    async def mark_sent_many(self, marks: Sequence[tuple[int, datetime, int | None]]) -> None:
        for item_id, at, message_id in marks:
            await self.mark_sent(item_id, at, message_id)

    async def mark_failed(self, item_id: int, at: datetime, error: str) -> None:
        if record := self._s.outbox.get(item_id):
            record.status = OutboxStatus.FAILED
            record.sent_at = utc(at)
            record.last_error = error
            record.lease_until = None
            record.message = once_settled(record.message, sent=False)

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        if record := self._s.outbox.get(item_id):
            record.status = OutboxStatus.PENDING
            record.not_before = utc(not_before)
            record.last_error = error
            record.lease_until = None

    async def next_due(self) -> datetime | None:
        senders = [r for r in self._s.outbox.values() if r.line_batch is None]  # as the SQL store
        times = [r.not_before or r.created_at for r in senders if r.status is OutboxStatus.PENDING]
        times += [
            r.lease_until
            for r in senders
            if r.status is OutboxStatus.SENDING and r.lease_until is not None
        ]
        return min(times) if times else None

    async def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in OutboxStatus}
        for record in self._s.outbox.values():
            counts[record.status.value] += 1
        return counts

    async def deliveries(self, dedupe_keys: Sequence[str]) -> dict[str, OutboxDelivery]:
        wanted = set(dedupe_keys)
        return {
            r.dedupe_key: OutboxDelivery(
                r.dedupe_key, r.message.chat_id, r.status, r.telegram_message_id
            )
            for r in self._s.outbox.values()
            if r.dedupe_key is not None and r.dedupe_key in wanted
        }

    async def prune(self, settled_before: datetime) -> int:
        cards = {c.dedupe_key for c in self._s.staff_card_copies.values()}
        broadcasts = set(self._s.broadcast_deliveries.values()) | {
            b.progress_outbox_id for b in self._s.broadcasts.values()
        }
        old = [
            r.id
            for r in self._s.outbox.values()
            if r.status in (OutboxStatus.SENT, OutboxStatus.FAILED)
            and r.sent_at is not None
            and r.sent_at < settled_before
            and r.dedupe_key not in cards
            and r.id not in broadcasts
        ]
        for item_id in old:
            del self._s.outbox[item_id]
        return len(old)

    async def withdraw(self, dedupe_prefix: str) -> int:
        gone = [
            r.id
            for r in self._s.outbox.values()
            if r.status is OutboxStatus.PENDING and (r.dedupe_key or "").startswith(dedupe_prefix)
        ]
        for item_id in gone:
            del self._s.outbox[item_id]
        return len(gone)

    async def forget_chat(self, chat_id: int) -> int:
        gone = [r.id for r in self._s.outbox.values() if r.message.chat_id == chat_id]
        for item_id in gone:
            del self._s.outbox[item_id]
        self._s.broadcast_deliveries = {
            key: oid for key, oid in self._s.broadcast_deliveries.items() if oid not in gone
        }
        return len(gone)

    async def failed_since(self, since: datetime, limit: int) -> Sequence[FailedSend]:
        found = [
            FailedSend(
                outbox_id=r.id,
                chat_id=r.message.chat_id,
                text=r.message.text,
                is_edit=r.message.edit_message_id is not None,
                created_at=r.created_at,
                settled_at=r.sent_at,
                error=r.last_error or "",
            )
            for r in self._s.outbox.values()
            if r.status is OutboxStatus.FAILED
            and r.sent_at is not None
            and r.sent_at >= since
            and not (r.last_error or "").startswith(UNREACHABLE_PREFIX)
        ]
        return sorted(found, key=lambda f: (f.chat_id, f.outbox_id))[:limit]

    async def undelivered_on_line(self, chat_id: int, limit: int) -> Sequence[OutboxItem]:
        found = [
            r
            for r in sorted(self._s.outbox.values(), key=lambda r: r.id)
            if r.message.chat_id == chat_id
            and r.status is OutboxStatus.FAILED
            and (r.last_error or "").startswith(QUOTA_SPENT)
            and r.message.text != REDACTED
        ]
        return [self._as_item(r) for r in found[:limit]]

    async def riders_of(self, leader_id: int) -> Sequence[OutboxItem]:
        return [
            self._as_item(r)
            for r in sorted(self._s.outbox.values(), key=lambda r: r.id)
            if r.status is OutboxStatus.FAILED and r.last_error == riding(leader_id)
        ]

    async def note_failed(self, item_ids: Sequence[int], error: str) -> None:
        for item_id in item_ids:
            record = self._s.outbox.get(item_id)
            if record is not None and record.status is OutboxStatus.FAILED:
                record.last_error = error

    @staticmethod
    def _as_item(record: OutboxRecord) -> OutboxItem:
        return OutboxItem(record.id, record.message, record.attempts, record.created_at)

    async def send_again(self, item_ids: Sequence[int], at: datetime) -> int:
        count = 0
        for item_id in item_ids:
            record = self._s.outbox.get(item_id)
            if record is not None and record.status is OutboxStatus.FAILED:
                record.status = OutboxStatus.PENDING
                record.not_before = utc(at)
                record.attempts = 0
                record.sent_at = None
                record.lease_until = None
                count += 1
        return count


class MemoryAuditRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(
        self,
        at: datetime,
        actor_person_id: int | None,
        action: str,
        subject: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        self._s.audit.append(
            AuditRecord(utc(at), actor_person_id, action, subject, copy.deepcopy(details))
        )

    async def forget_telegram_id(self, telegram_user_id: int) -> int:
        renamed = self._rename(lambda r: r.subject == f"chat:{telegram_user_id}")
        return renamed + self._strip(
            lambda r: (r.details or {}).get("telegram_id") == telegram_user_id, ("telegram_id",)
        )

    async def strip_traces(self, before: datetime) -> int:
        renamed = self._rename(
            lambda r: (
                r.at < before
                and r.subject.startswith("chat:")
                and not r.subject.startswith("chat:-")
                and r.subject != FORGOTTEN_CHAT
            )
        )
        return renamed + self._strip(lambda r: r.at < before, TRACES)

    def _rename(self, where: Callable[[AuditRecord], bool]) -> int:
        changed = [record for record in self._s.audit if where(record)]
        for record in changed:
            record.subject = FORGOTTEN_CHAT
        return len(changed)

    def _strip(self, where: Callable[[AuditRecord], bool], keys: Sequence[str]) -> int:
        changed = 0
        for record in self._s.audit:
            if where(record) and any(key in (record.details or {}) for key in keys):
                kept = {k: v for k, v in (record.details or {}).items() if k not in keys}
                record.details = kept or None
                changed += 1
        return changed

    async def search(
        self, query: AuditQuery, before: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        found: list[AuditEntry] = []
        for index in range(len(self._s.audit), 0, -1):  # an entry's id is its place, from 1
            record = self._s.audit[index - 1]
            if before is not None and index >= before:
                continue
            if query.subject and record.subject != query.subject:
                continue
            if (
                query.actor_person_id is not None
                and record.actor_person_id != query.actor_person_id
            ):
                continue
            if query.action and not (
                record.action.startswith(query.action)
                if query.action.endswith(".")
                else record.action == query.action
            ):
                continue
            if query.since is not None and record.at < query.since:
                continue
            if query.until is not None and record.at >= query.until:
                continue
            found.append(
                AuditEntry(
                    index,
                    record.at,
                    record.actor_person_id,
                    record.action,
                    record.subject,
                    record.details,
                )
            )
            if len(found) == limit:
                break
        return found


class MemoryCentreRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(self, name_ja: str, name_en: str) -> BusinessCentre:
        centre = BusinessCentre(id=self._ids.take("centres"), name_ja=name_ja, name_en=name_en)
        self._s.centres[centre.id] = centre
        return centre

    async def all(self) -> Sequence[BusinessCentre]:
        return [centre for _, centre in sorted(self._s.centres.items())]

    async def get(self, centre_id: int) -> BusinessCentre | None:
        return self._s.centres.get(centre_id)

    async def update(self, centre: BusinessCentre) -> bool:
        if centre.id not in self._s.centres:
            return False
        closed = None if centre.closed_at is None else utc(centre.closed_at)
        self._s.centres[centre.id] = replace(centre, closed_at=closed)
        return True


class MemoryShiftRepository:
    def __init__(self, state: MemoryState, ids: _Ids) -> None:
        self._s = state
        self._ids = ids

    async def add(self, shift: NewShift) -> Shift:
        if shift.centre_id not in self._s.centres:
            # The SQL store refuses this with its foreign key.
            raise ValueError(f"no business centre {shift.centre_id}")
        stored = Shift(
            id=self._ids.take("shifts"),
            centre_id=shift.centre_id,
            starts_at=utc(shift.starts_at),
            ends_at=utc(shift.ends_at),
            kind=WorkKind(shift.kind),
            capacity=shift.capacity,
            for_volunteers=shift.for_volunteers,
        )
        self._s.shifts[stored.id] = stored
        return stored

    async def get(self, shift_id: int) -> Shift | None:
        shift = self._s.shifts.get(shift_id)
        return None if shift is None else self._with_people(shift)

    async def assign(self, shift_id: int, person_id: int) -> bool:
        if shift_id not in self._s.shifts or person_id not in self._s.people:
            raise ValueError(f"no shift {shift_id} or no person {person_id}")  # SQL: foreign key
        if (shift_id, person_id) in self._s.shift_assignments:
            return False
        self._s.shift_assignments[(shift_id, person_id)] = True
        return True

    async def for_person(self, person_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        mine = [
            self._s.shifts[shift_id]
            for shift_id, who in self._s.shift_assignments
            if who == person_id and start <= self._s.shifts[shift_id].starts_at < end
        ]
        return [self._with_people(s) for s in sorted(mine, key=lambda s: (s.starts_at, s.id))]

    async def on_shift(self, shift_id: int) -> Sequence[Person]:
        ids = sorted(who for sid, who in self._s.shift_assignments if sid == shift_id)
        return [self._s.people[person_id] for person_id in ids if person_id in self._s.people]

    async def update(self, shift: Shift) -> bool:
        if shift.id not in self._s.shifts:
            return False
        self._s.shifts[shift.id] = replace(  # who is on it is kept apart, as in SQL
            shift,
            starts_at=utc(shift.starts_at),
            ends_at=utc(shift.ends_at),
            assigned=frozenset(),
        )
        return True

    def _with_people(self, shift: Shift) -> Shift:
        people = frozenset(who for sid, who in self._s.shift_assignments if sid == shift.id)
        return replace(shift, assigned=people)


class MemoryUnitOfWork:
    """Implements `bot.ports.store.UnitOfWork` over a private copy of the store's state."""

    # Declared as the ports' types: the Protocol's attributes are writable, hence invariant.
    people: PeopleRepository
    invites: InviteRepository
    dialogs: DialogRepository
    inbox: InboxRepository
    outbox: OutboxRepository
    audit: AuditRepository
    centres: CentreRepository
    shifts: ShiftRepository
    assemblies: AssemblyRepository
    hours: HourReportRepository
    requests: ServiceRequestRepository
    shift_swaps: ShiftSwapRepository
    broadcasts: BroadcastRepository
    cards: StaffCardRepository
    volunteers: VolunteerRepository
    privacy: PersonalDataRepository
    reminders: ReminderRepository
    desk: DeskRepository
    exports: ExportRepository
    line: LineRepository
    memberships: MembershipRepository
    conversations: ConversationRepository
    roster: RosterRepository
    links: LinkRepository

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._events = EventLog(store.publish)
        self._entered = False
        self.committed = False  # for tests that want to see whether a service committed

    async def __aenter__(self) -> MemoryUnitOfWork:
        if self._entered:
            raise RuntimeError("a unit of work is entered once; ask the factory for another")
        self._entered = True
        self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Whatever was not committed stays in the private copy, which is dropped here.
        self._base = self._working = MemoryState()

    def record(self, event: Event) -> None:
        self._events.record(event)

    async def commit(self) -> None:
        await self._events.publish(self)
        _merge(self._store.state, self._base, self._working)
        self._store.commits += 1
        self.committed = True
        self._begin()

    async def rollback(self) -> None:
        self._events.clear()
        self._begin()

    def _begin(self) -> None:
        # Two copies: `_base` is what this unit saw, to tell its own changes from others'.
        self._base = copy.deepcopy(self._store.state)
        self._working = state = copy.deepcopy(self._base)
        ids = self._store.ids
        self.people = MemoryPeopleRepository(state, ids)
        self.invites = MemoryInviteRepository(state)
        self.dialogs = MemoryDialogRepository(state)
        self.inbox = MemoryInboxRepository(state)
        self.outbox = MemoryOutboxRepository(state, ids)
        self.audit = MemoryAuditRepository(state)
        self.centres = MemoryCentreRepository(state, ids)
        self.shifts = MemoryShiftRepository(state, ids)
        self.assemblies = MemoryAssemblyRepository(state, ids)
        self.hours = MemoryHourReportRepository(state, ids)
        self.requests = MemoryServiceRequestRepository(state, ids)
        self.shift_swaps = MemoryShiftSwapRepository(state, ids)
        self.broadcasts = MemoryBroadcastRepository(state, ids)
        self.cards = MemoryStaffCardRepository(state, ids)
        self.volunteers = MemoryVolunteerRepository(state, ids)
        self.privacy = MemoryPersonalDataRepository(state)
        self.reminders = MemoryReminderRepository(state, ids)
        self.desk = MemoryDeskRepository(state)
        self.exports = MemoryExportRepository(state)
        self.line = MemoryLineRepository(state, ids)
        self.memberships = MemoryMembershipRepository(state)
        self.conversations = MemoryConversationRepository(state, ids.take)
        self.roster = MemoryRosterRepository(state)
        self.links = MemoryLinkRepository(state)


def _merge(committed: MemoryState, base: MemoryState, working: MemoryState) -> None:
    """Applies the rows `working` changed relative to `base` onto `committed`, or nothing."""
    changes: list[tuple[dict[Any, Any], Any, Any]] = []
    for name in _TABLES:
        before, after, now = getattr(base, name), getattr(working, name), getattr(committed, name)
        for key in before.keys() | after.keys():
            mine = after.get(key, _MISSING)
            if before.get(key, _MISSING) == mine:
                continue
            if now.get(key, _MISSING) != before.get(key, _MISSING):
                raise ConflictingUnitsError(
                    f"{name}[{key!r}] was changed by another unit of work since this one began"
                )
            changes.append((now, key, mine))
    for table, key, value in changes:
        if value is _MISSING:
            table.pop(key, None)
        else:
            table[key] = value
    committed.audit.extend(working.audit[len(base.audit) :])
    # Entries are appended, and only their details ever change (a trace stripped): in place.
    for index, (was, now) in enumerate(zip(base.audit, working.audit, strict=False)):
        if was != now:
            committed.audit[index] = now


class MemoryStore:
    """`store.uow` is a `UnitOfWorkFactory`; `store.state` is the committed state."""

    def __init__(self, publish: Publisher | None = None) -> None:
        self.publish = publish  # the consequences of events, as the composition root wires them
        self.state = MemoryState()
        self.ids = _Ids()
        self.commits = 0

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)
