"""Which replica runs the scheduler: a PostgreSQL advisory lock, held on a dedicated connection.

`pg_try_advisory_lock` is a session lock: it lives as long as the connection that took it. The
leader keeps that connection open and checks it every few seconds; when the leader dies (even by
SIGKILL) the server sees the socket close, ends the session and frees the lock, and the next
replica to try takes it. A leader that loses its connection (network, server restart) notices on
its next check and stops scheduling. On SQLite there is one process, and it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.ports.scheduling import LeaderLock

log = logging.getLogger(__name__)

# One 64-bit key for Kyodo's scheduler ("kyodoSCH" in ASCII), so no other lock collides with it.
SCHEDULER_LOCK_KEY = 0x6B796F646F534348
CHECK_TIMEOUT = 5.0  # seconds a liveness query may take before the connection counts as lost
# The server drops a silent leader's session (and so its lock) after about 5 + 3 x 2 seconds.
_KEEPALIVES = (
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"
)


class AlwaysLeader:
    """SQLite: a single process, always the leader."""

    async def acquire(self) -> bool:
        return True

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeaderLock:
    """The advisory lock on its own asyncpg connection (outside the engine's pool)."""

    def __init__(self, database_url: str, key: int = SCHEDULER_LOCK_KEY) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._key = key
        self._connection: Any = None
        self._held = False

    async def acquire(self) -> bool:
        if self._held and await self.held():
            return True
        try:
            if self._connection is None or self._connection.is_closed():
                self._connection = await asyncpg.connect(self._dsn, timeout=CHECK_TIMEOUT)
                # A leader whose machine vanished (no FIN, no RST) would otherwise keep the
                # lock until the server's TCP keepalive gives up, two hours by default.
                await asyncio.wait_for(self._connection.execute(_KEEPALIVES), CHECK_TIMEOUT)
            got = await asyncio.wait_for(
                self._connection.fetchval("SELECT pg_try_advisory_lock($1)", self._key),
                CHECK_TIMEOUT,
            )
        except Exception as error:  # whatever broke, this process does not hold the lock
            log.warning("leader lock: cannot reach the database (%s)", type(error).__name__)
            await self._drop()
            return False
        self._held = bool(got)
        return self._held

    async def held(self) -> bool:
        if not self._held or self._connection is None or self._connection.is_closed():
            self._held = False
            return False
        try:
            await asyncio.wait_for(self._connection.fetchval("SELECT 1"), CHECK_TIMEOUT)
        except Exception as error:  # asyncpg raises several unrelated types for a lost link
            log.warning("leader lock: its connection is gone (%s)", type(error).__name__)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._held and self._connection is not None and not self._connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    self._connection.fetchval("SELECT pg_advisory_unlock($1)", self._key),
                    CHECK_TIMEOUT,
                )
        await self._drop()

    async def _drop(self) -> None:
        self._held = False
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT)
            if not connection.is_closed():
                connection.terminate()


def leader_lock(database_url: str) -> LeaderLock:
    """The lock for this store: an advisory lock on PostgreSQL, none needed on SQLite."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresLeaderLock(database_url)
    return AlwaysLeader()
