"""One-time invite codes: their alphabet, normalisation, lifetime rules, and how they are kept.

Only a slow hash of a code is stored (`code_hash`): the code is shown once, to whoever issued it.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.errors import InvalidInput
from bot.domain.people import Role

# No 0/O, 1/I/L: codes are read aloud on the phone and typed by people with poor eyesight.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Wrong codes from one Telegram account, however typed (the join button, `/start CODE`, `/join
# CODE`), before it must wait: a second fence behind the codes' length and their slow hash.
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


# scrypt, not SHA-256 as for the long random tokens: a code has 31^8 (about 2^40) values, which
# a graphics card runs through in minutes as SHA-256; at 16 MiB and ~50 ms a try, a stolen
# backup costs over a thousand CPU-years, and codes expire in days. The salt is fixed (a code is
# looked up by its hash) and only keeps tables made for other software useless.
_SALT = b"kyodo invite code v1"


def code_hash(code: str) -> str:
    """What the store keeps of a normalised code (hex, 64 characters). ~50 ms of CPU."""
    return hashlib.scrypt(code.encode(), salt=_SALT, n=2**14, r=8, p=1, dklen=32).hex()


@dataclass(frozen=True)
class Invite:
    code_hash: str
    role: Role
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    # A letter's code is for one imported person: whoever redeems it becomes that person.
    person_id: int | None = None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def is_used(self) -> bool:
        return self.used_by is not None


@dataclass(frozen=True)
class InviteFailures:
    """Wrong codes in a row from one Telegram account, and the wait they led to."""

    failures: int
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_one_more(self, now: datetime) -> InviteFailures:
        """The count after another wrong code: the fifth locks the account for a while (and
        the count starts again once the wait is over)."""
        failures = self.failures + 1
        if failures >= MAX_FAILURES:
            return InviteFailures(0, now + LOCKOUT)
        return InviteFailures(failures, self.locked_until)


@dataclass(frozen=True)
class IssuedInvite:
    """A new invite and its code, in clear for the one screen that shows it to its issuer."""

    invite: Invite
    code: str

    @property
    def role(self) -> Role:
        return self.invite.role

    @property
    def expires_at(self) -> datetime:
        return self.invite.expires_at


def roles_granted(role: Role) -> frozenset[Role]:
    """The roles an invite (or an imported row) for `role` gives: a coordinator is a staff
    member who acts for the whole co-op (the coordinator role alone grants nothing,
    bot.domain.scope), so both."""
    if role is Role.COORDINATOR:
        return frozenset({Role.STAFF, Role.COORDINATOR})
    return frozenset({role})


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
