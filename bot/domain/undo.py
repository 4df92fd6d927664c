"""Undo: the rule of Kyodo's one confirm-and-undo mechanism, in time and keys.

An action that tells other people or cannot be taken back is confirmed first, then done at
once, while the notices it causes are held in the outbox until `HELD_UNTIL` after it (a
not-before time). Its doer may undo it for `UNDO_WINDOW`, and only while nobody else has acted
on it; an undo withdraws the held notices, so nobody is told. The notices are held a minute
longer than the window, so that a notice is still pending (never half sent) when the last
allowed undo withdraws it.

Held notices are queued under `held_key(kind, subject)` followed by each recipient's own part:
the key names the action, so an undo finds exactly what that action queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

UNDO_WINDOW = timedelta(minutes=3)
HELD_UNTIL = UNDO_WINDOW + timedelta(minutes=1)
HELD_PREFIX = "held:"
# The Undo button's callback tag. Its button must stay usable for the whole window while other
# messages arrive after it (a card's new state, a notice): a messenger whose light buttons
# vanish under a newer message (LINE's quick replies) gives it a lasting one.
UNDO_TAG = "cf:undo"


def is_undo_button(data: str) -> bool:
    """Whether a button's callback data is an Undo (bot/dialogs/confirm.py's UndoPressed)."""
    return data == UNDO_TAG or data.startswith(UNDO_TAG + ":")


class UndoKind(StrEnum):
    """What can be undone (short: it travels in a button's 64 bytes)."""

    SHIFT_RELEASE = "sr"
    CHECK_IN = "ci"
    REQUEST_DONE = "rd"
    SHIFT_TAKE = "st"  # one person's take: its held notices are keyed by the person too
    REQUEST_DECLINE = "rx"  # done at once after its typed reason, undone like the others
    HOURS_DECISION = "hd"  # approved (asked first) or rejected (after a typed reason)
    REQUEST_ACCEPT = "ra"  # done at once after its centre, day and hour were picked
    VOLUNTEER_DECISION = "vd"  # approved (asked first) or declined (after a typed reason)
    BROADCAST_SEND = "bs"  # "send now": it starts once the window is over, unless undone
    HOURS_BATCH = "hb"  # "approve all shown": the reports from the first id to the last


def held_key(kind: UndoKind, subject: int, person_id: int | None = None) -> str:
    """The dedupe-key prefix of every notice that the action `kind` on `subject` holds; of one
    person's action where several may act on the same subject (taking a place on a shift),
    that person's alone."""
    who = "" if person_id is None or kind not in PER_PERSON else f"{person_id}:"
    return f"{HELD_PREFIX}{kind.value}:{subject}:{who}"


# Actions several people may each do on one subject: held notices are keyed by the person too.
PER_PERSON = frozenset({UndoKind.SHIFT_TAKE})


def held_until(done_at: datetime) -> datetime:
    """When the notices of an action done at `done_at` go out (unless it is undone)."""
    return done_at + HELD_UNTIL


def may_undo(done_at: datetime, now: datetime) -> bool:
    """True while the undo window of an action done at `done_at` is open."""
    return now < done_at + UNDO_WINDOW
