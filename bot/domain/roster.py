"""The co-op's roster of imported members: what an import knows of a person beyond their
person row (the reading of their name, a phone number), and the key that finds them again.

Kana and phone are personal data (docs/personal-data.md): they go with /forget, and the key is
a SHA-256 (bot.domain.member_csv.MemberFields.key), no second copy of the name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.people import Person


@dataclass(frozen=True)
class RosterEntry:
    person_id: int
    key: str
    kana: str
    phone: str | None
    imported_at: datetime


@dataclass(frozen=True)
class Waiting:
    """An imported person who has not joined yet, and until when their newest letter's code
    works (None: no code open, a letter must be printed)."""

    person: Person
    entry: RosterEntry
    centre_ids: frozenset[int]
    code_expires_at: datetime | None
