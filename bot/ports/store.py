"""The store as the core sees it: repositories that never commit, and a unit of work that does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from bot.domain.assemblies import Answer
from bot.domain.audit import AuditEntry, AuditQuery
from bot.domain.coop import Assembly, BusinessCentre, NewAssembly, NewShift, Shift
from bot.domain.deliveries import FailedSend, ParkedUpdate
from bot.domain.dialogs import DialogState
from bot.domain.events import Event
from bot.domain.invites import Invite, InviteFailures
from bot.domain.outbound import InboxItem, OutboundMessage, OutboxDelivery, OutboxItem
from bot.domain.people import NewPerson, Person, Role
from bot.ports.broadcasts import BroadcastRepository
from bot.ports.cards import StaffCardRepository
from bot.ports.conversations import ConversationRepository
from bot.ports.desk import DeskRepository
from bot.ports.exports import ExportRepository
from bot.ports.hours import HourReportRepository
from bot.ports.line import LineRepository
from bot.ports.links import LinkRepository
from bot.ports.memberships import MembershipRepository
from bot.ports.requests import ServiceRequestRepository
from bot.ports.roster import RosterRepository
from bot.ports.scheduling import ReminderRepository
from bot.ports.shift_swaps import ShiftSwapRepository
from bot.ports.volunteers import PersonalDataRepository, VolunteerRepository


class PeopleRepository(Protocol):
    async def get(self, person_id: int) -> Person | None: ...
    async def by_telegram_id(self, telegram_user_id: int) -> Person | None: ...
    async def of_chat(self, chat_id: int) -> Person | None:
        """The person whose first chat this is, else the one who linked it as a further chat
        (`LinkRepository.person_of`); None when neither."""
        ...

    async def read_ahead(self, chat_ids: Sequence[int]) -> None:
        """A hint: `of_chat` will be asked once for each of these chats, soon, in this unit
        of work. A store with round trips reads them all in one; each answer read ahead serves
        one `of_chat`, and any write to people, their roles or chats since (through any
        repository of the unit) drops them all: `of_chat` answers as if never read ahead."""
        ...

    async def add(self, person: NewPerson) -> Person: ...
    async def set_locale(self, person_id: int, locale: str | None) -> None: ...
    async def set_telegram_language(self, person_id: int, language: str | None) -> None: ...
    async def add_role(self, person_id: int, role: Role) -> None: ...
    async def remove_role(self, person_id: int, role: Role) -> None: ...
    async def mark_unreachable(self, telegram_user_id: int, unreachable: bool) -> None: ...
    async def attach(
        self, person_id: int, telegram_user_id: int, telegram_language: str | None
    ) -> bool:
        """Gives a person with no chat address yet (an imported one) this one; False if they
        have one already (nothing changes)."""
        ...

    async def rename(self, person_id: int, display_name: str) -> None: ...
    async def remove_placeholder(self, person_id: int) -> None:
        """Deletes a person row that holds nothing (no role, request or application): the
        stand-in of someone who then joins as an imported person. Their chat's rows stay."""
        ...

    async def with_role(self, role: Role) -> Sequence[Person]:
        """Everyone holding `role`, by id (small sets: staff, admins)."""
        ...

    async def page(self, role: Role | None, after: int, limit: int) -> Sequence[Person]:
        """People (holding `role`, if given) with id > `after`, by id: a keyset page."""
        ...

    async def count_by_role(self) -> dict[Role, int]: ...


