"""The SQL unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

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


class SqlUnitOfWork:
    """Implements `bot.ports.store.UnitOfWork`; the repositories exist inside `async with`."""

    # Declared as the ports' types: the Protocol's attributes are writable, hence invariant.
    people: PeopleRepository
    invites: InviteRepository
    dialogs: DialogRepository
    inbox: InboxRepository
    outbox: OutboxRepository
    audit: AuditRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work is entered once; ask the factory for another")
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
            await session.close()

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

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self._sessions)


def make_uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    """The function the composition root hands to services: each call is a fresh unit."""
    return SqlStore(engine).uow
