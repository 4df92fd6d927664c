"""Consequences of volunteer applications: staff cards follow each one, and the applicant hears
of the decision in their language, whichever door decided (a staff card, the Telegram review
list, the web desk). One notice per application: its dedupe key is the application's."""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.menus import MENU, Buttons
from bot.domain.cards import CardKind
from bot.domain.events import Event, VolunteerApplied, VolunteerDecided
from bot.domain.replies import Reply, msg
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
        buttons: Buttons = ()
        if application.status is ApplicationStatus.APPROVED:
            body = msg("volunteers.approved")
            buttons = ((MENU,),)
        else:
            body = msg("volunteers.declined", reason=application.reason or "")
        await ctx.tell(
            uow,
            person,
            Reply((body,), buttons=buttons),
            at=event.at,
            dedupe_key=f"vol:decided:{application.id}",
        )
    await item_changed(ctx, uow, CardKind.VOLUNTEER, event.application_id, event.at)


HANDLERS: Mapping[type[Event], Handler] = {
    VolunteerApplied: applied,
    VolunteerDecided: decided,
}