class InviteRepository(Protocol):
    """Invites by the hash of their code (`bot.domain.invites.code_hash`): no code is stored."""

    async def add(self, invite: Invite) -> None: ...
    async def get(self, code_hash: str) -> Invite | None: ...
    async def mark_used(self, code_hash: str, person_id: int, at: datetime) -> bool:
        """Uses the code only if still unused (a conditional update); False if someone won."""
        ...

    async def open_invites(self, now: datetime, limit: int) -> Sequence[Invite]:
        """Unused invites that have not expired, newest first."""
        ...

    async def open_for(self, person_id: int, now: datetime) -> Sequence[Invite]:
        """Unused, unexpired invites bound to an imported person (their letters), newest first."""
        ...

    async def revoke_invite(self, code_hash: str, at: datetime) -> bool:
        """Ends an unused, unexpired invite now; False if it was used, expired or unknown."""
        ...

    async def failures(self, telegram_user_id: int) -> InviteFailures | None:
        """Wrong codes in a row from this Telegram account (None: none lately)."""
        ...

    async def put_failures(
        self, telegram_user_id: int, failures: InviteFailures, at: datetime
    ) -> None: ...
    async def clear_failures(self, telegram_user_id: int) -> None: ...
    async def forget_failures(self, before: datetime) -> int:
        """Deletes the counters untouched since `before` whose lockout is over; how many."""
        ...


class DialogRepository(Protocol):
    async def get(self, channel: str, chat_id: int) -> DialogState | None: ...
    async def read_ahead(self, keys: Sequence[tuple[str, int]]) -> None:
        """A hint, as `PeopleRepository.read_ahead`: `get` will be asked once for each of these
        (channel, chat) pairs in this unit of work; any write to dialog states since, other than
        this repository's own `put` and `delete` of a pair (which drop that pair), drops all."""
        ...

    async def put(self, channel: str, chat_id: int, state: DialogState, at: datetime) -> None: ...
    async def delete(self, channel: str, chat_id: int) -> None: ...
    async def delete_idle(self, before: datetime) -> int:
        """Deletes every conversation left untouched since `before`; returns how many."""
        ...


class InboxRepository(Protocol):
    async def add(self, update_id: int, payload: dict[str, Any], at: datetime) -> bool:
        """Stores an update; False (and nothing changes) when that update id is already there."""
        ...

    async def add_many(self, updates: Sequence[tuple[int, dict[str, Any]]], at: datetime) -> int:
        """Stores a batch in one statement; returns how many were new (repeats are skipped)."""
        ...

    async def pending(self, limit: int) -> Sequence[InboxItem]:
        """Unhandled updates, oldest update id first."""
        ...

    async def claim(self, update_id: int, at: datetime, kind: str | None = None) -> bool:
        """Marks the update handled if nobody has; False when another worker already did.
        With `kind`, also keeps of it its id and that kind only: the raw update (a person's name
        and words) goes with the commit."""
        ...

    async def claim_many(self, claims: Sequence[tuple[int, str]], at: datetime) -> set[int]:
        """`claim` with a kind for each (update id, kind), in one go; returns the ids claimed
        now (those nobody had handled)."""
        ...

    async def prune(self, handled_before: datetime) -> int:
        """Deletes updates handled, or parked, before `handled_before`; returns how many."""
        ...

    async def last_update_id(self) -> int | None:
        """The highest Telegram update id stored (None when there is none); LINE's events
        have ids from `bot.domain.channels.LINE_UPDATE_BASE` up, not counted here."""
        ...

    async def forget_payloads(self, handled_before: datetime) -> int:
        """The same for updates handled before `handled_before` without the core (malformed,
        given up on) that still hold their raw payload; returns how many."""
        ...

    async def forget_chat(self, chat_id: int) -> int:
        """Deletes the raw updates from a private chat that are handled or set aside (one still
        waiting is left to be handled); returns how many."""
        ...

    async def add_fresh(
        self, updates: Sequence[tuple[int, dict[str, Any]]], at: datetime, since: datetime
    ) -> Sequence[int]:
        """Stores a batch; returns the ids that were new. An id is a repeat only of a row
        received at or after `since` (the retention window): an older row with that id is
        replaced, since Telegram starts update ids again after a week without updates."""
        ...

    async def park(self, update_id: int, at: datetime, reason: str) -> bool:
        """Sets an unhandled update aside (not pending) for staff; False if it is not pending."""
        ...

    async def parked(self, limit: int) -> Sequence[ParkedUpdate]:
        """Parked updates, oldest first."""
        ...

    async def unpark(self, update_id: int) -> bool:
        """Makes a parked update pending again; False if it is not parked (any more)."""
        ...


