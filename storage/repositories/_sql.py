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
    classes, so that running it does not go through the ORM's compile layer either. Only for
    statements that touch a few rows by key: they run on the event loop's thread on SQLite.
    """

    def __init__(self, build: Callable[[str], S]) -> None:
        self._build = build
        self._built: dict[str, S] = {}

    def of(self, session: AsyncConnection) -> S:
        name = session.dialect.name
        statement = self._built.get(name)
        if statement is None:
            # Each is a lookup or a write of one row by key: on SQLite short enough to run on
            # the event loop's thread (storage/database.py, ON_LOOP_THREAD).
            built: Any = self._build(name)
            statement = self._built[name] = built.execution_options(**{ON_LOOP_THREAD: True})
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
