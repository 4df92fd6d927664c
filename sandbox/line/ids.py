"""Identifiers shaped like LINE's: user ids, message ids, reply tokens, event ids (ULID).

User ids of simulated people are derived from a seed so that a person keeps their id across
runs of the sandbox (the page and a store made by an earlier run agree); everything else is
random.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def user_id(seed: str) -> str:
    """``U`` and 32 hex digits, the same for the same seed."""
    return "U" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def message_id() -> str:
    """A numeric string, as LINE's message ids are."""
    return str(10**17 + secrets.randbelow(9 * 10**17))


def reply_token() -> str:
    return secrets.token_hex(16)


def quote_token() -> str:
    return secrets.token_urlsafe(48)


def request_id() -> str:
    return str(uuid.uuid4())


def rich_menu_id() -> str:
    return "richmenu-" + secrets.token_hex(16)


def ulid(millis: int) -> str:
    """A ULID: 48 bits of milliseconds, 80 random bits, in Crockford's base 32."""
    value = (millis << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
