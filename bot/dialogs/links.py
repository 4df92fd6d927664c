"""`/link`: one person's two messengers (Telegram and LINE). In the one they use, `/link` shows
a short code; in the other, `/link CODE` makes that chat theirs too (bot.services.links), and
Kyodo greets them there with their menu. docs/line.md, "One person, two messengers".
"""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import main_menu
from bot.dialogs.registry import Dialog, Next
from bot.domain.dialogs import DialogState
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.invites import display_code
from bot.domain.people import Actor
from bot.domain.replies import msg
from bot.i18n import resolve_locale
from bot.services import links

DIALOG = Dialog("links")
DIALOGS = (DIALOG,)


@DIALOG.command("link")
async def _link_command(turn: Turn, state: DialogState | None) -> Next:
    chat = turn.incoming.chat_id
    if chat is None:
        return None
    if turn.text:
        return await _redeem(turn, chat)
    try:
        code, expires = await links.start(turn.uow, turn.actor, chat, turn.now)
    except NotFound:
        turn.say(msg("line.link.nobody"))
        return None
    turn.say(msg("line.link.code", code=display_code(code), expires=expires))
    return None


async def _redeem(turn: Turn, chat: int) -> Next:
    try:
        person = await links.redeem(turn.uow, chat, turn.text, turn.now)
    except InvalidInput as error:
        turn.say(msg(f"line.link.error.{error.code}"))
        return None
    turn.locale = resolve_locale(
        person.locale, turn.incoming.language_code, turn.settings.default_locale
    )
    actor = Actor(person.id, person.roles, turn.locale, telegram_user_id=turn.incoming.user_id)
    turn.actor = actor
    title, buttons = main_menu(actor)
    turn.say(msg("line.link.done", name=person.display_name), title, buttons=buttons)
    return None
