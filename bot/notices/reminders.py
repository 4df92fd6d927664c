"""Consequences of the staff's morning digest: each staff member hears what waits for review,
with the way to the queue, once (the dedupe key of their copy of the scheduled send)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.menus import HOURS_REVIEW, MENU, QueuePage
from bot.domain.events import Event, StaffDigestDue
from bot.domain.people import STAFF_ROLES, Person
from bot.domain.reminders import recipient_key
from bot.domain.replies import Button, Reply, msg
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork


async def _staff(uow: UnitOfWork, ids: tuple[int, ...]) -> list[Person]:
    by_id: dict[int, Person] = {}
    for role in sorted(STAFF_ROLES):
        by_id |= {p.id: p for p in await uow.people.with_role(role)}
    return [by_id[i] for i in ids if i in by_id]


async def digest_due(ctx: NoticeContext, uow: UnitOfWork, event: StaffDigestDue) -> None:
    lines = tuple(msg(f"rem.digest.{kind}", count=count) for kind, count in event.waiting)
    reply = Reply(
        (msg("rem.digest.head"), *lines),
        (
            (Button(msg("rem.digest.queue_button"), QueuePage(0, 0)),),
            (HOURS_REVIEW,),
            (MENU,),
        ),
    )
    for person in await _staff(uow, event.staff):
        key = recipient_key(event.send_key, person.id)
        await ctx.tell(uow, person, reply, at=event.at, dedupe_key=key)


HANDLERS: Mapping[type[Event], Handler] = {
    StaffDigestDue: digest_due,
}
