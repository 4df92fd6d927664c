"""Each role's main menu and help: big buttons, so no one has to type a command."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.callbacks import CallbackData
from bot.domain.people import Actor, Role
from bot.domain.replies import Button, Msg, msg
from bot.services.invites import invitable_roles

Buttons = tuple[tuple[Button, ...], ...]


# The buttons that open a feature from the menu (their dialogs register what they do).
@dataclass(frozen=True)
class StartReport(CallbackData, tag="hr"):
    """Report hours (bot/dialogs/hours.py)."""


@dataclass(frozen=True)
class MonthView(CallbackData, tag="hrm"):
    """A member's month of hours (bot/dialogs/hours.py)."""

    month: int | None = None  # YYYYMM; none: this month


@dataclass(frozen=True)
class ReviewList(CallbackData, tag="hrq"):
    """Staff's list of hours waiting for review (bot/dialogs/hours.py)."""


LANGUAGE = Button(msg("button.language"), "lang")
HELP = Button(msg("button.help"), "help")
MENU = Button(msg("button.menu"), "menu")
CANCEL = Button(msg("button.cancel"), "cancel")
MY_SHIFTS = Button(msg("button.my_shifts"), "shifts")
ASSEMBLIES = Button(msg("button.assemblies"), "asm")
OPEN_SHIFTS = Button(msg("button.open_shifts"), "shifts:open")
REPORT_HOURS = Button(msg("button.report_hours"), StartReport())
MY_MONTH = Button(msg("button.my_month"), MonthView())
HOURS_REVIEW = Button(msg("button.hours_review"), ReviewList())
BROADCAST = Button(msg("broadcasts.button.menu"), "bc")  # bot/dialogs/broadcasts.py
SCHEDULED_SENDS = Button(msg("rem.button.scheduled"), "sch")  # bot/dialogs/scheduled.py
REMINDER_SETTINGS = Button(msg("rem.settings_button"), "rem:prefs")

_INVITE_BUTTONS = {
    Role.MEMBER: Button(msg("button.invite_member"), "inv:member"),
    Role.VOLUNTEER: Button(msg("button.invite_volunteer"), "inv:volunteer"),
    Role.STAFF: Button(msg("button.invite_staff"), "inv:staff"),
    Role.ADMIN: Button(msg("button.invite_admin"), "inv:admin"),
}


def _title(actor: Actor) -> Msg:
    if Role.ADMIN in actor.roles:
        return msg("menu.admin")
    if Role.STAFF in actor.roles:
        return msg("menu.staff")
    if Role.MEMBER in actor.roles:
        return msg("menu.member")
    if Role.VOLUNTEER in actor.roles:
        return msg("menu.volunteer")
    if Role.RESIDENT in actor.roles:
        return msg("menu.resident")
    return msg("menu.stranger")


def main_menu(actor: Actor) -> tuple[Msg, Buttons]:
    """The title and one button per row: large targets for unsteady fingers."""
    rows: list[tuple[Button, ...]] = []
    if not actor.has_any(frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})):
        rows.append((Button(msg("button.want_service"), "svc"),))
        if Role.RESIDENT in actor.roles:
            rows.append((Button(msg("requests.button.my_requests"), "rq:list"),))
        if Role.VOLUNTEER not in actor.roles:
            rows.append((Button(msg("button.want_volunteer"), "vol"),))
        rows.append((Button(msg("button.have_code"), "join"),))
    if Role.MEMBER in actor.roles:
        rows.extend([(MY_SHIFTS,), (ASSEMBLIES,)])
        rows.insert(0, (REPORT_HOURS, MY_MONTH))
    if Role.VOLUNTEER in actor.roles and Role.MEMBER not in actor.roles:
        # Approved volunteers take slots, and report the hours of them, like members.
        rows.extend([(REPORT_HOURS, MY_MONTH), (MY_SHIFTS,)])
    if actor.has_any(frozenset({Role.MEMBER, Role.VOLUNTEER})):
        rows.append((OPEN_SHIFTS,))
        rows.append((REMINDER_SETTINGS,))
    if actor.is_staff:
        rows.append((HOURS_REVIEW,))
        rows.append((BROADCAST,))
        rows.append((Button(msg("button.volunteers_queue"), "vol:list"),))
        rows.append((SCHEDULED_SENDS,))
    if actor.is_staff and Role.MEMBER not in actor.roles:
        rows.append((ASSEMBLIES,))  # to publish notices, count answers and check members in
    rows.extend(
        (_INVITE_BUTTONS[role],) for role in _INVITE_BUTTONS if role in invitable_roles(actor)
    )
    rows.append((LANGUAGE, HELP))
    return _title(actor), tuple(rows)


def help_text(actor: Actor) -> Msg:
    if actor.is_staff:
        return msg("help.staff")
    if Role.MEMBER in actor.roles:
        return msg("help.member")
    return msg("help.stranger")
