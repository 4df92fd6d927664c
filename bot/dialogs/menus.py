"""Each role's main menu, its short menu under the chat, and help: big buttons, so no one has
to type a command.

On Telegram a person with a role has a short persistent menu under the typing field (Telegram's
reply keyboard, `keyboard_rows`): the role's three or four everyday entries and "More"; the
inline main menu (what "More" shows) then leaves those entries out. LINE has a rich menu per
role instead (kyodo/line_menus.py, built from `full_menu`), and its people keep the whole inline
menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.callbacks import CallbackData
from bot.domain.channels import Channel
from bot.domain.people import Actor, Role
from bot.domain.replies import Button, Msg, msg
from bot.services.invites import invitable_roles

Buttons = tuple[tuple[Button, ...], ...]


# The buttons of the menus. Each is typed callback data; the dialog named beside it registers
# what pressing it does (bot/dialogs/router.py puts the dialogs together).


@dataclass(frozen=True)
class Menu(CallbackData, tag="menu"):
    """The person's main menu (bot/dialogs/router.py)."""


@dataclass(frozen=True)
class Help(CallbackData, tag="help"):
    """Help for the person's role (bot/dialogs/router.py)."""


@dataclass(frozen=True)
class NeedHelp(CallbackData, tag="need"):
    """ "困ったとき / I need help": whom to call, and writing to the staff
    (bot/dialogs/reach.py)."""


@dataclass(frozen=True)
class Cancel(CallbackData, tag="cancel"):
    """Ends whatever dialog is going on (bot/dialogs/router.py)."""


@dataclass(frozen=True)
class Language(CallbackData, tag="lang"):
    """Asks for a language; with `code`, chooses it (bot/dialogs/language.py)."""

    code: str | None = None


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


@dataclass(frozen=True)
class MyShifts(CallbackData, tag="shifts"):
    """The person's coming shifts (bot/dialogs/shifts.py)."""


@dataclass(frozen=True)
class OpenShifts(CallbackData, tag="shifts:open"):
    """Shifts that others gave up, to take (bot/dialogs/shift_swaps.py)."""


@dataclass(frozen=True)
class CalendarLink(CallbackData, tag="shifts:ical"):
    """The person's calendar feed link (bot/dialogs/shift_swaps.py)."""


@dataclass(frozen=True)
class AssemblyNotices(CallbackData, tag="asm"):
    """Assembly notices (bot/dialogs/assemblies.py)."""


@dataclass(frozen=True)
class StartBroadcast(CallbackData, tag="bc"):
    """Compose a broadcast (bot/dialogs/broadcasts.py)."""


@dataclass(frozen=True)
class ScheduledSends(CallbackData, tag="sch"):
    """Staff's list of scheduled sends (bot/dialogs/scheduled.py)."""


@dataclass(frozen=True)
class ReminderPrefs(CallbackData, tag="rem:prefs"):
    """A member's shift-reminder settings (bot/dialogs/scheduled.py)."""


@dataclass(frozen=True)
class StartRequest(CallbackData, tag="svc"):
    """A resident asks for a service (bot/dialogs/requests.py)."""


@dataclass(frozen=True)
class MyRequests(CallbackData, tag="rq:list"):
    """A resident's requests (bot/dialogs/requests.py)."""


@dataclass(frozen=True)
class StartVolunteering(CallbackData, tag="vol"):
    """Someone applies to volunteer (bot/dialogs/volunteers.py)."""


@dataclass(frozen=True)
class VolunteerQueue(CallbackData, tag="vol:list"):
    """Staff's list of volunteer applications (bot/dialogs/volunteers.py)."""


@dataclass(frozen=True)
class StartJoin(CallbackData, tag="join"):
    """Someone types an invite code (bot/dialogs/join.py)."""


@dataclass(frozen=True)
class Invite(CallbackData, tag="inv"):
    """Staff issue an invite code for a role (bot/dialogs/invites.py)."""

    role: Role


