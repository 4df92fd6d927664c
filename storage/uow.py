"""The SQL unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

import asyncio
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.ports.store import (
    AuditRepository,
    DialogRepository,
    InboxRepository,
    InviteRepository,
    OutboxRepository,
    PeopleRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from storage.repositories import (
    SqlAuditRepository,
    SqlDialogRepository,
    SqlInboxRepository,
    SqlInviteRepository,
    SqlOutboxRepository,
    SqlPeopleRepository,
)


class _Writer:
    """The SQLite writer lock of one store: who holds it, so that nesting fails instead of hanging.

    A task that opens a unit while its own unit is open would wait for itself forever.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError(
                "a unit of work was opened inside another in the same task: on SQLite (one "
                "writer at a time) it would wait for itself; finish the first unit first"
            )
        await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        self._owner = None
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

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], writer: _Writer | None = None
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._writer = writer

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work is entered once; ask the factory for another")
        if self._writer is not None:
            await self._writer.acquire()
        # Made by the sessionmaker without I/O: nothing here can fail while the lock is held.
        session = self._sessions()
        self._session = session
        self.people = SqlPeopleRepository(session)
        self.invites = SqlInviteRepository(session)
        self.dialogs = SqlDialogRepository(session)
        self.inbox = SqlInboxRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.audit = SqlAuditRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._active()
        try:
            # Whatever was not committed is discarded; after a commit this costs nothing.
            await session.rollback()
        finally:
            try:
                await session.close()
            finally:
                if self._writer is not None:
                    self._writer.release()

    async def commit(self) -> None:
        await self._active().commit()

    async def rollback(self) -> None:
        await self._active().rollback()

    def _active(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session


class SqlStore:
    """Owns the session factory for one engine; `store.uow` is a `UnitOfWorkFactory`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # expire_on_commit=False: nothing ORM-mapped outlives a unit, and expiring would only
        # cost a reload; autoflush is moot since repositories issue statements, not objects.
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # SQLite has one writer at a time, and every unit here begins IMMEDIATE. Units of this
        # process queue on an asyncio lock instead of in SQLite's busy handler, which sleeps in
        # growing steps (up to 100 ms) and so turned contention into latency. Other processes
        # on the same file still wait under busy_timeout.
        self._writer = _Writer() if engine.dialect.name == "sqlite" else None

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self._sessions, self._writer)


def make_uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    """The function the composition root hands to services: each call is a fresh unit."""
    return SqlStore(engine).uow
