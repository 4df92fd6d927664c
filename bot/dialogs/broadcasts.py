"""Broadcasts in Telegram: a coordinator composes and controls them; anyone can opt out.

Composing (`/broadcast` or the staff menu): audience -> kind -> Japanese text -> English text
-> preview (exactly what readers of each language get, the recipient count, a warning for a
missing language) -> send now, or at a typed date and time. The draft lives in the dialog state.

Callback data (ids and codes only; every press is re-authorised by the services):
`bc` start · `bc:a:<audience>` · `bc:ac:<centre>` · `bc:aa:<assembly>` · `bc:k:<kind>` ·
`bc:skip` no text in this language · `bc:now` · `bc:later` · `bc:ok` confirm the time ·
`bc:eja` / `bc:een` edit a language · `bc:l` open broadcasts · `bc:p|r|x:<id>` pause, resume,
cancel (`bc:xx:<id>` confirms) · `bc:o:<kind>` stop these messages · `bc:i:<kind>` receive them
again · `bc:s` message settings · `bc:t:<kind>` switch a kind on or off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, MENU, Buttons
from bot.domain.broadcasts import (
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastKind,
    Draft,
    check_send_at,
    check_text,
    parse_send_at,
)
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.replies import Button, Msg, msg
from bot.services import broadcasts as service

NAME = "broadcast"
START = Button(msg("broadcasts.button.menu"), "bc")
LIST = Button(msg("broadcasts.button.list"), "bc:l")
SETTINGS = Button(msg("broadcasts.button.settings"), "bc:s")
MAX_CHOICES = 20  # centres or notices offered as buttons
LIST_SHOWN = 10
PREVIEW_CHARS = 60  # of each broadcast's text in the list

_AUDIENCES = (
    AudienceKind.MEMBERS,
    AudienceKind.CENTRE,
    AudienceKind.VOLUNTEERS,
    AudienceKind.NO_ANSWER,
    AudienceKind.OPTED_IN,
)
_OTHER = {"ja": "en", "en": "ja"}


def _state(step: str, data: dict[str, Any]) -> DialogState:
    return DialogState(NAME, step, dict(data))


def _error(turn: Turn, error: DomainError, buttons: Buttons = ((CANCEL,),)) -> None:
    details = dict(error.details)
    if "status" in details:
        details["status"] = msg(f"broadcasts.status.{details['status']}")
    turn.say(msg(f"broadcasts.error.{error.code}", **details), buttons=buttons)


def _kind_label(kind: BroadcastKind) -> Msg:
    return msg(f"broadcasts.kind.{kind.value}")


def _draft(data: dict[str, Any]) -> Draft:
    audience = Audience(
        AudienceKind(data["audience"]),
        centre_id=data.get("centre"),
        assembly_id=data.get("assembly"),
    )
    return Draft(audience, BroadcastKind(data["kind"]), data.get("ja", ""), data.get("en", ""))


# -- composing ---------------------------------------------------------------------------


async def start(turn: Turn) -> DialogState | None:
    """The coordinator's first step: who receives it. Anyone else is refused (and audited)."""
    try:
        await service.upcoming(turn.uow, turn.actor, turn.now, 1)
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
        return None
    rows: list[tuple[Button, ...]] = [
        (Button(msg(f"broadcasts.audience.{a.value}"), f"bc:a:{a.value}"),) for a in _AUDIENCES
    ]
    rows.append((LIST,))
    rows.append((CANCEL,))
    turn.say(msg("broadcasts.ask.audience"), buttons=tuple(rows))
    return _state("audience", {})


async def _choose_audience(turn: Turn, value: str) -> DialogState | None:
    audience = AudienceKind(value)
    if audience is AudienceKind.CENTRE:
        centres = await service.centres(turn.uow, turn.actor, turn.now)
        rows = tuple(
            (Button(msg("broadcasts.choice", name=c.name(turn.locale)), f"bc:ac:{c.id}"),)
            for c in centres[:MAX_CHOICES]
        )
        turn.say(msg("broadcasts.ask.centre"), buttons=(*rows, (CANCEL,)), edit=True)
        return _state("audience", {})
    if audience is AudienceKind.NO_ANSWER:
        notices = await service.open_notices(turn.uow, turn.actor, turn.now)
        if not notices:
            turn.say(msg("broadcasts.no_assemblies"), buttons=((CANCEL,),), edit=True)
            return _state("audience", {})
        rows = tuple(
            (
                Button(
                    msg("broadcasts.choice_when", name=a.title(turn.locale), when=a.starts_at),
                    f"bc:aa:{a.id}",
                ),
            )
            for a in notices[:MAX_CHOICES]
        )
        turn.say(msg("broadcasts.ask.assembly"), buttons=(*rows, (CANCEL,)), edit=True)
        return _state("audience", {})
    return _ask_kind(turn, {"audience": audience.value})


