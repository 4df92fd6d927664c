"""Joining with an invite code: typed after tapping the button, or through a t.me deep link."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, main_menu
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError
from bot.domain.people import Actor
from bot.domain.replies import msg
from bot.services.invites import redeem_invite
from bot.services.people import ensure_person

NAME = "join"
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def start(turn: Turn) -> DialogState:
    turn.say(msg("join.ask_code"), buttons=((CANCEL,),))
    return DialogState(NAME, "code", {})


async def redeem(turn: Turn, typed: str) -> bool:
    """Tries the code; says what happened. True when the person joined."""
    person = await ensure_person(turn.uow, turn.incoming, turn.now)
    try:
        invite = await redeem_invite(turn.uow, person, typed, turn.now)
    except DomainError as error:
        turn.say(msg(f"join.error.{error.code}"), buttons=((CANCEL,),))
        return False
    actor = Actor(person.id, person.roles | {invite.role}, turn.locale)
    turn.actor = actor
    title, buttons = main_menu(actor)
    turn.say(msg(f"join.welcome.{invite.role}", name=person.display_name), title, buttons=buttons)
    return True


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    locked_until = state.data.get("locked_until")
    if locked_until and turn.now < datetime.fromisoformat(locked_until):
        turn.say(msg("join.locked"), buttons=((CANCEL,),))
        return state
    if await redeem(turn, turn.text):
        return None
    failures = int(state.data.get("failures", 0)) + 1
    if failures >= MAX_FAILURES:
        # Slows down guessing; codes are long enough that this is only a second fence.
        until = (turn.now + LOCKOUT).isoformat()
        return DialogState(NAME, "code", {"failures": 0, "locked_until": until})
    return DialogState(NAME, "code", {"failures": failures})
