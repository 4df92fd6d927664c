"""The dialog registry: every button, typed text step and media step, found by lookup.

Each dialog module declares a `Dialog`: its callback prefixes, the typed callback data of its
buttons with one handler each, and (if it keeps state between turns) its `StateCodec`, its text
and media steps. `Registry` puts the dialogs together once, checks that no prefix or tag is
claimed twice, and answers the router's two questions: "who handles this button?" and "who
handles text in this state?".

A press is harmless by construction, whatever the message it came from:

- data that no dialog's codec unpacks (forged, or from an older Kyodo) is answered "that button
  is no longer valid" and audited;
- a button that belongs to a dialog's steps, pressed when that dialog is not at one of those
  steps (an old message, a dialog that moved on or ended, a state of an older version) is
  answered "this screen is out of date" with what the person can do now; the handler never runs;
- a handler only ever gets the typed state it declared, so it cannot read a missing field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.dialogs.engine import Turn
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState

C = TypeVar("C", bound=CallbackData)
Next = DialogData | DialogState | None
"""What a step returns: the dialog's next typed state, a stored state (kept as it is), or None
(no dialog)."""


class StaleScreen(Exception):
    """Raised by a step whose button or state no longer fits: the router answers it as a press
    on an out-of-date screen (nothing else happens in that turn's dialog)."""


class ForgedButton(Exception):
    """Raised by a step for data no screen of Kyodo offers (a day beyond the window, an amount
    no button shows): the router refuses it as a forged button, and audits it."""


ButtonHandler = Callable[[Turn, Any, Any], Awaitable[Next]]
CommandHandler = Callable[[Turn, DialogState | None], Awaitable[Next]]
TextHandler = Callable[[Turn, Any], Awaitable[Next]]
Resume = Callable[[Turn, Any], Awaitable[Next]]


@dataclass(frozen=True)
class ButtonRoute:
    data_type: type[CallbackData]
    handler: ButtonHandler
    dialog: Dialog
    # The steps of the dialog's state this button belongs to; None: the button works in any
    # state, and its handler gets the stored state as it is (or None).
    steps: frozenset[str] | None


class Dialog:
    """One dialog: its prefixes, buttons, and (optionally) typed state with text/media steps."""

    def __init__(
        self,
        name: str,
        *,
        prefixes: Iterable[str] = (),
        state: StateCodec[Any] | None = None,
        steps: Iterable[str] = (),
        group_ok: bool = False,
    ) -> None:
        self.name = name
        self.prefixes = tuple(prefixes)
        self.state = state
        # Its buttons may be pressed in the staff group (staff cards): the runner moves such a
        # press to the presser's private chat, where their dialog state lives.
        self.group_ok = group_ok
        self.steps = tuple(steps)  # every step its state can be at (the late-press test uses them)
        if state is not None and state.dialog != name:
            raise ValueError(f"dialog {name!r} has the state codec of {state.dialog!r}")
        if (state is None) != (not self.steps):
            raise ValueError(f"dialog {name!r}: a state needs its steps, and steps a state")
        self.routes: list[ButtonRoute] = []
        self.commands: dict[str, CommandHandler] = {}
        self.on_text: TextHandler | None = None
        self.on_media: TextHandler | None = None
        self.resume: Resume | None = None

    def button(
        self, data_type: type[C], *, steps: Iterable[str] | None = None
    ) -> Callable[[ButtonHandler], ButtonHandler]:
        """Registers the handler of one kind of button. With `steps`, the handler runs only when
        this dialog is at one of them, and gets its typed state; else it gets the stored one."""
        if data_type.tag.partition(":")[0] not in self.prefixes:
            raise ValueError(f"{data_type.__name__} ({data_type.tag}) is not under {self.prefixes}")
        if steps is not None and not set(steps) <= set(self.steps):
            raise ValueError(f"{data_type.__name__}: steps {steps} are not all {self.name}'s")

        def register(handler: ButtonHandler) -> ButtonHandler:
            chosen = None if steps is None else frozenset(steps)
            self.routes.append(ButtonRoute(data_type, handler, self, chosen))
            return handler

        return register

    def command(self, *names: str) -> Callable[[CommandHandler], CommandHandler]:
        """Registers what `/name` does (it gets the stored state; the arguments are turn.text)."""

        def register(handler: CommandHandler) -> CommandHandler:
            for name in names:
                self.commands[name] = handler
            return handler

        return register

    def text(self, handler: TextHandler) -> TextHandler:
        """Registers what text typed in this dialog does (it gets the typed state)."""
        self.on_text = handler
        return handler

    def media(self, handler: TextHandler) -> TextHandler:
        """Registers what a photo, voice note or sticker sent in this dialog does."""
        self.on_media = handler
        return handler

    def resumes(self, handler: Resume) -> Resume:
        """Registers how to show the dialog's current step again (after a stale press)."""
        self.resume = handler
        return handler


@dataclass(frozen=True)
class Pressed:
    """A decoded press: its route and typed data."""

    route: ButtonRoute
    data: CallbackData


class Registry:
    def __init__(self, dialogs: Iterable[Dialog]) -> None:
        self.dialogs = tuple(dialogs)
        self._by_prefix: dict[str, Dialog] = {}
        self._by_name: dict[str, Dialog] = {}
        self._by_tag: dict[str, ButtonRoute] = {}
        self._codecs: dict[type[DialogData], StateCodec[Any]] = {}
        self._commands: dict[str, CommandHandler] = {}
        for dialog in self.dialogs:
            if dialog.name in self._by_name:
                raise ValueError(f"two dialogs are named {dialog.name!r}")
            self._by_name[dialog.name] = dialog
            for prefix in dialog.prefixes:
                if prefix in self._by_prefix:
                    other = self._by_prefix[prefix].name
                    raise ValueError(f"prefix {prefix!r} of {dialog.name} is {other}'s already")
                self._by_prefix[prefix] = dialog
            for route in dialog.routes:
                if route.data_type.tag in self._by_tag:
                    raise ValueError(f"two buttons are tagged {route.data_type.tag!r}")
                self._by_tag[route.data_type.tag] = route
            for name, handler in dialog.commands.items():
                if name in self._commands:
                    raise ValueError(f"two dialogs answer /{name}")
                self._commands[name] = handler
            if dialog.state is not None:
                self._codecs[dialog.state.state_type] = dialog.state

    @property
    def routes(self) -> tuple[ButtonRoute, ...]:
        return tuple(self._by_tag.values())

    def decode(self, data: str) -> Pressed | None:
        """The route and typed data of a press; None for data no dialog knows."""
        tokens = data.split(":")
        for count in range(len(tokens), 0, -1):  # the longest tag first: `hr:ok` before `hr`
            route = self._by_tag.get(":".join(tokens[:count]))
            if route is None:
                continue
            decoded = route.data_type.unpack(data)
            if decoded is not None:
                return Pressed(route, decoded)
        return None

    def command(self, name: str) -> CommandHandler | None:
        return self._commands.get(name)

    def dialog(self, name: str) -> Dialog | None:
        return self._by_name.get(name)

    def typed(self, dialog: Dialog, state: DialogState | None) -> DialogData | None:
        """The dialog's typed state if `state` is that dialog's and readable, else None."""
        return None if dialog.state is None else dialog.state.load(state)

    def store(self, result: Next) -> DialogState | None:
        """A step's result as the state to store."""
        if result is None or isinstance(result, DialogState):
            return result
        codec = self._codecs.get(type(result))
        if codec is None:
            raise TypeError(f"{type(result).__name__} is no registered dialog's state")
        return codec.dump(result)
