"""Assembly notices: the coming general assemblies, with date, place and the date to answer by."""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU
from bot.domain.replies import msg
from bot.services.coop import upcoming_assemblies


async def show(turn: Turn) -> None:
    assemblies = await upcoming_assemblies(turn.uow, turn.actor, turn.now)
    items = [
        msg(
            "asm.item",
            title=a.title(turn.locale),
            when=a.starts_at,
            place=a.place(turn.locale),
            answer_by=a.answer_by,
        )
        for a in assemblies
    ]
    turn.say(msg("asm.title"), *(items or [msg("asm.none")]), buttons=((MENU,),))
