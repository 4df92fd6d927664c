"""'I'd like a service' and 'I'd like to volunteer': the first contact, passed on to staff.

The person is told what happens next; every staff member gets a notice in their own language,
once a day per person at most, so a repeated tap does not flood the coordinators.
"""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menus import main_menu
from bot.domain.people import Actor, Role
from bot.domain.replies import msg
from bot.i18n import resolve_locale
from bot.services.people import add_role, ensure_person


async def want(turn: Turn, kind: str) -> None:
    person = await ensure_person(turn.uow, turn.incoming, turn.now)
    if kind == "service":
        await add_role(turn.uow, person, Role.RESIDENT, turn.now)
        turn.actor = Actor(person.id, person.roles | {Role.RESIDENT}, turn.locale)
    await turn.uow.audit.add(turn.now, person.id, f"contact.{kind}", f"person:{person.id}")
    day = turn.now.date().isoformat()
    for staff in await turn.uow.people.with_role(Role.STAFF):
        if staff.telegram_user_id is None or staff.id == person.id:
            continue
        locale = resolve_locale(staff.locale, staff.telegram_language, turn.settings.default_locale)
        turn.notify(
            staff.telegram_user_id,
            locale,
            msg(f"contact.staff_notice.{kind}", name=person.display_name, id=person.id),
            dedupe_key=f"contact:{kind}:{person.id}:{staff.id}:{day}",
        )
    title, buttons = main_menu(turn.actor)
    turn.say(msg(f"contact.thanks.{kind}"), title, buttons=buttons)