# Buttons that reminders and notices carry into a feature (their dialogs register them too).


@dataclass(frozen=True)
class OpenAssembly(CallbackData, tag="asm:o"):
    """One assembly notice, to answer it (bot/dialogs/assemblies.py)."""

    assembly_id: int


@dataclass(frozen=True)
class CantMakeShift(CallbackData, tag="shift:cant"):
    """ "I can't make it" on a shift (bot/dialogs/shift_swaps.py)."""

    shift_id: int


@dataclass(frozen=True)
class QueuePage(CallbackData, tag="tq"):
    """Staff's queue of waiting items, by centre (0: all) and page (bot/dialogs/queue.py)."""

    centre_id: int
    page: int


@dataclass(frozen=True)
class OpenRequestCard(CallbackData, tag="tc:r:open"):
    """A request's staff card, sent afresh, from the queue (bot/dialogs/triage.py)."""

    request_id: int


@dataclass(frozen=True)
class OpenVolunteerCard(CallbackData, tag="tc:v:open"):
    """A volunteer application's staff card, from the queue (bot/dialogs/triage.py)."""

    application_id: int


@dataclass(frozen=True)
class OpenHoursCard(CallbackData, tag="tc:h:open"):
    """An hour report's staff card, from the queue (bot/dialogs/triage.py)."""

    report_id: int


LANGUAGE = Button(msg("button.language"), Language())
HELP = Button(msg("button.help"), Help())
NEED_HELP = Button(msg("help.button.need_help"), NeedHelp())
MENU = Button(msg("button.menu"), Menu())
CANCEL = Button(msg("button.cancel"), Cancel())
MY_SHIFTS = Button(msg("button.my_shifts"), MyShifts())
ASSEMBLIES = Button(msg("button.assemblies"), AssemblyNotices())
OPEN_SHIFTS = Button(msg("button.open_shifts"), OpenShifts())
REPORT_HOURS = Button(msg("button.report_hours"), StartReport())
MY_MONTH = Button(msg("button.my_month"), MonthView())
HOURS_REVIEW = Button(msg("button.hours_review"), ReviewList())
BROADCAST = Button(msg("broadcasts.button.menu"), StartBroadcast())
SCHEDULED_SENDS = Button(msg("rem.button.scheduled"), ScheduledSends())
REMINDER_SETTINGS = Button(msg("rem.settings_button"), ReminderPrefs())

