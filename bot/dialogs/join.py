"""Joining with an invite code: typed after tapping the button, or through a t.me deep link.

`/start` lands here too: with a code (the deep link `t.me/<bot>?start=CODE`) it redeems it, else it
greets the person with their menu. `/join CODE` redeems; `/join` and the "I have a code" button
ask for the code, which is typed next. Wrong codes count against the Telegram account whichever
way they came, and five in a row lock it for a while (bot.services.invites.redeem_invite).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.engine import Turn
from bot.dialogs.keyboard import set_keyboard
from bot.dialogs.language import offer_languages
from bot.dialogs.menus import CANCEL, StartJoin, main_menu
from bot.dialogs.registry import Dialog, Next
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.channels import Channel
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.invites import normalise_code, roles_granted
from bot.domain.people import Actor, Person, Role
from bot.domain.replies import Button, Msg, msg
from bot.i18n import resolve_locale
from bot.services.invites import redeem_invite
from bot.services.member_import import check_name, set_name
from bot.services.people import ensure_person

NAME = "join"


@dataclass(frozen=True, kw_only=True)
class CodeAsked(DialogData):
    """The person was asked for their invite code (wrong codes are counted by the service, per
    Telegram account: tapping the button again starts no new count)."""


@dataclass(frozen=True, kw_only=True)
class NameAsked(DialogData):
    """The person joined with an ordinary invite and was asked their name; `suggestion` is
    their messenger profile's, offered as a button."""

    role: Role
    suggestion: str


@dataclass(frozen=True)
class KeepName(CallbackData, tag="jname:k"):
    """The name suggested from the messenger profile is the right one."""


DIALOG = Dialog(NAME, prefixes=("join",), state=StateCodec(NAME, CodeAsked), steps=("code",))
# Asking the name is a dialog of its own: one state type per dialog (bot.dialogs.state).
NAMING = "join_name"
NAME_DIALOG = Dialog(
    NAMING, prefixes=("jname",), state=StateCodec(NAMING, NameAsked), steps=("name",)
)
DIALOGS = (DIALOG, NAME_DIALOG)


@DIALOG.command("start")
async def _start_command(turn: Turn, state: DialogState | None) -> Next:
    """`/start`: a deep link's code is redeemed; without one, a welcome and the menu."""
    if turn.text:
        return _then(await redeem(turn, turn.text))
    name = turn.person.display_name if turn.person else turn.incoming.user_name
    set_keyboard(turn)
    title, buttons = main_menu(turn.actor)
    if turn.person is None or turn.person.locale is None:
        # Not chosen yet: the language was guessed from Telegram's, and Easy Japanese is only
        # ever chosen, so the welcome offers all three (one message: its menu is the latest).
        turn.say(
            msg("welcome", name=name), msg("language.ask"), title, buttons=offer_languages(buttons)
        )
        return None
    turn.say(msg("welcome", name=name), title, buttons=buttons)
    return None


@DIALOG.command("join")
async def _join_command(turn: Turn, state: DialogState | None) -> Next:
    if turn.text:
        return _then(await redeem(turn, turn.text))
    return start(turn)


def _then(redeemed: Next | bool) -> Next:
    """After a code given with the command: the name step, or nothing more."""
    return redeemed if isinstance(redeemed, NameAsked) else None


@DIALOG.button(StartJoin)
async def _join_pressed(turn: Turn, _: StartJoin, state: DialogState | None) -> Next:
    return start(turn)


def start(turn: Turn) -> CodeAsked:
    _ask(turn)
    return CodeAsked(step="code")


def _ask(turn: Turn) -> None:
    turn.say(msg("join.ask_code"), buttons=((CANCEL,),))


@DIALOG.resumes
async def _resume(turn: Turn, asked: CodeAsked) -> Next:
    _ask(turn)
    return asked


@NAME_DIALOG.resumes
async def _resume_name(turn: Turn, asked: NameAsked) -> Next:
    _say_ask_name(turn, asked)
    return asked


@NAME_DIALOG.text
async def on_name(turn: Turn, asked: NameAsked) -> Next:
    # The raw text, as sent: its length is checked before NFKC (set_name).
    return await _named(turn, asked, turn.incoming.text or "")