def _ask_kind(turn: Turn, data: dict[str, Any]) -> DialogState:
    rows = tuple((Button(_kind_label(k), f"bc:k:{k.value}"),) for k in BroadcastKind)
    turn.say(msg("broadcasts.ask.kind"), buttons=(*rows, (CANCEL,)), edit=True)
    return _state("kind", data)


def _ask_text(turn: Turn, data: dict[str, Any], language: str) -> DialogState:
    skip = Button(msg("broadcasts.button.no_translation"), "bc:skip")
    turn.say(msg(f"broadcasts.ask.text_{language}"), buttons=((skip,), (CANCEL,)))
    return _state(language, data)


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    data = dict(state.data)
    if state.step in ("ja", "en"):
        # The text as typed, not NFKC-folded: folding would change what members read
        # (①→1, ㈱→(株)); only surrounding spaces go.
        raw = turn.incoming.text.strip()
        try:
            data[state.step] = check_text(raw)
        except InvalidInput as error:
            _error(turn, error)
            return state
        if not raw:
            return _ask_text(turn, data, state.step)
        return await _after_text(turn, data, state.step)
    if state.step == "when":
        return await _on_when(turn, data)
    turn.say(msg("broadcasts.use_buttons"), buttons=((CANCEL,),))
    return state


async def _after_text(turn: Turn, data: dict[str, Any], language: str) -> DialogState | None:
    if language == "ja" and "en" not in data:
        return _ask_text(turn, data, "en")
    return await _preview(turn, data)


async def _preview(turn: Turn, data: dict[str, Any]) -> DialogState | None:
    draft = _draft(data)
    try:
        previews = service.preview(draft)
    except InvalidInput as error:
        _error(turn, error)
        return _ask_text(turn, data, "ja")
    count = await service.audience_count(turn.uow, turn.actor, draft.audience, draft.kind, turn.now)
    header: list[Msg] = [msg("broadcasts.preview.header", count=count.recipients)]
    if count.opted_out:
        header.append(msg("broadcasts.preview.skipped", count=count.opted_out))
    for language in draft.missing:
        header.append(
            msg(
                "broadcasts.preview.missing",
                language=msg(f"broadcasts.language.{language}"),
                other=msg(f"broadcasts.language.{_OTHER[language]}"),
            )
        )
    chat_id = turn.incoming.chat_id
    if chat_id is None:
        return None
    # Each preview is rendered in its readers' language, as the pump will render it, so
    # these go out as notices in that language rather than as replies in the coordinator's.
    turn.notify(chat_id, turn.locale, *header)
    for language, preview in previews.items():
        turn.notify(chat_id, turn.locale, msg(f"broadcasts.preview.as_{language}"))
        turn.notify(chat_id, language, *preview.parts, buttons=preview.buttons)
    turn.notify(
        chat_id,
        turn.locale,
        msg("broadcasts.ask.confirm", count=count.recipients),
        buttons=(
            (Button(msg("broadcasts.button.send_now"), "bc:now"),),
            (Button(msg("broadcasts.button.send_later"), "bc:later"),),
            (
                Button(msg("broadcasts.button.edit_ja"), "bc:eja"),
                Button(msg("broadcasts.button.edit_en"), "bc:een"),
            ),
            (CANCEL,),
        ),
    )
    return _state("confirm", data)


