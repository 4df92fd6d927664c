"""`/desk`: a staff member asks for a one-time link that signs them in to the web desk."""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU
from bot.dialogs.registry import Dialog, Next
from bot.domain.dialogs import DialogState
from bot.domain.errors import PermissionDenied
from bot.domain.replies import msg
from bot.services.desk_auth import issue_link

DIALOG = Dialog("desk")
DIALOGS = (DIALOG,)


@DIALOG.command("desk")
async def command(turn: Turn, state: DialogState | None) -> Next:
    """`/desk`: the sign-in link; the dialog going on (if any) goes on."""
    try:
        token = await issue_link(turn.uow, turn.actor, turn.now)
    except PermissionDenied:
        turn.say(msg("desk.tg.staff_only"), buttons=((MENU,),))
        return state
    link = f"{turn.settings.desk_url}/login/{token}"
    turn.say(msg("desk.tg.link", link=link, minutes=10), buttons=((MENU,),))
    return state
