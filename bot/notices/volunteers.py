"""Consequences of volunteer applications: staff cards follow each one, and the applicant hears
of the decision in their language, whichever door decided (a staff card, the Telegram review
list, the web desk). One notice per application: its dedupe key is the application's."""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.keyboard import keyboard_reply
from bot.dialogs.menus import MENU, Buttons
from bot.domain.cards import CardKind
from bot.domain.events import Event, VolunteerApplied, VolunteerDecided
from bot.domain.people import Actor
from bot.domain.replies import Reply, msg
from bot.domain.undo import UndoKind, held_key, held_until
from bot.domain.volunteers import ApplicationStatus
from bot.notices.cards import item_changed
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork


async def applied(ctx: NoticeContext, uow: UnitOfWork, event: VolunteerApplied) -> None:
    await item_changed(ctx, uow, CardKind.VOLUNTEER, event.application_id, event.at)


async def decided(ctx: NoticeContext, uow: UnitOfWork, event: VolunteerDecided) -> None:
    application = await uow.volunteers.get(event.application_id)
    if application is None:
        return
    person = None if application.person_id is None else await uow.people.get(application.person_id)
    if person is not None:
        # Held while the staff member may still undo the decision (bot/dialogs/confirm.py); a
        # decision undone and made again is told afresh (the key names the decision's time).
        held = f"{held_key(UndoKind.VOLUNTEER_DECISION, application.id)}{event.at.isoformat()}:"
        not_before = held_until(event.at)
        buttons: Buttons = ()
        if application.status is ApplicationStatus.APPROVED:
            body = msg("volunteers.approved")
            buttons = ((MENU,),)
        else:
            body = msg("volunteers.declined", reason=application.reason or "")
        if application.status is ApplicationStatus.APPROVED:
            # A new role: its short menu under the chat (Telegram's reply keyboard), said
            # first, so that the decision with its Menu button is the latest screen.
            actor = Actor(person.id, person.roles, "", telegram_user_id=person.telegram_user_id)
            shown = keyboard_reply(actor)
            if shown is not None:
                await ctx.tell(
                    uow,
                    person,
                    shown,
                    at=event.at,
                    dedupe_key=f"{held}keys",
                    not_before=not_before,
                )
        await ctx.tell(
            uow,
            person,
            Reply((body,), buttons=buttons),
            at=event.at,
            dedupe_key=f"{held}decided",
            not_before=not_before,
        )
    await item_changed(ctx, uow, CardKind.VOLUNTEER, event.application_id, event.at)


HANDLERS: Mapping[type[Event], Handler] = {
    VolunteerApplied: applied,
    VolunteerDecided: decided,
}