_INVITE_BUTTONS = {
    Role.MEMBER: Button(msg("button.invite_member"), Invite(Role.MEMBER)),
    Role.VOLUNTEER: Button(msg("button.invite_volunteer"), Invite(Role.VOLUNTEER)),
    Role.STAFF: Button(msg("button.invite_staff"), Invite(Role.STAFF)),
    Role.ADMIN: Button(msg("button.invite_admin"), Invite(Role.ADMIN)),
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


@dataclass(frozen=True)
class Key:
    """An entry of the short menu under the chat: a label (sent back as text when pressed) and
    the main menu's button it stands for (bot/dialogs/keyboard.py reads the text back)."""

    label: Msg
    data: CallbackData


KEY_HOURS = Key(msg("keyboard.hours"), StartReport())
KEY_SHIFTS = Key(msg("keyboard.shifts"), MyShifts())
KEY_ASSEMBLY = Key(msg("keyboard.assembly"), AssemblyNotices())
KEY_OPEN_SHIFTS = Key(msg("keyboard.open_shifts"), OpenShifts())
KEY_REQUEST = Key(msg("keyboard.request"), StartRequest())
KEY_MY_REQUESTS = Key(msg("keyboard.my_requests"), MyRequests())
KEY_REVIEW = Key(msg("keyboard.review"), ReviewList())
KEY_BROADCAST = Key(msg("keyboard.broadcast"), StartBroadcast())
KEY_HELP = Key(msg("keyboard.help"), NeedHelp())
KEY_MORE = Key(msg("keyboard.more"), Menu())  # the inline menu: everything else
KEYS = (
    KEY_HOURS,
    KEY_SHIFTS,
    KEY_ASSEMBLY,
    KEY_OPEN_SHIFTS,
    KEY_REQUEST,
    KEY_MY_REQUESTS,
    KEY_REVIEW,
    KEY_BROADCAST,
    KEY_HELP,
    KEY_MORE,
)


def role_keys(actor: Actor) -> tuple[Key, ...]:
    """The role's everyday entries (at most four, "I need help" last), without "More"; none for
    someone without a role. A person of several roles gets the one with the most to do."""
    if actor.is_staff:
        return (KEY_REVIEW, KEY_BROADCAST, KEY_ASSEMBLY, KEY_HELP)
    if Role.MEMBER in actor.roles:
        return (KEY_HOURS, KEY_SHIFTS, KEY_ASSEMBLY, KEY_HELP)
    if Role.VOLUNTEER in actor.roles:
        return (KEY_HOURS, KEY_SHIFTS, KEY_OPEN_SHIFTS, KEY_HELP)
    if Role.RESIDENT in actor.roles:
        return (KEY_REQUEST, KEY_MY_REQUESTS, KEY_HELP)
    return ()


def has_keyboard(actor: Actor) -> bool:
    """Whether the person has the short menu under the chat: a role, on Telegram (LINE's people
    have their rich menu; the address is the chat's, as `Channel.of` reads it)."""
    chat = actor.telegram_user_id
    return bool(role_keys(actor)) and chat is not None and Channel.of(chat) is Channel.TELEGRAM


def keyboard_rows(actor: Actor) -> tuple[tuple[Msg, ...], ...]:
    """Two keys a row (large enough to hit), "More" last; empty: no keyboard for this person."""
    if not has_keyboard(actor):
        return ()
    labels = [key.label for key in (*role_keys(actor), KEY_MORE)]
    return tuple(tuple(labels[i : i + 2]) for i in range(0, len(labels), 2))


def main_menu(actor: Actor) -> tuple[Msg, Buttons]:
    """The title and the menu's buttons; on Telegram, without what the short menu under the
    chat already holds ("I need help" stays: every menu leads to a person)."""
    title, rows = full_menu(actor)
    if not has_keyboard(actor):
        return title, rows
    kept = {key.data.pack() for key in role_keys(actor)} - {NeedHelp().pack()}
    short = (tuple(b for b in row if b.data not in kept) for row in rows)
    return title, tuple(row for row in short if row)


def full_menu(actor: Actor) -> tuple[Msg, Buttons]:
    """The title and one button per row: large targets for unsteady fingers."""
    rows: list[tuple[Button, ...]] = []
    if not actor.has_any(frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})):
        rows.append((Button(msg("button.want_service"), StartRequest()),))
        if Role.RESIDENT in actor.roles:
            rows.append((Button(msg("requests.button.my_requests"), MyRequests()),))
        if Role.VOLUNTEER not in actor.roles:
            rows.append((Button(msg("button.want_volunteer"), StartVolunteering()),))
        rows.append((Button(msg("button.have_code"), StartJoin()),))
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
        rows.append((Button(msg("button.volunteers_queue"), VolunteerQueue()),))
        rows.append((SCHEDULED_SENDS,))
    if actor.is_staff and Role.MEMBER not in actor.roles:
        rows.append((ASSEMBLIES,))  # to publish notices, count answers and check members in
    rows.extend(
        (_INVITE_BUTTONS[role],) for role in _INVITE_BUTTONS if role in invitable_roles(actor)
    )
    # Every menu ends with a way to a person (the one place menus are made: every role's).
    rows.append((NEED_HELP,))
    rows.append((LANGUAGE, HELP))
    return _title(actor), tuple(rows)


def help_text(actor: Actor) -> Msg:
    if actor.is_staff:
        return msg("help.staff")
    if Role.MEMBER in actor.roles:
        return msg("help.member")
    return msg("help.stranger")
