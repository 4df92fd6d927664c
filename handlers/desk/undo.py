"""Undo on the desk's pages (Kyodo's one confirm-and-undo mechanism, bot/domain/undo.py): after
an action that tells other people, its page offers Undo for the few minutes in which the
feature's service may still take it back (the same call as Telegram's Undo button, audited
there). A refused undo is said on the page: too late, someone else acted, already undone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NoReturn

from aiohttp import web

from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.people import Actor
from bot.domain.undo import UNDO_WINDOW
from bot.ports.store import UnitOfWork
from handlers.desk.context import now, redirect, unit, user

# A feature's undo service call: (uow, actor, subject id, now).
UndoCall = Callable[[UnitOfWork, Actor, int, datetime], Awaitable[Any]]

UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)
# Why an undo is refused (the services' codes), each with its note (desk.flash.<note>).
_NOTES = {"undo_expired": "undo_late", "undo_acted": "undo_acted", "undo_already": "undo_already"}


def offer(action: str | None) -> dict[str, object]:
    """What the page's Undo form (_undo.html) needs: where it posts (None: no Undo shown)."""
    return {"undo_action": action, "undo_minutes": UNDO_MINUTES}


def refusal_note(error: DomainError) -> str | None:
    """The flash note of a refused undo; None when the error is not a refused undo."""
    return _NOTES.get(error.code)


async def take_back(
    request: web.Request,
    call: UndoCall,
    subject: int,
    page: str,
    undone: str,
    other: str | None = None,
) -> NoReturn:
    """The page's Undo pressed: `call` in one unit of work, then back to `page` saying `undone`,
    or why it was refused (too late, someone else acted, already undone). Another refusal of
    the service is said as the `other` note; without one it goes on to the desk's error page.
    """
    try:
        async with unit(request) as uow:
            await call(uow, user(request).actor, subject, now(request))
            await uow.commit()
    except PermissionDenied:
        raise
    except DomainError as error:
        note = refusal_note(error) or other
        if note is None:
            raise
        raise redirect(page, done=note) from None
    raise redirect(page, done=undone)
