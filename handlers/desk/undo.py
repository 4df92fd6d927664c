"""Undo on the desk's pages (Kyodo's one confirm-and-undo mechanism, bot/domain/undo.py): after
an action that tells other people, its page offers Undo for the few minutes in which the
feature's service may still take it back (the same call as Telegram's Undo button, audited
there). A refused undo is said on the page: too late, someone else acted, already undone."""

from __future__ import annotations

from bot.domain.errors import DomainError
from bot.domain.undo import UNDO_WINDOW

UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)
# Why an undo is refused (the services' codes), each with its note (desk.flash.<note>).
_NOTES = {"undo_expired": "undo_late", "undo_acted": "undo_acted", "undo_already": "undo_already"}


def offer(action: str | None) -> dict[str, object]:
    """What the page's Undo form (_undo.html) needs: where it posts (None: no Undo shown)."""
    return {"undo_action": action, "undo_minutes": UNDO_MINUTES}


def refusal_note(error: DomainError) -> str | None:
    """The flash note of a refused undo; None when the error is not a refused undo."""
    return _NOTES.get(error.code)
