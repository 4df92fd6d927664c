"""The audit log as the core reads it back: one entry, and the search that narrows the log.

Entries are written by `uow.audit.add` wherever something is looked at, changed or refused
(`bot.services.access` writes the refusals); staff search them on the desk
(`bot.services.audit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Keys of an audit row's details that point at someone outside Kyodo's ids: a refused stranger's
# Telegram id, the address of a client that guessed at a link. /forget removes a person's
# Telegram id; the nightly purge removes both from rows older than the retention period.
TRACES = ("telegram_id", "client")
# What an entry about a private chat (`chat:<Telegram id>`) names once that id has to go.
FORGOTTEN_CHAT = "chat:forgotten"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_person_id: int | None
    action: str
    subject: str
    details: dict[str, Any] | None


@dataclass(frozen=True)
class AuditQuery:
    """The audit log's search: every field given narrows it; `subject` matches exactly."""

    subject: str | None = None  # e.g. "person:12"
    actor_person_id: int | None = None
    action: str | None = None  # an exact action, or a prefix ending in "." ("hours.")
    since: datetime | None = None
    until: datetime | None = None  # exclusive
