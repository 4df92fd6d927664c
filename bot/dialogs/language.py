"""Choosing 日本語, やさしい にほんご (Easy Japanese) or English: from /language or the Language
button at any time, and offered on the welcome of a first /start (`offer_languages`)."""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.keyboard import set_keyboard
from bot.dialogs.menus import LANGUAGE, Buttons, Language, main_menu
from bot.dialogs.registry import Dialog, ForgedButton, Next
from bot.domain.dialogs import DialogState
from bot.domain.replies import Button, msg
from bot.i18n import SUPPORTED
from bot.services.people import choose_language

DIALOG = Dialog("language", prefixes=("lang",))
DIALOGS = (DIALOG,)

# Language names are shown in their own language, so anyone can find theirs; one a row, so that
# "やさしい にほんご" is never cut short on a narrow phone.
CHOICES = (
    (Button(msg("language.ja"), Language("ja")),),
    (Button(msg("language.ja_easy"), Language("ja-easy")),),
    (Button(msg("language.en"), Language("en")),),
)


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
    turn.say(msg("language.ask"), buttons=CHOICES)


def offer_languages(buttons: Buttons) -> Buttons:
    """A menu with the language choices in place of its Language button: for someone who has not
    chosen yet, who may not read the language Kyodo guessed for them."""
    rows: list[tuple[Button, ...]] = []
    for row in buttons:
        if LANGUAGE in row:
            rows.extend(CHOICES)
            row = tuple(button for button in row if button != LANGUAGE)
        if row:
            rows.append(row)
    return tuple(rows)


async def choose(turn: Turn, locale: str) -> None:
    await choose_language(turn.uow, turn.incoming, locale, turn.now)
    turn.locale = locale
    set_keyboard(turn)  # the short menu under the chat, in the new language
    title, buttons = main_menu(turn.actor)
    turn.say(msg("language.changed"), title, buttons=buttons)
