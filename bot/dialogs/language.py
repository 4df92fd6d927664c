"""Choosing 日本語 or English, from /language or the Language button, at any time."""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import main_menu
from bot.domain.replies import Button, msg
from bot.services.people import choose_language

# Language names are shown in their own language, so anyone can find theirs.
CHOICES = (Button(msg("language.ja"), "lang:ja"), Button(msg("language.en"), "lang:en"))


def ask(turn: Turn) -> None:
    turn.say(msg("language.ask"), buttons=(CHOICES,))


async def choose(turn: Turn, locale: str) -> None:
    await choose_language(turn.uow, turn.incoming, locale, turn.now)
    turn.locale = locale
    title, buttons = main_menu(turn.actor)
    turn.say(msg("language.changed"), title, buttons=buttons)
