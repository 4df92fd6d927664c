"""The staff web desk's sign-in: one-time links and browser sessions (the audit log's search is
`bot.domain.audit`).

A sign-in link carries a random token; only its SHA-256 is stored, so a copy of the database
cannot sign anyone in. A session id is random too and stored hashed; its CSRF token is stored as
is (it is only ever compared with what the session's own pages sent back).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

LINK_TTL = timedelta(minutes=10)
IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_MAX_AGE = timedelta(hours=12)  # a session ends this long after sign-in, whatever its use
TOKEN_BYTES = 32  # 43 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(text: str) -> bool:
    """What `new_token` makes: anything else is refused before the store is asked."""
    return 20 <= len(text) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)


@dataclass(frozen=True)
class DeskLogin:
    """A one-time sign-in link as stored: its hash, whose it is, until when, whether used."""

    token_hash: str
    person_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class DeskSession:
    id_hash: str
    person_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None

    def is_live(self, now: datetime, idle: timedelta = IDLE_TIMEOUT) -> bool:
        return self.ended_at is None and now - self.last_seen_at <= idle
