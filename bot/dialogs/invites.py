"""Staff issuing invite codes from Telegram: the code, the deep link and its expiry.

The menu's `inv:<role>` buttons (`Invite(role)`); the service refuses and audits a role the
person may not invite.
"""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU, Invite
from bot.dialogs.registry import Dialog, Next
from bot.domain.dialogs import DialogState
from bot.domain.invites import display_code
from bot.domain.people import Role
from bot.domain.replies import msg
from bot.services.invites import issue_invite

DIALOG = Dialog("invites", prefixes=("inv",))
DIALOGS = (DIALOG,)


@DIALOG.button(Invite)
async def _invite_pressed(turn: Turn, pressed: Invite, state: DialogState | None) -> Next:
    await issue(turn, pressed.role)
    return None


async def issue(turn: Turn, role: Role) -> None:
    invite = await issue_invite(
        turn.uow, turn.actor, role, turn.now, turn.settings.invite_ttl_hours
    )
    link = f"https://t.me/{turn.settings.bot_username}?start={invite.code}"
    issued = msg(
        "invite.issued",
        role=msg(f"role.{role}"),
        code=display_code(invite.code),
        link=link,
        expires=invite.expires_at,
    )
    if turn.settings.line_add_friend is None:
        turn.say(issued, buttons=((MENU,),))
        return
    # LINE has no deep link that carries a code: the person adds the account, then types it.
    on_line = msg("line.invite.add_friend", link=turn.settings.line_add_friend)
    turn.say(issued, on_line, buttons=((MENU,),))
