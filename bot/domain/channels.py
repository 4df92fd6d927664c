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
id: `line_update_id` places them in the negative numbers, which Telegram never uses, ordered by
the event's `timestamp` (LINE's advice: events may arrive out of order, and the inbox worker
handles one chat's updates in update-id order). Negative ids also leave the inbox's highest id
Telegram's own, which the polling offset and the sandbox's first update id start from.
"""

from __future__ import annotations

from enum import StrEnum

# The first LINE chat id; below it, Telegram's (at most 52 significant bits, groups negative).
LINE_CHAT_BASE = 2**53
# Events of one millisecond share a range of this many update ids, in the order they came.
LINE_UPDATE_SLOTS = 2**20
# Milliseconds since 1970 stay below 2**42 until the year 2109: every LINE update id is below 0.
_LINE_UPDATE_OFFSET = 2**62
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
    return millis * LINE_UPDATE_SLOTS + slot - _LINE_UPDATE_OFFSET


def is_line_update(update_id: int) -> bool:
    return update_id < 0
