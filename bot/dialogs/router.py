"""Routes one turn to the command, button or dialog step it is meant for.

Commands and buttons work in every state (/help, /cancel, /language never get stuck behind a
dialog); free text goes to the active dialog's step. Every button is re-authorised here and in the
services: callback data is only ever a request, and forged data gets a refusal and an audit row.
"""

from __future__ import annotations

from dataclasses import replace

from bot.dialogs import (
    assemblies,
    broadcasts,
    confirm,
    desk,
    hours,
    invites,
    join,
    keyboard,
    language,
    links,
    personal_data,
    queue,
    reach,
    requests,
    scheduled,
    shift_swaps,
    shifts,
    triage,
    volunteers,
)
from bot.dialogs.engine import Turn
from bot.dialogs.menus import MENU, NEED_HELP, Cancel, Help, Menu, help_text, main_menu
from bot.dialogs.registry import Dialog, ForgedButton, Next, Registry, StaleScreen
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.incoming import InputKind
from bot.domain.replies import Msg, msg
from bot.services import access

# The buttons and commands that work everywhere, in every state of every dialog.
CORE = Dialog("core", prefixes=("menu", "help", "cancel"))


@CORE.button(Menu)
async def _menu_pressed(turn: Turn, _: Menu, state: DialogState | None) -> Next:
    show_menu(turn)
    return None


@CORE.command("menu")
async def _menu_command(turn: Turn, state: DialogState | None) -> Next:
    keyboard.set_keyboard(turn)  # brings back a short menu the person closed or lost
    show_menu(turn)
    return None


@CORE.button(Help)
async def _help_pressed(turn: Turn, _: Help, state: DialogState | None) -> Next:
    await _help(turn)
    return state


@CORE.command("help")
async def _help_command(turn: Turn, state: DialogState | None) -> Next:
    await _help(turn)
    return state


async def _help(turn: Turn) -> None:
    turn.say(
        help_text(turn.actor), *await reach.contact_parts(turn), buttons=((NEED_HELP,), (MENU,))
    )


@CORE.button(Cancel)
async def _cancel_pressed(turn: Turn, _: Cancel, state: DialogState | None) -> Next:
    show_menu(turn, msg("cancel.done" if state is not None else "cancel.nothing"))
    return None


@CORE.command("cancel")
async def _cancel_command(turn: Turn, state: DialogState | None) -> Next:
    show_menu(turn, msg("cancel.done" if state is not None else "cancel.nothing"))
    return None


# Every dialog, once: the router finds buttons, commands and text steps here by lookup.
REGISTRY = Registry(
    [
        CORE,
        *confirm.DIALOGS,
        *language.DIALOGS,
        *hours.DIALOGS,
        *join.DIALOGS,
        *invites.DIALOGS,
        *links.DIALOGS,
        *personal_data.DIALOGS,
        *desk.DIALOGS,
        *queue.DIALOGS,
        *reach.DIALOGS,
        *triage.DIALOGS,
        *broadcasts.DIALOGS,
        *shifts.DIALOGS,
        *shift_swaps.DIALOGS,
        *assemblies.DIALOGS,
        *scheduled.DIALOGS,
        *requests.DIALOGS,
        *volunteers.DIALOGS,
    ]
)


def show_menu(turn: Turn, *before: Msg) -> None:
    title, buttons = main_menu(turn.actor)
    turn.say(*before, title, buttons=buttons)


async def show_error(turn: Turn, error: Msg) -> None:
    """The core's one way to answer an error or a refusal: what went wrong, whom to call (the
    co-op's phone and hours, when set), then the menu, whose last button leads to a person."""
    show_menu(turn, error, *await reach.contact_parts(turn))


async def route(turn: Turn, state: DialogState | None) -> DialogState | None:
    """One turn: a command, a button, text or media, found by lookup. A refusal from any of them
    is answered in the person's language with their menu (it was audited where it was made)."""
    try:
        return await _route(turn, state)
    except PermissionDenied:
        if turn.incoming.kind is InputKind.BUTTON:
            turn.toast = msg("error.permission_denied")
        await show_error(turn, msg("error.permission_denied"))
        return None


async def _route(turn: Turn, state: DialogState | None) -> DialogState | None:
    kind = turn.incoming.kind
    if kind is InputKind.COMMAND:
        return await _command(turn, state)
    if kind is InputKind.BUTTON:
        return await _button(turn, state)
    if kind is InputKind.TEXT:
        key = keyboard.pressed(turn.text, in_dialog=state is not None)
        if key is not None:
            return await _key(turn, key, state)
    dialog = None if state is None else REGISTRY.dialog(state.dialog)
    if kind is InputKind.TEXT:
        if (
            state is not None
            and state.dialog == reach.NAME
            and state.step == "offer"
            and await hours.looks_like_hours(turn)
        ):
            # Hours typed after text Kyodo could not read: the hours, not a second offer.
            return REGISTRY.store(await hours.typed(turn))
        if state is not None and dialog is not None:
            return await _text(turn, state)
        if state is None and await hours.looks_like_hours(turn):
            return REGISTRY.store(await hours.typed(turn))
        if state is None and join.looks_like_code(turn):
            # An invite code typed on LINE by someone of no role (a letter's reader).
            return REGISTRY.store(await join.typed_code(turn))
        if state is None and reach.offers(turn):
            # Nothing here reads it, but a person can: "send this to the staff?".
            return REGISTRY.store(reach.offer_text(turn))
        await show_error(turn, msg("input.not_understood"))
        return state
    # A sticker, photo or voice message: to the active dialog's media step, if it has one.
    if state is not None and dialog is not None and dialog.on_media is not None:
        return await _text(turn, state)
    if state is None and turn.incoming.file_id and reach.offers(turn):
        # A photo of a time card, a voice note: staff can look and listen.
        return REGISTRY.store(reach.offer_media(turn))
    turn.say(
        msg("input.unsupported"),
        *await reach.contact_parts(turn),
        buttons=((NEED_HELP,), (MENU,)),
    )
    return state


