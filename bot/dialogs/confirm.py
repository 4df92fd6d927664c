"""Confirm, then undo: Kyodo's one mechanism for actions that tell other people or cannot be
taken back.

A feature registers an `Undoable` for its action (`UndoKind`): how to describe what the action
would do and who would be told (`ask`), how to do it (`do`), and how to undo it (`undo`). Its
own button then only calls `confirm(turn, kind, subject)`, so a press never acts at once,
however old the message it came from: the person sees the action spelled out and presses
"Yes" (`Consent`) or "No" (`Decline`). Once done, the answer carries an Undo button
(`UndoPressed`) for `UNDO_WINDOW`; the notices the action causes are held in the outbox until
the window is over (`bot.domain.undo`). An undo goes through the feature's service, which
refuses it with a reason (`undo.too_late.<code>`) once the window is over or someone else has
acted on it, and records `ActionUndone`, whose consequence withdraws the held notices.

The buttons carry only the kind and an id; every check is the service's, so a late, repeated or
forged press is refused like any other (`StaleScreen`, `ForgedButton`, `PermissionDenied`).

An action that tells nobody and only needs to be taken back quickly (a check-in at the door) is
done at once by its feature, which puts `undo_row` and `undo_hint` under its answer; its undo
is this module's like any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU
from bot.dialogs.registry import Dialog, ForgedButton, Next
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError
from bot.domain.replies import Button, Msg, msg
from bot.domain.undo import UNDO_TAG, UNDO_WINDOW, UndoKind

NAME = "confirm"
DIALOG = Dialog(NAME, prefixes=("cf",), group_ok=True)
DIALOGS = (DIALOG,)
# Why an undo is refused: the codes an `undo` may raise, each with its message.
TOO_LATE = frozenset({"undo_expired", "undo_taken", "undo_told", "undo_acted", "undo_already"})

Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Consent(CallbackData, tag="cf:yes"):
    """Yes: do the action `kind` on `subject` (a shift, a member at an assembly, a request; the
    first of a batch whose last is `also`)."""

    kind: UndoKind
    subject: int
    also: int = 0


@dataclass(frozen=True)
class Decline(CallbackData, tag="cf:no"):
    """No: leave everything as it is."""

    kind: UndoKind
    subject: int
    also: int = 0


@dataclass(frozen=True)
class UndoPressed(CallbackData, tag=UNDO_TAG):
    """Undo the action `kind` that was done as `done` (a release, a request; an assembly whose
    member `also` was checked in)."""

    kind: UndoKind
    done: int
    also: int = 0


@dataclass(frozen=True)
class Done:
    """What `do` did: the id its undo button carries and the answer to show."""

    done_id: int
    parts: tuple[Msg, ...]
    also: int = 0  # a second id, for an action on a pair (an assembly and a member)
    buttons: Rows = ()
    toast: Msg | None = None
    state: Next = None  # the dialog state after it (a reason to type, say)


@dataclass(frozen=True)
class Undoable:
    """One action under the mechanism. `ask`, `do` and `undo` call the feature's services and
    raise its `DomainError`s; `refused` answers those in the feature's words (given the subject or
    the done id); `back` are the buttons shown after "No" and after an undo."""

    kind: UndoKind
    undo: Callable[[Turn, int, int], Awaitable[tuple[Msg, ...]]]
    refused: Callable[[Turn, int, DomainError], Awaitable[None]]
    # None for an action done at once, without asking (it tells nobody): its feature shows
    # `undo_row` under its own answer. Both get the subject and `also` (0, or a batch's last).
    ask: Callable[[Turn, int, int], Awaitable[tuple[Msg, ...]]] | None = None
    do: Callable[[Turn, int, int], Awaitable[Done]] | None = None
    back: Rows = ((MENU,),)


ACTIONS: dict[UndoKind, Undoable] = {}


def undoable(action: Undoable) -> Undoable:
    """Registers an action (once per kind)."""
    if action.kind in ACTIONS:
        raise ValueError(f"two actions are registered as {action.kind!r}")
    ACTIONS[action.kind] = action
    return action


def _action(kind: UndoKind) -> Undoable:
    action = ACTIONS.get(kind)
    if action is None:
        raise ForgedButton  # no screen of Kyodo offers an unregistered action
    return action


async def confirm(turn: Turn, kind: UndoKind, subject: int, also: int = 0) -> Next:
    """Shows what the action would do and who would be told, with Yes and No. Never acts."""
    action = _action(kind)
    if action.ask is None:
        raise ForgedButton  # an action done at once is never confirmed
    try:
        parts = await action.ask(turn, subject, also)
    except DomainError as error:
        await action.refused(turn, subject, error)
        return None
    turn.say(
        msg(f"undo.ask.{kind.value}"),
        *parts,
        msg("undo.ask_hint", minutes=_minutes()),
        buttons=(
            (Button(msg(f"undo.yes.{kind.value}"), Consent(kind, subject, also)),),
            (Button(msg("undo.no"), Decline(kind, subject, also)),),
        ),
    )
    return None


def _minutes() -> int:
    return int(UNDO_WINDOW.total_seconds() // 60)


@DIALOG.button(Consent)
async def _consent(turn: Turn, pressed: Consent, state: DialogState | None) -> Next:
    return await act(turn, pressed.kind, pressed.subject, state, pressed.also)


async def act(
    turn: Turn, kind: UndoKind, subject: int, state: DialogState | None = None, also: int = 0
) -> Next:
    """Does the confirmed action and shows its answer with Undo."""
    action = _action(kind)
    if action.do is None:
        raise ForgedButton  # an action done at once is never confirmed
    try:
        done = await action.do(turn, subject, also)
    except DomainError as error:
        await action.refused(turn, subject, error)
        return state
    turn.toast = done.toast
    turn.say(
        *done.parts,
        undo_hint(),
        buttons=(undo_row(kind, done.done_id, done.also), *done.buttons),
    )
    return done.state


def undo_row(kind: UndoKind, done: int, also: int = 0) -> tuple[Button, ...]:
    """The Undo button of an action just done, as the first row of its answer."""
    return (Button(msg("undo.button"), UndoPressed(kind, done, also)),)


def undo_hint() -> Msg:
    """How long Undo works, said under the answer that carries it."""
    return msg("undo.hint", minutes=_minutes())


@DIALOG.button(Decline)
async def _decline(turn: Turn, pressed: Decline, state: DialogState | None) -> Next:
    action = _action(pressed.kind)
    turn.toast = msg("undo.declined")
    turn.say(msg("undo.declined"), buttons=action.back)
    return state


@DIALOG.button(UndoPressed)
async def _undo(turn: Turn, pressed: UndoPressed, state: DialogState | None) -> Next:
    action = _action(pressed.kind)
    try:
        parts = await action.undo(turn, pressed.done, pressed.also)
    except DomainError as error:
        if error.code not in TOO_LATE:
            await action.refused(turn, pressed.done, error)
            return state
        reason = msg(f"undo.too_late.{error.code}", minutes=_minutes())
        turn.toast = reason
        turn.say(reason, buttons=action.back)
        return state
    turn.toast = msg("undo.undone")
    turn.say(msg("undo.undone"), *parts, msg("undo.nobody_told"), buttons=action.back)
    return None
