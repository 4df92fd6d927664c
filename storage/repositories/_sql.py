"""Helpers shared by the SQL repositories: the dialect-specific INSERT and row counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def upsert_insert(session: AsyncConnection, model: Any) -> Any:
    """An INSERT that has `.on_conflict_do_nothing()` / `.on_conflict_do_update()`.

    Both dialects spell ON CONFLICT the same way, but SQLAlchemy builds it per dialect. Unlike
    catching IntegrityError, ON CONFLICT leaves a PostgreSQL transaction usable.
    """
    if dialect_name(session) == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def dialect_name(session: AsyncConnection) -> str:
    return session.dialect.name


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE (the typed Result hides the cursor's attribute)."""
    count: int = getattr(result, "rowcount", 0)
    return count
