"""A chat or user id inside a JSON column, compared as a 64-bit integer.

SQLAlchemy's `as_integer()` casts to INTEGER, 32 bits on PostgreSQL: Telegram's user ids pass
2**31 and LINE's surrogate chat ids start at 2**53 (bot.domain.channels), so such a comparison
fails there ("value out of int32 range") and /forget with it. BIGINT holds them all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, cast
from sqlalchemy.sql.elements import ColumnElement


def json_id(element: Any) -> ColumnElement[int]:
    """`payload["message"]["chat"]["id"]` as a BIGINT (SQLite: its JSON number; PostgreSQL:
    its text cast)."""
    return cast(element.as_string(), BigInteger)
