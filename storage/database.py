"""Engines for the two supported databases, configured for many concurrent asyncio tasks.

SQLite (`sqlite+aiosqlite:///path`) is the embedded default; PostgreSQL
(`postgresql+asyncpg://...`) serves production and several replicas.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# How long a writer waits for another writer's lock before SQLite reports "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An engine for `url`; extra keyword arguments go to SQLAlchemy unchanged."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        return _postgres_engine(parsed, **kwargs)
    raise ValueError(f"unsupported database: {parsed.get_backend_name()!r}")


def _sqlite_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    if not url.database or url.database == ":memory:":
        # Every pooled connection would get its own empty in-memory database.
        raise ValueError("use a SQLite file: an in-memory database is not shared between tasks")
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_timeout", 30)
    # Every unit of work ends its transaction itself (commit, or rollback on leaving), so the
    # pool's own rollback on check-in would be one more round trip to the driver's thread.
    kwargs.setdefault("pool_reset_on_return", None)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module: it would open transactions
        # lazily with a plain BEGIN (and not at all before a SELECT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # WAL lets readers proceed while one writer writes; NORMAL is durable enough with
            # WAL (a power cut may lose the last commits, never corrupt the file).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes cannot wait for the write lock
        # (SQLite answers "database is locked" at once, whatever busy_timeout says). Taking the
        # write lock up front makes writers queue politely under busy_timeout instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_timeout", 30)
    # Connections die with server restarts and idle-killing proxies; check before use.
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kwargs)