async def _on_when(turn: Turn, data: dict[str, Any]) -> DialogState:
    try:
        when = check_send_at(parse_send_at(turn.text, turn.now, turn.settings.tz), turn.now)
    except InvalidInput as error:
        _error(turn, error)
        return _state("when", data)
    data["send_at"] = when.isoformat()
    draft = _draft(data)
    count = await service.audience_count(turn.uow, turn.actor, draft.audience, draft.kind, turn.now)
    turn.say(
        msg("broadcasts.ask.confirm_at", when=when, count=count.recipients),
        buttons=(
            (Button(msg("broadcasts.button.confirm"), "bc:ok"),),
            (Button(msg("broadcasts.button.other_time"), "bc:later"),),
            (CANCEL,),
        ),
    )
    return _state("confirm_at", data)


async def _create(turn: Turn, data: dict[str, Any], send_at: datetime | None) -> None:
    try:
        broadcast = await service.create(
            turn.uow,
            turn.actor,
            _draft(data),
            now=turn.now,
            send_at=send_at,
            coordinator_chat_id=turn.incoming.chat_id,
        )
    except InvalidInput as error:
        _error(turn, error, buttons=((MENU,),))
        return
    draft = broadcast.draft
    count = await service.audience_count(turn.uow, turn.actor, draft.audience, draft.kind, turn.now)
    if send_at is None:
        turn.say(msg("broadcasts.started", id=broadcast.id, count=count.recipients), edit=True)
    else:
        turn.say(
            msg("broadcasts.scheduled", id=broadcast.id, when=broadcast.send_at),
            buttons=(*service.control_buttons(broadcast), (MENU,)),
            edit=True,
        )


async def _compose_button(
    turn: Turn, state: DialogState, action: str, arg: str
) -> DialogState | None:
    data = dict(state.data)
    if action == "a" and arg in {a.value for a in AudienceKind} and state.step == "audience":
        return await _choose_audience(turn, arg)
    if action in ("ac", "aa") and _is_id(arg) and state.step == "audience":
        key, kind = ("centre", AudienceKind.CENTRE) if action == "ac" else ("assembly", None)
        audience = kind or AudienceKind.NO_ANSWER
        return _ask_kind(turn, {"audience": audience.value, key: int(arg)})
    if action == "k" and arg in {k.value for k in BroadcastKind} and state.step == "kind":
        data["kind"] = arg
        return _ask_text(turn, data, "ja")
    if action == "skip" and state.step in ("ja", "en"):
        data[state.step] = ""
        return await _after_text(turn, data, state.step)
    if action in ("eja", "een") and state.step == "confirm":
        return _ask_text(turn, data, action[1:])
    if action == "now" and state.step == "confirm":
        await _create(turn, data, None)
        return None
    if action == "later" and state.step in ("confirm", "confirm_at"):
        turn.say(msg("broadcasts.ask.when"), buttons=((CANCEL,),))
        return _state("when", data)
    if action == "ok" and state.step == "confirm_at":
        await _create(turn, data, datetime.fromisoformat(data["send_at"]))
        return None
    turn.say(msg("broadcasts.stale"), buttons=((START,), (MENU,)))
    return state


# -- controlling a broadcast -------------------------------------------------------------


async def show_list(turn: Turn) -> None:
    open_ = await service.upcoming(turn.uow, turn.actor, turn.now, LIST_SHOWN)
    if not open_:
        turn.say(msg("broadcasts.list.empty"), buttons=((START,), (MENU,)))
        return
    turn.say(msg("broadcasts.list.title"))
    for broadcast in open_:
        turn.say(_item(turn, broadcast), buttons=service.control_buttons(broadcast))
    turn.say(msg("broadcasts.list.end"), buttons=((START,), (MENU,)))


def _item(turn: Turn, broadcast: Broadcast) -> Msg:
    text = broadcast.draft.text_for(turn.locale)
    short = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
    return msg(
        "broadcasts.list.item",
        id=broadcast.id,
        status=msg(f"broadcasts.status.{broadcast.status.value}"),
        when=broadcast.send_at,
        text=short,
    )


