"""Late, foreign and forged presses are harmless: every button of every dialog, in every state.

A person may press a button of any message they still have: one from before the dialog moved
on, one from a dialog that ended, one of an older Kyodo. Each press must get an answer in their
language (a toast or a message) and never an exception. These tests press every kind of button
the registry knows, in every step of every dialog, as people of every role.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import typing
from datetime import UTC, date, datetime
from enum import StrEnum

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogs.engine import DialogSettings
from bot.dialogs.registry import ButtonRoute, Dialog
from bot.dialogs.router import REGISTRY
from bot.dialogs.runner import FloodGuard
from bot.dialogs.state import DialogData
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.rendering import Renderer
from tests.fakes.chat import ChatHarness, User
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.core import FakeClock, conversation_on
from tests.fixtures.people import HANAKO, MARIA, TANAKA, TOME, demo

STRANGER = User(9901, "Stranger", "en")
PEOPLE = (TANAKA, MARIA, HANAKO, TOME, STRANGER)
CHANNEL = "telegram"


def _ids() -> st.SearchStrategy[int]:
    # Small ids hit the demo's people, centres, reports and requests; large ones hit nothing.
    return st.integers(0, 12) | st.integers(0, 10**18 - 1)


def _value(hint: typing.Any) -> st.SearchStrategy[typing.Any]:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args and type(None) in typing.get_args(hint):
        return st.none() | _value(args[0])
    if typing.get_origin(hint) is tuple:
        return st.lists(_value(typing.get_args(hint)[0]), max_size=3).map(tuple)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return _ids()
    if hint is str:
        # Values Kyodo itself puts in a button: text that UTF-8 can carry.
        text = st.characters(codec="utf-8", blacklist_characters=":")
        return st.text(alphabet=text, min_size=1, max_size=30)
    if hint is datetime:
        return st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
    if hint is date:
        return st.dates(date(2025, 1, 1), date(2027, 12, 31))
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return st.sampled_from(list(hint))
    return st.from_type(hint)


def data_of(kind: type[CallbackData]) -> st.SearchStrategy[CallbackData]:
    hints = typing.get_type_hints(kind)
    fields = {f.name: _value(hints[f.name]) for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return st.builds(kind, **fields)


def state_of(dialog: Dialog, step: str) -> st.SearchStrategy[DialogState]:
    assert dialog.state is not None
    kind = dialog.state.state_type
    hints = typing.get_type_hints(kind)
    fields = {f.name: _value(hints[f.name]) for f in dataclasses.fields(kind) if f.name != "step"}
    return st.builds(kind, step=st.just(step), **fields).map(dialog.state.dump)


def _sample(hint: typing.Any, filled: bool) -> typing.Any:
    """One plain value of the type: the same every run (`filled=False`: None where allowed)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args and type(None) in typing.get_args(hint):
        return _sample(args[0], filled) if filled else None
    if typing.get_origin(hint) is tuple:
        return (_sample(typing.get_args(hint)[0], filled),) if filled else ()
    if hint is bool:
        return filled
    if hint is int:
        return 1
    if hint is str:
        return "x"
    if hint is datetime:
        return datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    if hint is date:
        return date(2026, 11, 20)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return next(iter(hint))
    raise TypeError(hint)


def sample_data(kind: type[CallbackData]) -> CallbackData:
    hints = typing.get_type_hints(kind)
    fields = dataclasses.fields(kind)  # type: ignore[arg-type]
    return kind(**{f.name: _sample(hints[f.name], True) for f in fields})


def sample_states(dialog: Dialog, step: str) -> list[DialogState]:
    """The dialog at `step` with every field filled, and with only what must be there."""
    assert dialog.state is not None
    kind = dialog.state.state_type
    hints = typing.get_type_hints(kind)
    fields = [f for f in dataclasses.fields(kind) if f.name != "step"]
    return [
        dialog.state.dump(
            kind(step=step, **{f.name: _sample(hints[f.name], filled) for f in fields})
        )
        for filled in (True, False)
    ]


def every_state() -> list[tuple[str, Dialog | None, str]]:
    """(label, dialog, step) for every step of every dialog that keeps state, and no state."""
    found: list[tuple[str, Dialog | None, str]] = [("no dialog", None, "")]
    for dialog in REGISTRY.dialogs:
        found += [(f"{dialog.name}:{step}", dialog, step) for step in dialog.steps]
    return found


