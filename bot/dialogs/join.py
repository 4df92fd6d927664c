"""Joining with an invite code: typed after tapping the button, or through a t.me deep link.

`/start` lands here too: with a code (the deep link `t.me/<bot>?start=CODE`) it redeems it, else it
greets the person with their menu. `/join CODE` redeems; `/join` and the "I have a code" button
ask for the code, which is typed next. Wrong codes count against the Telegram account whichever
way they came, and five in a row lock it for a while (bot.services.invites.redeem_invite).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.engine import Turn
from bot.dialogs.language import offer_languages
from bot.dialogs.menus import CANCEL, StartJoin, main_menu
from bot.dialogs.registry import Dialog, Next
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError
from bot.domain.people import Actor
from bot.domain.replies import msg
from bot.services.invites import redeem_invite
from bot.services.people import ensure_person

NAME = "join"


@dataclass(frozen=True, kw_only=True)
class CodeAsked(DialogData):
    """The person was asked for their invite code (wrong codes are counted by the service, per
    Telegram account: tapping the button again starts no new count)."""


DIALOG = Dialog(NAME, prefixes=("join",), state=StateCodec(NAME, CodeAsked), steps=("code",))
DIALOGS = (DIALOG,)


@DIALOG.command("start")
async def _start_command(turn: Turn, state: DialogState | None) -> Next:
    """`/start`: a deep link's code is redeemed; without one, a welcome and the menu."""
    if turn.text:
        await redeem(turn, turn.text)
        return None
    name = turn.person.display_name if turn.person else turn.incoming.user_name
    title, buttons = main_menu(turn.actor)
    if turn.person is None or turn.person.locale is None:
        # Not chosen yet: the language was guessed from Telegram's, and Easy Japanese is only
        # ever chosen, so the welcome offers all three (one message: its menu is the latest).
        turn.say(
            msg("welcome", name=name), msg("language.ask"), title, buttons=offer_languages(buttons)
        )
        return None
    turn.say(msg("welcome", name=name), title, buttons=buttons)
    return None


@DIALOG.command("join")
async def _join_command(turn: Turn, state: DialogState | None) -> Next:
    if turn.text:
        await redeem(turn, turn.text)
        return None
    return start(turn)


@DIALOG.button(StartJoin)
async def _join_pressed(turn: Turn, _: StartJoin, state: DialogState | None) -> Next:
    return start(turn)


def start(turn: Turn) -> CodeAsked:
    _ask(turn)
    return CodeAsked(step="code")


def _ask(turn: Turn) -> None:
    turn.say(msg("join.ask_code"), buttons=((CANCEL,),))


@DIALOG.resumes
async def _resume(turn: Turn, asked: CodeAsked) -> Next:
    _ask(turn)
    return asked


async def redeem(turn: Turn, typed: str) -> bool:
    """Tries the code; says what happened. True when the person joined."""
    user_id = turn.incoming.user_id
    if user_id is None:
        turn.say(msg("join.error.invite_unknown"), buttons=((CANCEL,),))
        return False
    try:
        person, invite = await redeem_invite(
            turn.uow,
            user_id,
            typed,
            turn.now,
            lambda: ensure_person(turn.uow, turn.incoming, turn.now),
        )
    except DomainError as error:
        key = "join.locked" if error.code == "invite_locked" else f"join.error.{error.code}"
        turn.say(msg(key), buttons=((CANCEL,),))
        return False
    actor = Actor(person.id, person.roles | {invite.role}, turn.locale)
    turn.actor = actor
    title, buttons = main_menu(actor)
    turn.say(msg(f"join.welcome.{invite.role}", name=person.display_name), title, buttons=buttons)
    return True


@DIALOG.text
async def on_text(turn: Turn, asked: CodeAsked) -> Next:
    if await redeem(turn, turn.text):
        return None
    return asked
