"""The short menu under the chat (Telegram's reply keyboard): set, removed, and read back.

A key of Telegram's reply keyboard has no callback data: pressing it sends its label as an
ordinary text message. So the router asks `pressed` first, for every text: a label of any
language (ja, en, ja-easy; NFKC-normalised, case and emoji variation selectors ignored) is the
press of the main menu's button it stands for, from any state, like /menu, and never a dialog's
input. The words alone, without the key's emoji ("時間", "help"), count only outside a dialog,
where nothing else would read them: inside one they may be an answer (a reason, a message).
LINE's people have no such keyboard, but a LINE user typing a label is read the same way.

The keyboard is set by a message of its own (a message carries inline buttons or a keyboard,
not both): when the menu is shown after /start, /menu, a language change and a role change
(joining), and removed when the person is forgotten. A role given or taken away by someone else
(an admin on the desk, staff approving a volunteer) changes it with the notice that tells the
person (`with_new_keyboard` in bot/notices/members.py; `keyboard_reply` just before the decision
in bot/notices/volunteers.py): nobody has to know to type /menu to see what they may now do.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from zoneinfo import ZoneInfo

from bot.dialogs.engine import Turn
from bot.dialogs.menus import KEYS, has_keyboard, keyboard_rows
from bot.domain.callbacks import CallbackData
from bot.domain.channels import Channel
from bot.domain.incoming import ChatType
from bot.domain.people import Actor
from bot.domain.replies import Msg, Reply, msg
from bot.i18n import SUPPORTED, I18n


def _folded(text: str) -> str:
    """What two ways of writing one label have in common: NFKC, no variation selectors (an
    emoji keyboard may add or drop U+FE0F), one space between words, case folded."""
    text = unicodedata.normalize("NFKC", text).replace("\ufe0f", "").replace("\ufe0e", "")
    return " ".join(text.split()).casefold()


def _words(label: str) -> str:
    """The label without its leading symbol ("⏱ 時間" -> "時間", "≡ More" -> "more")."""
    start = 0
    while start < len(label) and not unicodedata.category(label[start]).startswith(("L", "N")):
        start += 1
    return label[start:].strip()


@cache
def _labels() -> tuple[dict[str, CallbackData], dict[str, CallbackData]]:
    """(whole labels, labels' words) of every language -> the button each stands for."""
    i18n = I18n(ZoneInfo("UTC"))  # only gettext is used: the zone plays no part
    whole: dict[str, CallbackData] = {}
    words: dict[str, CallbackData] = {}
    for key in KEYS:
        for language in SUPPORTED:
            label = _folded(i18n.gettext(key.label.key, language))
            whole[label] = key.data
            words[_words(label)] = key.data
    return whole, words


def pressed(text: str, *, in_dialog: bool) -> CallbackData | None:
    """The button a key's label (or, outside a dialog, its words) stands for; None otherwise."""
    whole, words = _labels()
    folded = _folded(text)
    if folded in whole:
        return whole[folded]
    if not in_dialog and folded:
        return words.get(folded)
    return None


def _on_telegram(turn: Turn) -> bool:
    chat = turn.incoming.chat_id
    return (
        chat is not None
        and Channel.of(chat) is Channel.TELEGRAM
        and turn.incoming.chat_type is ChatType.PRIVATE
    )


def keyboard_reply(actor: Actor) -> Reply | None:
    """The message that puts the person's short menu under their chat; None for someone with
    none (no role, or on LINE). Notices of a new role send it too (bot/notices/volunteers.py)."""
    if not has_keyboard(actor):
        return None
    return Reply(parts=(msg("keyboard.shown"),), keyboard=keyboard_rows(actor))


def with_new_keyboard(actor: Actor, *parts: Msg) -> Reply:
    """A notice of a changed role carrying the short menu of the person's roles now, or taking
    away a keyboard their roles no longer give; on LINE (no such keyboard), the notice alone."""
    chat = actor.telegram_user_id
    if chat is None or Channel.of(chat) is not Channel.TELEGRAM:
        return Reply(parts=parts)
    return Reply(parts=parts, keyboard=keyboard_rows(actor))  # () removes the keyboard


def set_keyboard(turn: Turn, actor: Actor | None = None) -> None:
    """Puts the person's short menu under the chat (a message saying so carries it); nothing on
    LINE, in a group, or for someone without a role (they never had one: no message)."""
    shown = keyboard_reply(actor or turn.actor)
    if shown is not None and _on_telegram(turn):
        turn.replies.append(shown)


def remove_keyboard(turn: Turn) -> None:
    """Takes the short menu away (the person was forgotten: no role, nothing to press)."""
    if _on_telegram(turn) and has_keyboard(turn.actor):
        turn.replies.append(Reply(parts=(msg("keyboard.removed"),), keyboard=()))
