"""Which messenger a chat is on, told by its id alone, and the ids LINE's people and events get.

The core addresses a chat by one integer everywhere: the outbox's `chat_id`, dialog states keyed
by (channel, chat id), `Person.telegram_user_id` (how a person is found and reached). Telegram's
ids are such integers; LINE's user ids are strings (``U`` + 32 hex digits). Rather than widen
every table and signature to a (messenger, string) pair, each LINE user is given a surrogate
chat id (storage's `line_users` row number) in a range Telegram never uses: Telegram user and
chat ids have at most 52 significant bits, so positive ids from 2**53 up are free, and
`Channel.of(chat_id)` tells the two apart. The core stays unchanged: a LINE person is a `Person`
whose `telegram_user_id` is their surrogate chat id (the column is the person's chat address),
and only the doors and the sender ask which messenger a chat is on.

LINE's events are put in the same inbox as Telegram's updates, whose key is an integer update
id: `line_update_id` places them from 2**52 up, where Telegram's update ids (counted up from a
random start, far below) never reach, ordered by the event's `timestamp` (LINE's advice: events
may arrive out of order, and the inbox worker handles one chat's updates in update-id order).
They stay positive, as the core expects of update ids (draft ids, staff's "handle again"), and
below 2**53 until the year 2109, so JSON carries them exactly. The inbox's highest id
(`last_update_id`), from which Telegram's sandbox goes on counting, is Telegram's own.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from urllib.parse import quote

# The file id the core keeps for a photo or voice note sent through LINE: this and its message id.
LINE_FILE_PREFIX = "line:"
# LINE's add-friend link: the Official Account's basic id after it (its "@" URL-encoded), as the
# Official Account Manager gives it (Home > Add friends).
ADD_FRIEND_URL = "https://line.me/R/ti/p/"
# A basic id is "@" and 8 characters (@123abcde); a premium id is "@" and up to 18 of LINE's
# id characters (lower-case letters, digits, ".", "_", "-").
_BASIC_ID = re.compile(r"^@[a-z0-9._-]{4,18}$")

# The first LINE chat id; below it, Telegram's (at most 52 significant bits, groups negative).
LINE_CHAT_BASE = 2**53
# LINE's update ids: from here up (Telegram's are far below).
LINE_UPDATE_BASE = 2**52
# Events of one millisecond take its ids in turn (a rare millisecond with more spills over into
# the next ones: storage/repositories/line.py).
LINE_UPDATE_SLOTS = 2**10
# Milliseconds since 1970 stay below 2**42 until the year 2109: LINE's ids stay below 2**53.
_MAX_MILLIS = 2**42 - 1


class Channel(StrEnum):
    """The messenger of a chat (also the `channel` of a dialog state)."""

    TELEGRAM = "telegram"
    LINE = "line"

    @classmethod
    def of(cls, chat_id: int) -> Channel:
        return cls.LINE if chat_id >= LINE_CHAT_BASE else cls.TELEGRAM


def line_chat_id(number: int) -> int:
    """The chat id of the LINE user with this row number (1, 2, ...)."""
    if number < 1:
        raise ValueError("LINE user numbers start at 1")
    return LINE_CHAT_BASE + number


def line_update_id(timestamp_ms: int, slot: int) -> int:
    """The inbox id of a LINE event sent at `timestamp_ms`, the `slot`-th of its millisecond.

    Ids grow with the timestamp, so the worker takes a person's events in the order they were
    sent, whatever order they arrived in. A timestamp out of range is clamped (a forged one
    cannot leave the range)."""
    if not 0 <= slot < LINE_UPDATE_SLOTS:
        raise ValueError("slot out of range")
    millis = min(max(timestamp_ms, 0), _MAX_MILLIS)
    return LINE_UPDATE_BASE + millis * LINE_UPDATE_SLOTS + slot


def is_line_update(update_id: int) -> bool:
    return update_id >= LINE_UPDATE_BASE


def is_line_file(file_id: str) -> bool:
    """Whether a file id names what a person sent through LINE (``line:<messageId>``: its bytes
    are at LINE's content API), rather than a Telegram file id."""
    return file_id.startswith(LINE_FILE_PREFIX)


def basic_id(raw: str) -> str:
    """The Official Account's id as typed into a setting (`@123abcde`, full-width or upper
    case, with or without the "@"), in LINE's own form; ValueError when it cannot be one."""
    folded = unicodedata.normalize("NFKC", raw).strip().lower()
    found = folded if folded.startswith("@") else "@" + folded
    if not _BASIC_ID.match(found):
        raise ValueError("not a LINE Official Account id")
    return found


def add_friend_link(account_id: str) -> str:
    """`https://line.me/R/ti/p/%40123abcde`: opens the Official Account in LINE, to add it."""
    return ADD_FRIEND_URL + quote(account_id, safe="")
