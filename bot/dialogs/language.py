"""Choosing 日本語 or English, from /language or the Language button, at any time."""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import Language, main_menu
from bot.dialogs.registry import Dialog, ForgedButton, Next
from bot.domain.dialogs import DialogState
from bot.domain.replies import Button, msg
from bot.i18n import SUPPORTED
from bot.services.people import choose_language

DIALOG = Dialog("language", prefixes=("lang",))
DIALOGS = (DIALOG,)

# Language names are shown in their own language, so anyone can find theirs.
CHOICES = (Button(msg("language.ja"), Language("ja")), Button(msg("language.en"), Language("en")))


@DIALOG.command("language")
async def _command(turn: Turn, state: DialogState | None) -> Next:
    ask(turn)
    return state


@DIALOG.button(Language)
async def _pressed(turn: Turn, pressed: Language, state: DialogState | None) -> Next:
    """`lang` asks; `lang:ja` chooses. The dialog going on (if any) goes on."""
    if pressed.code is None:
        ask(turn)
    elif pressed.code in SUPPORTED:
        await choose(turn, pressed.code)
    else:
        raise ForgedButton()
    return state


def ask(turn: Turn) -> None:
    turn.say(msg("language.ask"), buttons=(CHOICES,))


async def choose(turn: Turn, locale: str) -> None:
    await choose_language(turn.uow, turn.incoming, locale, turn.now)
    turn.locale = locale
    title, buttons = main_menu(turn.actor)
    turn.say(msg("language.changed"), title, buttons=buttons)