class Presses:
    """Demo data loaded once; every press starts from a copy of it."""

    def __init__(self) -> None:
        from zoneinfo import ZoneInfo

        from bot.i18n import I18n

        self.clock = FakeClock()
        self.store = MemoryStore()
        settings_ = DialogSettings(
            bot_username="kyodo_test_bot",
            invite_ttl_hours=72,
            max_text_length=1000,
            default_locale="ja",
        )
        renderer = Renderer(I18n(ZoneInfo("Asia/Tokyo"), "ja"))
        conversation = conversation_on(self.store, renderer, settings_, self.clock)
        # Thousands of presses by five people: the per-person flood guard would drop them.
        conversation.flood = FloodGuard(limit=10**9)
        self.chat = ChatHarness(self.store, conversation, self.clock)
        asyncio.run(demo(self.store, self.clock))
        self.snapshot = copy.deepcopy(self.store.state)

    def _in(self, user: User, state: DialogState | None) -> None:
        self.store.state = copy.deepcopy(self.snapshot)
        if state is not None:
            self.store.state.dialogs[(CHANNEL, user.id)] = state

    def press(self, user: User, state: DialogState | None, data: str):
        self._in(user, state)
        return asyncio.run(self.chat.press(user, data))

    def send(self, user: User, state: DialogState | None, text: str):
        self._in(user, state)
        return asyncio.run(self.chat.send(user, text))

    def sticker(self, user: User, state: DialogState | None):
        self._in(user, state)
        return asyncio.run(self.chat.sticker(user))


@pytest.fixture(scope="module")
def presses() -> Presses:
    return Presses()


def _answered(turn) -> bool:
    return bool(turn.messages) or bool(turn.toast)


@pytest.mark.parametrize("route", REGISTRY.routes, ids=lambda r: r.data_type.tag)
def test_every_button_in_every_state_gets_an_answer(presses: Presses, route: ButtonRoute) -> None:
    """Each kind of button with no dialog going on and at every step of every dialog (its own
    and all the others): an answer every time, never an exception. The presser and how full the
    state is rotate, so every role and both shapes of state meet every button across the sweep."""
    data = sample_data(route.data_type).pack()
    for index, (label, dialog, step) in enumerate(every_state()):
        user = PEOPLE[(index + len(route.data_type.tag)) % len(PEOPLE)]
        state = None if dialog is None else sample_states(dialog, step)[index % 2]
        turn = presses.press(user, state, data)
        assert _answered(turn), (user, label, data)


@pytest.mark.parametrize(
    ("label", "dialog", "step"), [pytest.param(*case, id=case[0]) for case in every_state()]
)
def test_text_and_media_in_every_state_get_an_answer(
    presses: Presses, label: str, dialog: Dialog | None, step: str
) -> None:
    """Typed text, overlong text, a full-width date and a sticker at every step of every dialog."""
    for state in [None] if dialog is None else sample_states(dialog, step):
        for user in PEOPLE:
            for text in ("x", "１２／３ ２", "あ" * 999):
                assert _answered(presses.send(user, state, text)), (user, label, text)
            assert _answered(presses.sticker(user, state)), (user, label)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_any_press_in_any_state_is_answered(presses: Presses, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(REGISTRY.routes))
    label, dialog, step = data.draw(st.sampled_from(every_state()))
    state = None if dialog is None else data.draw(state_of(dialog, step))
    user = data.draw(st.sampled_from(PEOPLE))
    pressed = data.draw(data_of(route.data_type)).pack()
    turn = presses.press(user, state, pressed)
    assert _answered(turn), (user, label, pressed)


@given(st.text(max_size=70))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_bytes_as_callback_data_are_refused_or_handled(text: str) -> None:
    """Whatever arrives as callback data decodes to a known button or to nothing: no crash."""
    pressed = REGISTRY.decode(text)
    assert pressed is None or pressed.data.pack().startswith(pressed.route.data_type.tag)


@pytest.mark.parametrize("data", ["rq:a:\ud800", "\udfff", "hr:d:\ud83d"])
def test_callback_data_that_is_not_utf8_is_nobodys_button(data: str) -> None:
    """JSON may carry a lone surrogate (`"\\ud800"`); no button has one, and nothing crashes."""
    assert REGISTRY.decode(data) is None


def test_a_state_of_an_older_version_is_out_of_date_not_a_crash(presses: Presses) -> None:
    old = DialogState("hours", "confirm", {"day": "2026-11-20", "centre": 2, "minutes": 60})
    turn = presses.press(TANAKA, old, "hr:ok:1")
    assert turn.toast is not None and "古くなっています" in turn.toast


def test_every_dialog_state_round_trips_through_its_codec() -> None:
    for dialog in REGISTRY.dialogs:
        if dialog.state is None:
            continue
        for step in dialog.steps:
            for stored in sample_states(dialog, step):
                typed = dialog.state.load(stored)
                assert isinstance(typed, DialogData) and typed.step == step
                assert dialog.state.dump(typed) == stored
