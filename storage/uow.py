"""The SQL unit of work: one connection, one transaction, rolled back unless committed.

Repositories run SQLAlchemy Core statements on the unit's connection. There is no ORM session:
nothing here loads mapped objects, and the session's bookkeeping cost more CPU per update than
the statements themselves (measured with bench/inbound.py).
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.events import Event
from bot.ports.broadcasts import BroadcastRepository
from bot.ports.cards import StaffCardRepository
from bot.ports.conversations import ConversationRepository
from bot.ports.desk import DeskRepository
from bot.ports.events import EventLog, Publisher
from bot.ports.exports import ExportRepository
from bot.ports.hours import HourReportRepository
from bot.ports.line import LineRepository
from bot.ports.links import LinkRepository
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
    UnitOfWork,
    UnitOfWorkFactory,
)
from bot.ports.volunteers import PersonalDataRepository, VolunteerRepository
from storage.repositories import (
    SqlAssemblyRepository,
    SqlAuditRepository,
    SqlCentreRepository,
    SqlDialogRepository,
    SqlInboxRepository,
    SqlInviteRepository,
    SqlOutboxRepository,
    SqlPeopleRepository,
    SqlShiftRepository,
)
from storage.repositories.broadcasts import SqlBroadcastRepository
from storage.repositories.cards import SqlStaffCardRepository
from storage.repositories.conversations import SqlConversationRepository
from storage.repositories.desk import SqlDeskRepository
from storage.repositories.exports import SqlExportRepository
from storage.repositories.hours import SqlHourReportRepository
from storage.repositories.line import SqlLineRepository
from storage.repositories.links import SqlLinkRepository
from storage.repositories.memberships import SqlMembershipRepository
from storage.repositories.reminders import SqlReminderRepository
from storage.repositories.requests import SqlServiceRequestRepository
from storage.repositories.roster import SqlRosterRepository
from storage.repositories.shift_swaps import SqlShiftSwapRepository
from storage.repositories.volunteers import SqlPersonalDataRepository, SqlVolunteerRepository


class _Writer:
    """The SQLite writer lock of one store: who holds it, so that nesting fails instead of hanging.

    A task that opens a unit while its own unit is open would wait for itself forever.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        # Units that go ahead of the queue (`SqlStore.uow_ahead`): the lock is handed to them.
        self._ahead: deque[asyncio.Future[None]] = deque()

    async def acquire(self, ahead: bool = False) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError(
                "a unit of work was opened inside another in the same task: on SQLite (one "
                "writer at a time) it would wait for itself; finish the first unit first"
            )
        if ahead and self._lock.locked():
            handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._ahead.append(handed)
            try:
                await handed
            except BaseException:
                if handed.done() and not handed.cancelled():
                    self.release()  # it was handed over as we were cancelled: pass it on
                elif handed in self._ahead:
                    self._ahead.remove(handed)
                raise
        else:
            await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        self._owner = None
        while self._ahead:
            handed = self._ahead.popleft()
            if not handed.done():
                handed.set_result(None)  # the lock stays held, now on its behalf
                return
        self._lock.release()


class SqlUnitOfWork:
    """Implements `bot.ports.store.UnitOfWork`; the repositories exist inside `async with`."""

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

    def __init__(
        self,
        engine: AsyncEngine,
        writer: _Writer | None = None,
        publish: Publisher | None = None,
        ahead: bool = False,
    ) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._writer = writer
        self._events = EventLog(publish)
        self._ahead = ahead

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._connection is not None:
            raise RuntimeError("a unit of work is entered once; ask the factory for another")
        if self._writer is not None:
            await self._writer.acquire(self._ahead)
        try:
            # The transaction begins with the first statement (BEGIN IMMEDIATE on SQLite).
            connection = await self._engine.connect()
        except BaseException:
            if self._writer is not None:
                self._writer.release()
            raise
        self._connection = connection
        self.people = SqlPeopleRepository(connection)
        self.invites = SqlInviteRepository(connection)
        self.dialogs = SqlDialogRepository(connection)
        self.inbox = SqlInboxRepository(connection)
        self.outbox = SqlOutboxRepository(connection)
        self.audit = SqlAuditRepository(connection)
        self.centres = SqlCentreRepository(connection)
        self.shifts = SqlShiftRepository(connection)
        self.assemblies = SqlAssemblyRepository(connection)
        self.hours = SqlHourReportRepository(connection)
        self.requests = SqlServiceRequestRepository(connection)
        self.shift_swaps = SqlShiftSwapRepository(connection)
        self.broadcasts = SqlBroadcastRepository(connection)
        self.cards = SqlStaffCardRepository(connection)
        self.reminders = SqlReminderRepository(connection)
        self.volunteers = SqlVolunteerRepository(connection)
        self.privacy = SqlPersonalDataRepository(connection)
        self.exports = SqlExportRepository(connection)
        self.desk = SqlDeskRepository(connection)
        self.line = SqlLineRepository(connection)
        self.memberships = SqlMembershipRepository(connection)
        self.conversations = SqlConversationRepository(connection)
        self.roster = SqlRosterRepository(connection)
        self.links = SqlLinkRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._active()
        try:
            # Whatever was not committed is discarded; after a commit this costs nothing.
            await connection.rollback()
        finally:
            try:
                await connection.close()
            finally:
                if self._writer is not None:
                    self._writer.release()

    def record(self, event: Event) -> None:
        self._events.record(event)

    async def commit(self) -> None:
        connection = self._active()
        await self._events.publish(self)
        await connection.commit()

    async def rollback(self) -> None:
        self._events.clear()
        await self._active().rollback()

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._connection


class SqlStore:
    """Units of work on one engine; `store.uow` is a `UnitOfWorkFactory`."""

    def __init__(self, engine: AsyncEngine, publish: Publisher | None = None) -> None:
        self.engine = engine
        self.publish = publish  # the consequences of events (set by the composition root)
        # SQLite has one writer at a time, and every unit here begins IMMEDIATE. Units of this
        # process queue on an asyncio lock instead of in SQLite's busy handler, which sleeps in
        # growing steps (up to 100 ms) and so turned contention into latency. Other processes
        # on the same file still wait under busy_timeout.
        self._writer = _Writer() if engine.dialect.name == "sqlite" else None

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.engine, self._writer, self.publish)

    def uow_ahead(self) -> UnitOfWork:
        """A unit that goes ahead of those waiting for SQLite's writer, for a short write that
        must not wait behind long ones: the sender's sent marks (until one is committed, a kill
        would send that message again). Elsewhere the same as `uow`."""
        return SqlUnitOfWork(self.engine, self._writer, self.publish, ahead=True)


def make_uow_factory(engine: AsyncEngine, publish: Publisher | None = None) -> UnitOfWorkFactory:
    """The function the composition root hands to services: each call is a fresh unit."""
    return SqlStore(engine, publish).uow