class OutboxRepository(Protocol):
    async def add(
        self,
        message: OutboundMessage,
        at: datetime,
        *,
        not_before: datetime | None = None,
        dedupe_key: str | None = None,
        bulk: bool = False,
    ) -> int | None:
        """Queues a message; returns None when `dedupe_key` was queued before (sent once).

        `bulk` (or `as_bulk()`): a broadcast copy, reminder or digest, sent with what people's
        answers leave of the rate. An edit replaces the edits of the same message still pending
        (only the latest one is sent: each carries the whole text and buttons)."""
        ...

    def as_bulk(self) -> AbstractContextManager[None]:
        """Within it, every row this repository queues is bulk (consequences of bulk events)."""
        ...

    async def claim(
        self, now: datetime, lease_until: datetime, limit: int, bulk_limit: int | None = None
    ) -> Sequence[OutboxItem]:
        """Takes due rows (pending, or sending with an expired lease) for this sender: up to
        `limit`, people's answers before bulk, of which at most `bulk_limit` bulk (no cap when
        None)."""
        ...

    async def claim_batch(
        self, now: datetime, lease_until: datetime
    ) -> tuple[str, Sequence[OutboxItem]] | None:
        """Takes the oldest due LINE multicast batch whole: its name and its due rows (`claim`
        never takes a batch's rows); None when no batch is due."""
        ...

    async def mark_sent(
        self, item_id: int, at: datetime, telegram_message_id: int | None
    ) -> None: ...
    async def mark_sent_many(self, marks: Sequence[tuple[int, datetime, int | None]]) -> None:
        """Marks many rows sent at once: (outbox id, when, Telegram message id) each."""
        ...

    async def mark_failed(self, item_id: int, at: datetime, error: str) -> None: ...
    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None: ...
    async def next_due(self) -> datetime | None:
        """When the earliest pending row becomes due (None: nothing pending)."""
        ...

    async def counts(self) -> dict[str, int]:
        """Rows per status, for monitoring and tests."""
        ...

    async def deliveries(self, dedupe_keys: Sequence[str]) -> dict[str, OutboxDelivery]:
        """The rows queued under these keys (absent keys are left out): their status and, once
        sent, the Telegram message id, so that a message can later be edited in place."""
        ...

    async def prune(self, settled_before: datetime) -> int:
        """Deletes rows sent or failed before `settled_before`, except those still needed (a
        staff card's copies, a broadcast's deliveries and progress message); returns how many."""
        ...

    async def withdraw(self, dedupe_prefix: str) -> int:
        """Deletes the pending rows whose dedupe key starts with `dedupe_prefix` (held notices
        of an undone action); rows being sent or sent stay. Returns how many."""
        ...

    async def forget_chat(self, chat_id: int) -> int:
        """Deletes every row to `chat_id`, whatever its state; returns how many."""
        ...

    async def failed_since(self, since: datetime, limit: int) -> Sequence[FailedSend]:
        """Rows that failed at or after `since`, unreachable chats left out, by chat then id."""
        ...

    async def undelivered_on_line(self, chat_id: int, limit: int) -> Sequence[OutboxItem]:
        """The chat's rows LINE would not push (failed with `line_undelivered.QUOTA_SPENT`),
        oldest first; none redacted (a credential's text is gone once it failed)."""
        ...

    async def riders_of(self, leader_id: int) -> Sequence[OutboxItem]:
        """Failed rows going with the reply of row `leader_id` (`line_undelivered.riding`)."""
        ...

    async def note_failed(self, item_ids: Sequence[int], error: str) -> None:
        """Sets the error of these failed rows (nothing else of them changes)."""
        ...

    async def send_again(self, item_ids: Sequence[int], at: datetime) -> int:
        """Makes these failed rows pending again, as if new; returns how many were failed."""
        ...