async def _command(turn: Turn, state: DialogState | None) -> DialogState | None:
    command = turn.incoming.command
    registered = REGISTRY.command(command or "")
    if registered is not None:
        return REGISTRY.store(await registered(turn, state))
    turn.say(
        msg("command.unknown", command=f"/{command}"),
        *await reach.contact_parts(turn),
        buttons=((NEED_HELP,), (MENU,)),
    )
    return state


async def _text(turn: Turn, state: DialogState) -> DialogState | None:
    """Text typed in a registered dialog goes to its text step, a photo, voice note or sticker to
    its media step, with its typed state."""
    dialog = REGISTRY.dialog(state.dialog)
    typed = None if dialog is None else REGISTRY.typed(dialog, state)
    if dialog is None or typed is None:
        # A state this Kyodo cannot read (written by an older version): start afresh.
        await show_error(turn, msg("dialog.expired"))
        return None
    step = dialog.on_text if turn.incoming.kind is InputKind.TEXT else dialog.on_media
    if step is None:
        await show_error(turn, msg("input.not_understood"))
        return state
    said = len(turn.replies)
    try:
        return REGISTRY.store(await step(turn, typed))
    except PermissionDenied:
        raise
    except (StaleScreen, DomainError):
        # What the dialog was about changed under it (the item was decided, withdrawn...).
        del turn.replies[said:]
        return await _stale(turn, state)


async def _key(turn: Turn, data: CallbackData, state: DialogState | None) -> DialogState | None:
    """A key of the short menu under the chat, sent as its label: the press of the menu button
    it stands for, checked and handled as one (in any state, like /menu). What it says comes as
    new messages: the person's own text is no message of Kyodo's to edit."""
    turn.incoming = replace(
        turn.incoming, kind=InputKind.BUTTON, callback_data=data.pack(), message_id=None
    )
    said = len(turn.replies)
    new_state = await _button(turn, state)
    turn.replies[said:] = [replace(r, edit=False) for r in turn.replies[said:]]
    return new_state


async def _button(turn: Turn, state: DialogState | None) -> DialogState | None:
    """A press: decoded by the registry, checked against the state, handled."""
    pressed = REGISTRY.decode(turn.incoming.callback_data or "")
    if pressed is None:
        return await _invalid(turn, state)
    route = pressed.route
    said = len(turn.replies)
    try:
        if route.steps is None:
            return REGISTRY.store(await route.handler(turn, pressed.data, state))
        typed = REGISTRY.typed(route.dialog, state)
        if typed is None or typed.step not in route.steps:
            raise StaleScreen()
        return REGISTRY.store(await route.handler(turn, pressed.data, typed))
    except PermissionDenied:
        raise
    except ForgedButton:
        del turn.replies[said:]
        return await _invalid(turn, state)
    except (StaleScreen, DomainError):
        # The press no longer fits (a step moved on, the item changed, the id is gone): what
        # the handler began to say is withdrawn and the person hears what they can do now.
        del turn.replies[said:]
        return await _stale(turn, state)


async def _stale(turn: Turn, state: DialogState | None) -> DialogState | None:
    """A button of a screen the dialog has moved on from: say so, then what can be done now
    (the active dialog's current step, else the menu). Nothing else happens."""
    turn.toast = msg("button.stale")
    active = None if state is None else REGISTRY.dialog(state.dialog)
    typed = None if active is None else REGISTRY.typed(active, state)
    if active is not None and typed is not None and active.resume is not None:
        turn.say(msg("button.stale"))
        said = len(turn.replies)
        try:
            return REGISTRY.store(await active.resume(turn, typed))
        except (StaleScreen, DomainError):
            # Not even the current step can be shown again (its item is gone): the menu.
            del turn.replies[said - 1 :]
            typed = None
    show_menu(turn, msg("button.stale"))
    if active is not None and typed is None:
        return None  # a registered dialog's state this Kyodo cannot read: dropped
    return state


async def _invalid(turn: Turn, state: DialogState | None) -> DialogState | None:
    """Data no dialog knows (forged, or a button of an older Kyodo): refused and audited."""
    await turn.uow.audit.add(
        turn.now,
        turn.actor.person_id,
        "callback.unknown",
        "callback",
        access.audit_details(turn.actor, group=turn.incoming.chat_type.value != "private"),
    )
    turn.toast = msg("button.invalid")
    await show_error(turn, msg("button.invalid"))
    return state