async def _control(turn: Turn, action: str, broadcast_id: int) -> None:
    try:
        if action == "x":
            broadcast = await service.get(turn.uow, turn.actor, broadcast_id, turn.now)
            turn.say(
                msg("broadcasts.ask.cancel", id=broadcast.id),
                buttons=(
                    (
                        Button(msg("broadcasts.button.cancel_yes"), f"bc:xx:{broadcast.id}"),
                        Button(msg("broadcasts.button.keep"), f"bc:v:{broadcast.id}"),
                    ),
                ),
                edit=True,
            )
            return
        if action == "p":
            broadcast = await service.pause(turn.uow, turn.actor, broadcast_id, turn.now)
        elif action == "r":
            broadcast = await service.resume(turn.uow, turn.actor, broadcast_id, turn.now)
        elif action == "xx":
            broadcast = await service.cancel(turn.uow, turn.actor, broadcast_id, turn.now)
        else:
            broadcast = await service.get(turn.uow, turn.actor, broadcast_id, turn.now)
        _, state = await service.progress(turn.uow, turn.actor, broadcast_id, turn.now)
    except PermissionDenied:
        raise
    except DomainError as error:
        turn.toast = msg("broadcasts.toast.refused")
        _error(turn, error, buttons=((LIST,), (MENU,)))
        return
    turn.toast = msg(f"broadcasts.toast.{broadcast.status.value}")
    reply = service.progress_reply(broadcast, state)
    turn.say(*reply.parts, buttons=reply.buttons, edit=True)


# -- the people who receive them ---------------------------------------------------------


async def _prefer(turn: Turn, kind: BroadcastKind, receive: bool) -> None:
    try:
        await service.set_preference(turn.uow, turn.actor, kind, receive, turn.now)
    except DomainError:
        turn.say(msg("broadcasts.error.broadcast_unknown_person"), buttons=((MENU,),))
        return
    if receive:
        turn.toast = msg("broadcasts.optin.done", kind=_kind_label(kind))
        turn.say(msg("broadcasts.optin.done", kind=_kind_label(kind)), buttons=((SETTINGS,),))
        return
    turn.toast = msg("broadcasts.optout.done", kind=_kind_label(kind))
    turn.say(
        msg("broadcasts.optout.done", kind=_kind_label(kind)),
        buttons=(
            (Button(msg("broadcasts.button.receive_again"), f"bc:i:{kind.value}"),),
            (SETTINGS,),
        ),
    )


async def show_settings(turn: Turn, *, edit: bool = False) -> None:
    try:
        choices = await service.preferences(turn.uow, turn.actor)
    except DomainError:
        turn.say(msg("broadcasts.error.broadcast_unknown_person"), buttons=((MENU,),))
        return
    rows = tuple(
        (
            Button(
                msg(
                    "broadcasts.settings.on" if on else "broadcasts.settings.off",
                    kind=_kind_label(k),
                ),
                f"bc:t:{k.value}",
            ),
        )
        for k, on in choices.items()
    )
    turn.say(msg("broadcasts.settings"), buttons=(*rows, (MENU,)), edit=edit)


async def _toggle(turn: Turn, kind: BroadcastKind) -> None:
    try:
        choices = await service.preferences(turn.uow, turn.actor)
        await service.set_preference(turn.uow, turn.actor, kind, not choices[kind], turn.now)
    except DomainError:
        turn.say(msg("broadcasts.error.broadcast_unknown_person"), buttons=((MENU,),))
        return
    await show_settings(turn, edit=True)


# -- routing -----------------------------------------------------------------------------


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


async def on_button(
    turn: Turn, state: DialogState | None, data: str
) -> tuple[bool, DialogState | None]:
    """Handles `bc` buttons; (False, None) for data that is not one of ours (forged)."""
    if data == "bc":
        return True, await start(turn)
    _, _, rest = data.partition(":")
    action, _, arg = rest.partition(":")
    kinds = {k.value for k in BroadcastKind}
    if action in ("o", "i") and arg in kinds:
        await _prefer(turn, BroadcastKind(arg), action == "i")
        return True, state
    if action == "t" and arg in kinds:
        await _toggle(turn, BroadcastKind(arg))
        return True, state
    if rest == "s":
        await show_settings(turn)
        return True, state
    if rest == "l":
        await show_list(turn)
        return True, state
    if action in ("p", "r", "x", "xx", "v") and _is_id(arg):
        await _control(turn, action, int(arg))
        return True, state
    if action in ("a", "ac", "aa", "k", "skip", "now", "later", "ok", "eja", "een"):
        await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise first
        if state is None or state.dialog != NAME:
            # A button of a draft that was finished or cancelled: say so, start afresh.
            turn.say(msg("broadcasts.stale"), buttons=((START,), (MENU,)))
            return True, state
        return True, await _compose_button(turn, state, action, arg)
    return False, None