class AuditRepository(Protocol):
    async def add(
        self,
        at: datetime,
        actor_person_id: int | None,
        action: str,
        subject: str,
        details: dict[str, Any] | None = None,
    ) -> None: ...

    async def forget_telegram_id(self, telegram_user_id: int) -> int:
        """Removes this Telegram id from every entry's details; returns how many changed."""
        ...

    async def strip_traces(self, before: datetime) -> int:
        """Removes Telegram ids and client addresses (`bot.domain.audit.TRACES`) from entries
        older than `before`; returns how many changed."""
        ...

    async def search(
        self, query: AuditQuery, before: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        """Matching entries with id < `before` (all when None), newest first."""
        ...


class CentreRepository(Protocol):
    async def add(self, name_ja: str, name_en: str) -> BusinessCentre: ...
    async def all(self) -> Sequence[BusinessCentre]:
        """Every business centre, closed ones too, by id (a co-op has a few hundred)."""
        ...

    async def get(self, centre_id: int) -> BusinessCentre | None: ...
    async def update(self, centre: BusinessCentre) -> bool:
        """Writes a centre's names, phone, kinds of work, areas and closing; False if absent."""
        ...


class ShiftRepository(Protocol):
    async def add(self, shift: NewShift) -> Shift: ...
    async def get(self, shift_id: int) -> Shift | None: ...
    async def assign(self, shift_id: int, person_id: int) -> bool:
        """Puts the person on the shift; False (and nothing changes) if already on it."""
        ...

    async def for_person(self, person_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
        """The person's shifts starting in [start, end), earliest first."""
        ...

    async def on_shift(self, shift_id: int) -> Sequence[Person]:
        """Everyone assigned to the shift, by person id."""
        ...

    async def update(self, shift: Shift) -> bool:
        """Writes a shift's centre, times, kind, capacity and volunteer flag; False if absent."""
        ...


class AssemblyRepository(Protocol):
    async def add(self, assembly: NewAssembly) -> Assembly: ...
    async def get(self, assembly_id: int) -> Assembly | None: ...
    async def upcoming(self, now: datetime, limit: int) -> Sequence[Assembly]:
        """Assemblies starting at or after `now`, soonest first."""
        ...

    async def put_answer(self, answer: Answer) -> None:
        """A member's answer, replacing their earlier one to the same notice."""
        ...

    async def answer_of(self, assembly_id: int, person_id: int) -> Answer | None: ...
    async def answers(self, assembly_id: int) -> Sequence[Answer]:
        """Every current answer to the notice, by person id."""
        ...

    async def check_in(
        self, assembly_id: int, person_id: int, by: int | None, at: datetime
    ) -> bool:
        """Marks the member present; False (and nothing changes) if already checked in."""
        ...

    async def checked_in(self, assembly_id: int) -> frozenset[int]:
        """The person ids checked in at the assembly."""
        ...

    async def undo_check_in(
        self, assembly_id: int, person_id: int, by: int | None, since: datetime
    ) -> bool:
        """Removes a check-in made by `by` at or after `since` (an undo); False (and nothing
        changes) if there is none such."""
        ...

    async def update(self, assembly: Assembly) -> bool:
        """Writes a notice's titles, places, agenda and quorum (never its dates); False if there
        is none."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `async with` block without `commit()` rolls back."""

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
    reminders: ReminderRepository
    volunteers: VolunteerRepository
    privacy: PersonalDataRepository
    exports: ExportRepository
    desk: DeskRepository
    line: LineRepository
    links: LinkRepository
    memberships: MembershipRepository
    conversations: ConversationRepository
    roster: RosterRepository

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def record(self, event: Event) -> None:
        """What the use case did; its consequences run in this transaction, at commit."""
        ...

    async def commit(self) -> None:
        """Runs the consequences of every recorded event, then commits them all at once."""
        ...

    async def rollback(self) -> None:
        """Discards the changes and the events recorded since the last commit."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
