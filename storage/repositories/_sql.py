"""Helpers shared by the SQL repositories: the dialect-specific INSERT, statements built
once, and row counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import ON_LOOP_THREAD, WRITES


def upsert_insert(session: AsyncConnection, model: Any) -> Any:
    """An INSERT that has `.on_conflict_do_nothing()` / `.on_conflict_do_update()`.

    Both dialects spell ON CONFLICT the same way, but SQLAlchemy builds it per dialect. Unlike
    catching IntegrityError, ON CONFLICT leaves a PostgreSQL transaction usable.
    """
    if dialect_name(session) == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def insert_into(dialect: str, table: Any) -> Any:
    """`upsert_insert` for a dialect named, for statements built before any connection."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


S = TypeVar("S")


class Prepared(Generic[S]):
    """A statement built once per SQL dialect, then run with bound values only.

    On the inbox worker's path (every update) building a statement and computing its cache key
    cost about as much CPU as running it on SQLite: 0.42 against 0.20 ms a lookup of a dialog
    state (bench/inbound_profile.py). SQLAlchemy memoises the cache key of a statement object,
    so one built once and run with `bindparam` values skips both. Built from tables, not ORM
    classes, so that running it does not go through the ORM's compile layer either.

    On SQLite it runs on the event loop's thread (storage/database.py, ON_LOOP_THREAD): right
    for a lookup or a write of a few rows by key. One that may read many rows (a scan of what
    is due while a broadcast's thousands wait) says `on_loop_thread=False` and is handed to
    aiosqlite's thread as other statements are, keeping the loop free while it runs.
    """

    def __init__(self, build: Callable[[str], S], *, on_loop_thread: bool = True) -> None:
        self._build = build
        self._on_loop_thread = on_loop_thread
        self._built: dict[str, S] = {}

    def of(self, session: AsyncConnection) -> S:
        name = session.dialect.name
        statement = self._built.get(name)
        if statement is None:
            built: Any = self._build(name)
            if self._on_loop_thread:
                built = built.execution_options(**{ON_LOOP_THREAD: True})
            statement = self._built[name] = built
        return statement


def writes_to(session: AsyncConnection, tables: tuple[str, ...]) -> int:
    """How many writing statements this connection has run on `tables`, or on tables it could
    not name: a repository that read ahead drops what it read once this moves past its own
    writes (another repository wrote, e.g. a person forgotten earlier in the same batch)."""
    counts: dict[str | None, int] = session.info.get(WRITES, {})
    return counts.get(None, 0) + sum(counts.get(table, 0) for table in tables)


def dialect_name(session: AsyncConnection) -> str:
    return session.dialect.name


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE (the typed Result hides the cursor's attribute)."""
    count: int = getattr(result, "rowcount", 0)
    return count
