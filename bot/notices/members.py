"""Consequences of onboarding: when an imported person joins with their letter, the staff of
their centres are told who joined (in each staff member's language). A person of no centre, or
of centres without staff, is told to the admins, so that somebody always hears of it. A person
given a role or losing one is told, and the notice brings the short menu of their roles now."""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.keyboard import with_new_keyboard
from bot.domain.events import Event, MemberJoined, RoleChanged
from bot.domain.people import Actor, Person, Role
from bot.domain.replies import Reply, msg
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork


async def joined(ctx: NoticeContext, uow: UnitOfWork, event: MemberJoined) -> None:
    person = await uow.people.get(event.person_id)
    if person is None:
        return
    centres = []
    staff: dict[int, Person] = {}
    for centre_id in sorted(await uow.memberships.centres_of(person.id)):
        centre = await uow.centres.get(centre_id)
        if centre is not None:
            centres.append(centre)
        # The centre's own staff, and its head office's (whose scope covers it).
        office_id = None if centre is None else centre.office_id
        for place in (centre_id, office_id):
            if place is None:
                continue
            for member in await uow.memberships.members_of(place, Role.STAFF):
                staff.setdefault(member.id, member)
    if not staff:
        staff = {admin.id: admin for admin in await uow.people.with_role(Role.ADMIN)}
    staff.pop(person.id, None)
    for member in staff.values():
        locale = ctx.locale_of(member)
        names = [c.name_en if locale == "en" else c.name_ja for c in centres]
        separator = ", " if locale == "en" else "、"
        body = msg(
            "members.joined_notice",
            name=person.display_name,
            role=msg(f"members.role.{_role(person)}"),
            centres=separator.join(names) or "—",
        )
        await ctx.tell(
            uow,
            member,
            Reply((body,)),
            at=event.at,
            dedupe_key=f"member:joined:{person.id}:{member.id}",
        )


def _role(person: Person) -> str:
    for role in (Role.STAFF, Role.VOLUNTEER, Role.MEMBER):
        if role in person.roles:
            return role.value
    return Role.MEMBER.value


async def role_changed(ctx: NoticeContext, uow: UnitOfWork, event: RoleChanged) -> None:
    person = await uow.people.get(event.person_id)
    if person is None:
        return
    key = "roles.granted" if event.granted else "roles.removed"
    # The roles as they are at commit: several changes at once all end with the same keyboard.
    actor = Actor(person.id, person.roles, "", telegram_user_id=person.telegram_user_id)
    await ctx.tell(
        uow,
        person,
        with_new_keyboard(actor, msg(key, role=msg(f"role.{event.role}"))),
        at=event.at,
        dedupe_key=f"roles:{person.id}:{event.role}:{event.granted}:{event.at.isoformat()}",
    )


HANDLERS: Mapping[type[Event], Handler] = {MemberJoined: joined, RoleChanged: role_changed}
