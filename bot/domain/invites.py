"""One-time invite codes: their alphabet, normalisation and lifetime rules."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import InvalidInput
from bot.domain.people import Role

# No 0/O, 1/I/L: codes are read aloud on the phone and typed by people with poor eyesight.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Invite:
    code: str
    role: Role
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def is_used(self) -> bool:
        return self.used_by is not None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """Accepts what people type: full-width letters, lower case, spaces and hyphens.

    Raises InvalidInput('invite_malformed') when what remains cannot be a code.
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    cleaned = "".join(ch for ch in folded if ch not in " -_\u30fc\u2010\u2212")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        raise InvalidInput("invite_malformed")
    return cleaned


def display_code(code: str) -> str:
    """Codes are shown in two groups of four, easier to read aloud: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"
