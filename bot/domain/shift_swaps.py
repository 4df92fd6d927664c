"""Giving up a shift and taking an open one: the release record and what a take can come to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_REASON_LENGTH = 200


class TakeOutcome(StrEnum):
    """What happened when someone asked for a place on a shift (decided inside the transaction)."""

    TAKEN = "taken"
    FULL = "full"  # every place was taken, perhaps a moment ago by someone else
    ALREADY = "already"  # the person is on it already
    MISSING = "missing"  # no such shift


@dataclass(frozen=True)
class ShiftRelease:
    """A member gave up their place on a shift; `taken_by` is who took the open place."""

    id: int
    shift_id: int
    person_id: int
    released_at: datetime
    reason: str | None = None
    taken_by: int | None = None
    taken_at: datetime | None = None
