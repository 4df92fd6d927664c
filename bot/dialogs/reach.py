"""A person to reach: whom to call, and a way to write to the staff from anywhere.

`contact_parts` is the one way a screen says whom to call (the person's centre's phone when it is
known, then the co-op's, with office hours): /help, every error and refusal of the core
(bot/dialogs/router.py), a refused consent and a reference number use it. The "困ったとき / I need
help" button of every menu (bot/dialogs/menus.py) opens `show_need_help`: the phones and a
"write to the staff" button.
"""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import HELP, MENU, NeedHelp
from bot.dialogs.registry import Dialog, Next
from bot.domain.contact import Contact, contact_lines
from bot.domain.dialogs import DialogState
from bot.domain.replies import Msg, msg

NAME = "reach"
DIALOG = Dialog(NAME, prefixes=("need",))
DIALOGS = (DIALOG,)


async def centre_contact(turn: Turn, centre_id: int | None) -> Contact | None:
    """A business centre's own phone (set on the desk's Centres page), if it has one."""
    if centre_id is None:
        return None
    centre = await turn.uow.centres.get(centre_id)
    if centre is None or not centre.phone:
        return None
    return Contact(centre.phone, centre=(centre.name_ja, centre.name_en))


async def contact_parts(turn: Turn, centre_id: int | None = None) -> tuple[Msg, ...]:
    """Whom to call, in the person's language: the centre's phone first (when known), then the
    co-op's with its office hours; nothing when neither is set."""
    return contact_lines(turn.locale, await centre_contact(turn, centre_id), turn.settings.contact)


async def show_need_help(turn: Turn) -> None:
    """The "I need help" screen: the phones, and what else to press."""
    turn.say(
        msg("help.need.title"),
        *await contact_parts(turn),
        buttons=((HELP,), (MENU,)),
    )


@DIALOG.button(NeedHelp)
async def _need_help(turn: Turn, _: NeedHelp, state: DialogState | None) -> Next:
    await show_need_help(turn)
    return state