async def redeem(turn: Turn, typed: str) -> Next | bool:
    """Tries the code; says what happened. True when the person joined with a letter's code
    (their name is the import's); the name step when they joined with an ordinary invite;
    False when the code did not work."""
    user_id = turn.incoming.user_id
    if user_id is None:
        turn.say(msg("join.error.invite_unknown"), buttons=((CANCEL,),))
        return False
    try:
        person, invite = await redeem_invite(
            turn.uow,
            user_id,
            typed,
            turn.now,
            lambda: ensure_person(turn.uow, turn.incoming, turn.now),
            telegram_language=turn.incoming.language_code,
        )
    except DomainError as error:
        key = "join.locked" if error.code == "invite_locked" else f"join.error.{error.code}"
        if error.code == "invite_account_taken":
            key = "members.join.account_taken"
        turn.say(msg(key), buttons=((CANCEL,),))
        return False
    if invite.person_id is None:
        # Welcomed at once with their menu, and asked (in the same message, whose buttons are
        # the menu and the profile's name) the name staff will know them by.
        roles = person.roles | roles_granted(invite.role)
        return _ask_name(turn, person.id, roles, invite.role, person)
    # A letter's code: the person the co-op imported, in the language the import gave them.
    turn.locale = resolve_locale(
        person.locale, turn.incoming.language_code, turn.settings.default_locale
    )
    roles = person.roles | roles_granted(invite.role)
    _welcome(turn, person.id, roles, invite.role, person.display_name)
    return True


def _welcome(turn: Turn, person_id: int, roles: frozenset[Role], role: Role, name: str) -> None:
    actor = Actor(person_id, roles, turn.locale, telegram_user_id=turn.incoming.user_id)
    turn.actor = actor
    set_keyboard(turn)  # a new role: its short menu under the chat
    title, buttons = main_menu(actor)
    turn.say(msg(f"join.welcome.{role}", name=name), title, buttons=buttons)


def _ask_name(
    turn: Turn, person_id: int, roles: frozenset[Role], role: Role, person: Person
) -> NameAsked:
    # A suggestion from the profile only if it could be kept as it is.
    try:
        suggestion = check_name(person.display_name)
    except InvalidInput:
        suggestion = ""
    asked = NameAsked(step="name", role=role, suggestion=suggestion)
    actor = Actor(person_id, roles, turn.locale, telegram_user_id=turn.incoming.user_id)
    turn.actor = actor
    title, menu = main_menu(actor)
    question, keep = _name_question(asked)
    welcome = msg(f"join.welcome.{role}", name=person.display_name)
    turn.say(welcome, question, title, buttons=keep + menu)
    return asked


def _name_question(asked: NameAsked) -> tuple[Msg, tuple[tuple[Button, ...], ...]]:
    if asked.suggestion:
        keep = Button(msg("members.join.keep_name", name=asked.suggestion), KeepName())
        return msg("members.join.ask_name_or_keep"), ((keep,),)
    return msg("members.join.ask_name"), ()


def _say_ask_name(turn: Turn, asked: NameAsked) -> None:
    question, keep = _name_question(asked)
    turn.say(question, buttons=keep)


async def _named(turn: Turn, asked: NameAsked, typed: str) -> Next:
    person_id = turn.actor.person_id
    person = None if person_id is None else await turn.uow.people.get(person_id)
    if person is None:  # forgotten meanwhile: nobody to name, their menu instead
        title, buttons = main_menu(turn.actor)
        turn.say(title, buttons=buttons)
        return None
    try:
        name = await set_name(turn.uow, person, typed, turn.now)
    except InvalidInput as error:
        turn.say(msg(f"members.join.error.{error.code}"))
        _say_ask_name(turn, asked)
        return asked
    actor = Actor(person.id, person.roles, turn.locale, telegram_user_id=turn.incoming.user_id)
    set_keyboard(turn, actor)  # joined and named: the new role's short menu under the chat
    title, buttons = main_menu(actor)
    turn.say(msg("members.join.named", name=name), title, buttons=buttons)
    return None


@NAME_DIALOG.button(KeepName, steps=("name",))
async def _keep_name(turn: Turn, _: KeepName, asked: NameAsked) -> Next:
    return await _named(turn, asked, asked.suggestion)


def looks_like_code(turn: Turn) -> bool:
    """Someone of no role on LINE typed what can only be an invite code, outside any dialog:
    LINE's add-friend link carries no code (Telegram's deep link does), so a letter's reader
    adds the account and then types the code, as the letter says (and an invite's LINE line)."""
    chat = turn.incoming.chat_id
    if turn.actor.roles or chat is None or Channel.of(chat) is not Channel.LINE:
        return False
    try:
        normalise_code(turn.text)
    except InvalidInput:
        return False
    return True


async def typed_code(turn: Turn) -> Next:
    """The code typed outside the dialog, redeemed as if asked for it: joined, the name step,
    or (a wrong code) the question again, so the next try is read as a code too."""
    redeemed = await redeem(turn, turn.text)
    if redeemed is True:
        return None
    if redeemed is False:
        return CodeAsked(step="code")
    return redeemed


@DIALOG.text
async def on_text(turn: Turn, asked: CodeAsked) -> Next:
    redeemed = await redeem(turn, turn.text)
    if redeemed is True:
        return None
    if redeemed is False:
        return asked
    return redeemed
