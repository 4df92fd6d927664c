"""Engines for the two supported databases, configured for many concurrent asyncio tasks.

SQLite (`sqlite+aiosqlite:///path`) is the embedded default; PostgreSQL
(`postgresql+asyncpg://...`) serves production and several replicas.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# How long a writer waits for another writer's lock before SQLite reports "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000

# An execution option: on SQLite, run the statement on the calling (event loop's) thread
# rather than handing it to aiosqlite's. For short statements inside a unit of work only, see
# _OneTripCursor.
ON_LOOP_THREAD = "kyodo_on_loop_thread"

# In a connection's `info`: how many writing statements it has run, by table (None: a write
# whose table is not known, as raw SQL's). Answers read ahead for a batch are checked against
# it (storage/repositories/_sql.py: writes_to).
WRITES = "kyodo_writes"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An engine for `url`; extra keyword arguments go to SQLAlchemy unchanged."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, **kwargs)
    elif parsed.get_backend_name() == "postgresql":
        engine = _postgres_engine(parsed, **kwargs)
    else:
        raise ValueError(f"unsupported database: {parsed.get_backend_name()!r}")
    event.listen(engine.sync_engine, "before_cursor_execute", _count_writes)
    return engine


def _count_writes(
    conn: Connection, _cursor: Any, statement: str, _p: Any, context: Any, _many: bool
) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(table, "name", None)
    elif statement.lstrip()[:6].upper() in _WRITE_VERBS:
        name = None
    else:
        return
    writes = conn.info.setdefault(WRITES, {})
    writes[name] = writes.get(name, 0) + 1


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
    # Statements marked ON_LOOP_THREAD use the connection from the event loop's thread; the
    # connection's own mutex still lets one statement at a time use it.
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, AsyncAdapt_aiosqlite_connection):
            dbapi_connection.__class__ = _OneTripConnection  # same layout, one trip a statement
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

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _where_to_run(
        _conn: Connection, cursor: Any, _s: str, _p: Any, context: Any, _many: bool
    ) -> None:
        if isinstance(cursor, _OneTripCursor):
            options = context.execution_options if context is not None else EMPTY_DICT
            cursor._on_loop = bool(options.get(ON_LOOP_THREAD, False))

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


def _run_statement(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, int, int | None, list[Any] | None]:
    """In aiosqlite's thread: one statement from cursor to close, its rows fetched."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, one trip to aiosqlite's thread a statement.

    The stock adapter makes four (open a cursor, execute, fetch, close), each a hand-over to
    the driver's thread and back through the event loop: on the inbox worker's path that was
    16 hand-overs an update for 4 statements (bench/inbound_profile.py), and under load each
    waits for the GIL. Here the thread does all four at once and hands back the rows.

    A statement marked ON_LOOP_THREAD makes no trip at all: the hand-over cost 0.07-0.17 ms of
    CPU a statement, three times what SQLite takes for a lookup by key (bench/inbound_profile.py).
    That is safe for the short statements of a unit of work: every transaction begins with
    BEGIN IMMEDIATE (on aiosqlite's thread, where waiting for another process's lock does not
    stall the loop), and holding the write lock, nothing in it waits for a lock again; WAL
    checkpoints happen at COMMIT, which stays on aiosqlite's thread too. Long statements
    (exports, purges) are not marked and keep the loop free while they run.
    """

    __slots__ = ("_description", "_lastrowid", "_on_loop", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor opened ahead: no trip
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._on_loop = False

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        return None  # nothing stays open

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._run(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._run(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: Any = self._connection  # aiosqlite's: its thread and sqlite3 connection
        async with self._adapt_connection._execute_mutex:
            if self._on_loop:
                found = _run_statement(connection._conn, operation, parameters, many)
            else:
                found = await connection._execute(
                    _run_statement, connection._conn, operation, parameters, many
                )
        self._description, self._rowcount, self._lastrowid, rows = found
        self._rows = collections.deque(rows or ())


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor
