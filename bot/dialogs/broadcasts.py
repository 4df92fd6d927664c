"""Broadcasts in Telegram: a coordinator composes and controls them; anyone can opt out.

Composing (`/broadcast` or the staff menu): audience -> kind -> Japanese text -> English text
-> preview (exactly what readers of each language get, the recipient count, a warning for a
missing language) -> send now, or at a typed date and time. The draft is the dialog's typed
state; its buttons work only at the steps that show them, so a button of a finished or
abandoned draft is answered as out of date and sends nothing.

Buttons are typed callback data (ids and codes only; every press is re-authorised by the
services): `bc` start · `bc:a:<audience>` · `bc:ac:<centre>` · `bc:aa:<assembly>` ·
`bc:k:<kind>` · `bc:skip` no text in this language · `bc:now` · `bc:later` · `bc:ok` confirm
the time · `bc:eja` / `bc:een` edit a language · `bc:l` open broadcasts · `bc:p|r|x:<id>` pause,
resume, cancel (`bc:xx:<id>` confirms, `bc:v:<id>` keeps it) · `bc:o:<kind>` stop these
messages · `bc:i:<kind>` receive them again · `bc:s` message settings · `bc:t:<kind>` switch a
kind on or off.

What each recipient reads (`message_for`) and the coordinator's progress message
(`progress_reply`) are composed here, where their buttons are; bot/notices/broadcasts.py queues
them as the pump and its events ask.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from bot.dialogs.confirm import Undoable, undo_hint, undo_row, undoable
from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, MENU, Buttons, StartBroadcast
from bot.dialogs.reach import contact_parts
from bot.dialogs.registry import Dialog, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.broadcasts import (
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Draft,
    Progress,
    check_send_at,
    check_text,
    parse_send_at,
)
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, Reply, msg
from bot.domain.undo import UNDO_WINDOW, UndoKind
from bot.ports.store import UnitOfWork
from bot.services import broadcasts as service
from bot.services import line_quota

NAME = "broadcast"
MAX_CHOICES = 20  # centres or notices offered as buttons
LIST_SHOWN = 10
PREVIEW_CHARS = 60  # of each broadcast's text in the list

T = TypeVar("T")

_AUDIENCES = (
    AudienceKind.MEMBERS,
    AudienceKind.CENTRE,
    AudienceKind.VOLUNTEERS,
    AudienceKind.NO_ANSWER,
    AudienceKind.OPTED_IN,
)
_OTHER = {"ja": "en", "en": "ja"}


# State ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BroadcastDraft(DialogData):
    """A broadcast being composed, as far as the coordinator has got. A text is None until its
    language was asked, "" when skipped."""

    audience: AudienceKind | None = None
    centre_id: int | None = None  # the CENTRE audience's centre
    assembly_id: int | None = None  # the NO_ANSWER audience's notice
    kind: BroadcastKind | None = None
    text_ja: str | None = None
    text_en: str | None = None
    send_at: datetime | None = None  # the time typed for "send later", to be confirmed


STEPS = ("audience", "kind", "ja", "en", "confirm", "when", "confirm_at")
DIALOG = Dialog(NAME, prefixes=("bc",), state=StateCodec(NAME, BroadcastDraft), steps=STEPS)
DIALOGS = (DIALOG,)


# Buttons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChooseAudience(CallbackData, tag="bc:a"):
    audience: AudienceKind


@dataclass(frozen=True)
class ChooseCentre(CallbackData, tag="bc:ac"):
    centre_id: int


@dataclass(frozen=True)
class ChooseNotice(CallbackData, tag="bc:aa"):
    assembly_id: int


@dataclass(frozen=True)
class ChooseKind(CallbackData, tag="bc:k"):
    kind: BroadcastKind


@dataclass(frozen=True)
class SkipLanguage(CallbackData, tag="bc:skip"):
    pass


@dataclass(frozen=True)
class SendNow(CallbackData, tag="bc:now"):
    pass


@dataclass(frozen=True)
class SendLater(CallbackData, tag="bc:later"):
    pass


@dataclass(frozen=True)
class ConfirmTime(CallbackData, tag="bc:ok"):
    pass


@dataclass(frozen=True)
class EditJapanese(CallbackData, tag="bc:eja"):
    pass


@dataclass(frozen=True)
class EditEnglish(CallbackData, tag="bc:een"):
    pass


@dataclass(frozen=True)
class OpenList(CallbackData, tag="bc:l"):
    pass


@dataclass(frozen=True)
class Pause(CallbackData, tag="bc:p"):
    broadcast_id: int


@dataclass(frozen=True)
class Resume(CallbackData, tag="bc:r"):
    broadcast_id: int


@dataclass(frozen=True)
class AskCancel(CallbackData, tag="bc:x"):
    broadcast_id: int


@dataclass(frozen=True)
class ConfirmCancel(CallbackData, tag="bc:xx"):
    broadcast_id: int


@dataclass(frozen=True)
class Keep(CallbackData, tag="bc:v"):
    broadcast_id: int


@dataclass(frozen=True)
class StopKind(CallbackData, tag="bc:o"):
    """On every broadcast message: stop receiving this kind."""

    kind: BroadcastKind


@dataclass(frozen=True)
class ReceiveKind(CallbackData, tag="bc:i"):
    kind: BroadcastKind


@dataclass(frozen=True)
class Settings(CallbackData, tag="bc:s"):
    pass


@dataclass(frozen=True)
class ToggleKind(CallbackData, tag="bc:t"):
    kind: BroadcastKind


START = Button(msg("broadcasts.button.menu"), StartBroadcast())
LIST = Button(msg("broadcasts.button.list"), OpenList())
SETTINGS = Button(msg("broadcasts.button.settings"), Settings())


# What readers and the coordinator get -------------------------------------------------------


def message_for(draft: Draft, locale: str) -> Reply:
    """A broadcast exactly as one reader gets it: the text in their language (never blank) and
    a button to stop messages of this kind."""
    return Reply(
        parts=(service.message(draft, locale),),
        buttons=((Button(msg("broadcasts.button.stop"), StopKind(draft.kind)),),),
    )


def progress_reply(broadcast: Broadcast, state: Progress) -> Reply:
    """The progress message: counts, expected finish, and the buttons that still apply. A
    cancelled one says what was sent and what never will be (and what was on its way)."""
    if broadcast.status is BroadcastStatus.CANCELLED:
        cancelled: list[Msg] = [
            msg(
                "broadcasts.progress.cancelled",
                id=broadcast.id,
                sent=state.sent,
                failed=state.failed,
                not_sent=state.not_sent,
            )
        ]
        if state.pending:
            cancelled.append(msg("broadcasts.progress.on_the_way", count=state.pending))
        return Reply(parts=tuple(cancelled), buttons=control_buttons(broadcast))
    parts: list[Msg] = [
        msg(
            "broadcasts.progress",
            id=broadcast.id,
            status=msg(f"broadcasts.status.{broadcast.status.value}"),
            sent=state.sent,
            failed=state.failed,
            remaining=state.remaining,
        )
    ]
    if state.finish_at is not None and broadcast.status is BroadcastStatus.RUNNING:
        parts.append(msg("broadcasts.progress.finish", when=state.finish_at))
    return Reply(parts=tuple(parts), buttons=control_buttons(broadcast))


def control_buttons(broadcast: Broadcast) -> Buttons:
    bid = broadcast.id
    if broadcast.status in (BroadcastStatus.RUNNING, BroadcastStatus.SCHEDULED):
        return (
            (
                Button(msg("broadcasts.button.pause"), Pause(bid)),
                Button(msg("broadcasts.button.cancel"), AskCancel(bid)),
            ),
        )
    if broadcast.status is BroadcastStatus.PAUSED:
        return (
            (
                Button(msg("broadcasts.button.resume"), Resume(bid)),
                Button(msg("broadcasts.button.cancel"), AskCancel(bid)),
            ),
        )
    return ()


# Helpers ----------------------------------------------------------------------------------


def _error(turn: Turn, error: DomainError, buttons: Buttons = ((CANCEL,),)) -> None:
    details = dict(error.details)
    if "status" in details:
        details["status"] = msg(f"broadcasts.status.{details['status']}")
    turn.say(msg(f"broadcasts.error.{error.code}", **details), buttons=buttons)


def _kind_label(kind: BroadcastKind) -> Msg:
    return msg(f"broadcasts.kind.{kind.value}")


def _known(value: T | None) -> T:
    """A field the step needs; a draft without it is a screen of another time."""
    if value is None:
        raise StaleScreen()
    return value


def _draft(state: BroadcastDraft) -> Draft:
    """The composed broadcast; a draft that cannot be one (a state of another time) is stale."""
    try:
        audience = Audience(
            _known(state.audience), centre_id=state.centre_id, assembly_id=state.assembly_id
        )
    except InvalidInput:
        raise StaleScreen() from None
    return Draft(audience, _known(state.kind), state.text_ja or "", state.text_en or "")


# Composing --------------------------------------------------------------------------------


@DIALOG.command("broadcast")
async def _command(turn: Turn, state: DialogState | None) -> Next:
    return await start(turn)


@DIALOG.button(StartBroadcast)
async def _start_pressed(turn: Turn, _: StartBroadcast, state: DialogState | None) -> Next:
    return await start(turn)


async def start(turn: Turn) -> BroadcastDraft | None:
    """The coordinator's first step: who receives it. Anyone else is refused (and audited)."""
    try:
        await service.upcoming(turn.uow, turn.actor, turn.now, 1)
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
        return None
    return _ask_audience(turn)


def _ask_audience(turn: Turn) -> BroadcastDraft:
    rows: list[tuple[Button, ...]] = [
        (Button(msg(f"broadcasts.audience.{a.value}"), ChooseAudience(a)),) for a in _AUDIENCES
    ]
    rows.append((LIST,))
    rows.append((CANCEL,))
    turn.say(msg("broadcasts.ask.audience"), buttons=tuple(rows))
    return BroadcastDraft(step="audience")


@DIALOG.button(ChooseAudience, steps=("audience",))
async def _audience_chosen(turn: Turn, pressed: ChooseAudience, draft: BroadcastDraft) -> Next:
    audience = pressed.audience
    if audience is AudienceKind.CENTRE:
        centres = await service.centres(turn.uow, turn.actor, turn.now)
        rows = tuple(
            (Button(msg("broadcasts.choice", name=c.name(turn.locale)), ChooseCentre(c.id)),)
            for c in centres[:MAX_CHOICES]
        )
        turn.say(msg("broadcasts.ask.centre"), buttons=(*rows, (CANCEL,)), edit=True)
        return BroadcastDraft(step="audience")
    if audience is AudienceKind.NO_ANSWER:
        notices = await service.open_notices(turn.uow, turn.actor, turn.now)
        if not notices:
            turn.say(msg("broadcasts.no_assemblies"), buttons=((CANCEL,),), edit=True)
            return BroadcastDraft(step="audience")
        rows = tuple(
            (
                Button(
                    msg("broadcasts.choice_when", name=a.title(turn.locale), when=a.starts_at),
                    ChooseNotice(a.id),
                ),
            )
            for a in notices[:MAX_CHOICES]
        )
        turn.say(msg("broadcasts.ask.assembly"), buttons=(*rows, (CANCEL,)), edit=True)
        return BroadcastDraft(step="audience")
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    return _ask_kind(turn, BroadcastDraft(step="kind", audience=audience))


@DIALOG.button(ChooseCentre, steps=("audience",))
async def _centre_chosen(turn: Turn, pressed: ChooseCentre, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    chosen = BroadcastDraft(step="kind", audience=AudienceKind.CENTRE, centre_id=pressed.centre_id)
    return _ask_kind(turn, chosen)


@DIALOG.button(ChooseNotice, steps=("audience",))
async def _notice_chosen(turn: Turn, pressed: ChooseNotice, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    chosen = BroadcastDraft(
        step="kind", audience=AudienceKind.NO_ANSWER, assembly_id=pressed.assembly_id
    )
    return _ask_kind(turn, chosen)


def _ask_kind(turn: Turn, draft: BroadcastDraft) -> BroadcastDraft:
    rows = tuple((Button(_kind_label(k), ChooseKind(k)),) for k in BroadcastKind)
    turn.say(msg("broadcasts.ask.kind"), buttons=(*rows, (CANCEL,)), edit=True)
    return replace(draft, step="kind")


@DIALOG.button(ChooseKind, steps=("kind",))
async def _kind_chosen(turn: Turn, pressed: ChooseKind, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    return _ask_text(turn, replace(draft, kind=pressed.kind), "ja")


def _ask_text(turn: Turn, draft: BroadcastDraft, language: str) -> BroadcastDraft:
    skip = Button(msg("broadcasts.button.no_translation"), SkipLanguage())
    turn.say(msg(f"broadcasts.ask.text_{language}"), buttons=((skip,), (CANCEL,)))
    return replace(draft, step=language)


def _with_text(draft: BroadcastDraft, text: str) -> BroadcastDraft:
    if draft.step == "ja":
        return replace(draft, text_ja=text)
    return replace(draft, text_en=text)


@DIALOG.button(SkipLanguage, steps=("ja", "en"))
async def _skipped(turn: Turn, _: SkipLanguage, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    return await _after_text(turn, _with_text(draft, ""))


@DIALOG.text
async def on_text(turn: Turn, draft: BroadcastDraft) -> Next:
    if draft.step in ("ja", "en"):
        # The text as typed, not NFKC-folded: folding would change what members read
        # (①→1, ㈱→(株)); only surrounding spaces go.
        raw = turn.incoming.text.strip()
        try:
            text = check_text(raw)
        except InvalidInput as error:
            _error(turn, error)
            return draft
        if not raw:
            return _ask_text(turn, draft, draft.step)
        return await _after_text(turn, _with_text(draft, text))
    if draft.step == "when":
        return await _on_when(turn, draft)
    turn.say(msg("broadcasts.use_buttons"), buttons=((CANCEL,),))
    return draft


async def _after_text(turn: Turn, draft: BroadcastDraft) -> Next:
    if draft.step == "ja" and draft.text_en is None:
        return _ask_text(turn, draft, "en")
    return await _preview(turn, draft)


async def _preview(turn: Turn, state: BroadcastDraft) -> Next:
    draft = _draft(state)
    try:
        service.preview(draft)
    except InvalidInput as error:
        _error(turn, error)
        return _ask_text(turn, state, "ja")
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
    cost = await _line_cost(turn, draft)  # LINE's monthly messages (bot/services/line_quota.py)
    if cost is not None:
        header.extend(line_quota.cost_lines(cost))
    chat_id = turn.incoming.chat_id
    if chat_id is None:
        return None
    # Each preview is rendered in its readers' language, as the pump will render it, so
    # these go to the coordinator's own chat in that language rather than as replies in theirs.
    turn.notify(chat_id, turn.locale, *header)
    for language in service.LANGUAGES:
        preview = message_for(draft, language)
        turn.notify(chat_id, turn.locale, msg(f"broadcasts.preview.as_{language}"))
        turn.notify(chat_id, language, *preview.parts, buttons=preview.buttons)
    edits = (
        Button(msg("broadcasts.button.edit_ja"), EditJapanese()),
        Button(msg("broadcasts.button.edit_en"), EditEnglish()),
    )
    if cost is not None and cost.too_many:
        # Not sendable this month: fewer people (another audience), or nothing.
        narrow = Button(msg("line.button.narrow"), StartBroadcast())
        turn.notify(chat_id, turn.locale, msg("line.quota.choose"), buttons=((narrow,), (CANCEL,)))
        return replace(state, step="confirm")
    turn.notify(
        chat_id,
        turn.locale,
        msg("broadcasts.ask.confirm", count=count.recipients),
        # Sending waits for the undo window (bot/domain/undo.py): said before, not after.
        msg("undo.broadcast.ask_hint", minutes=int(UNDO_WINDOW.total_seconds() // 60)),
        buttons=(
            (Button(msg("broadcasts.button.send_now"), SendNow()),),
            (Button(msg("broadcasts.button.send_later"), SendLater()),),
            edits,
            (CANCEL,),
        ),
    )
    return replace(state, step="confirm")


async def _line_cost(turn: Turn, draft: Draft) -> line_quota.LineCost | None:
    return await line_quota.line_cost(
        turn.uow, turn.actor, draft.audience, draft.kind, turn.now, turn.settings.line_quota
    )


@DIALOG.button(EditJapanese, steps=("confirm",))
async def _edit_ja(turn: Turn, _: EditJapanese, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    return _ask_text(turn, draft, "ja")


@DIALOG.button(EditEnglish, steps=("confirm",))
async def _edit_en(turn: Turn, _: EditEnglish, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    return _ask_text(turn, draft, "en")


@DIALOG.button(SendNow, steps=("confirm",))
async def _send_now(turn: Turn, _: SendNow, draft: BroadcastDraft) -> Next:
    await _create(turn, draft, None)
    return None


@DIALOG.button(SendLater, steps=("confirm", "confirm_at"))
async def _send_later(turn: Turn, _: SendLater, draft: BroadcastDraft) -> Next:
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    return _ask_when(turn, draft)


def _ask_when(turn: Turn, draft: BroadcastDraft) -> BroadcastDraft:
    turn.say(msg("broadcasts.ask.when"), buttons=((CANCEL,),))
    return replace(draft, step="when")


async def _on_when(turn: Turn, draft: BroadcastDraft) -> Next:
    try:
        when = check_send_at(parse_send_at(turn.text, turn.now, turn.settings.tz), turn.now)
    except InvalidInput as error:
        _error(turn, error)
        return draft
    return await _confirm_at(turn, replace(draft, send_at=when))


async def _confirm_at(turn: Turn, state: BroadcastDraft) -> Next:
    when, draft = _known(state.send_at), _draft(state)
    count = await service.audience_count(turn.uow, turn.actor, draft.audience, draft.kind, turn.now)
    turn.say(
        msg("broadcasts.ask.confirm_at", when=when, count=count.recipients),
        buttons=(
            (Button(msg("broadcasts.button.confirm"), ConfirmTime()),),
            (Button(msg("broadcasts.button.other_time"), SendLater()),),
            (CANCEL,),
        ),
    )
    return replace(state, step="confirm_at")


@DIALOG.button(ConfirmTime, steps=("confirm_at",))
async def _time_confirmed(turn: Turn, _: ConfirmTime, draft: BroadcastDraft) -> Next:
    await _create(turn, draft, _known(draft.send_at))
    return None


async def _create(turn: Turn, state: BroadcastDraft, send_at: datetime | None) -> None:
    cost = await _line_cost(turn, _draft(state))
    if cost is not None and cost.too_many:  # the month's messages went meanwhile: not started
        narrow = Button(msg("line.button.narrow"), StartBroadcast())
        turn.say(*line_quota.cost_lines(cost), buttons=((narrow,), (CANCEL,)), edit=True)
        return
    try:
        if send_at is None:
            broadcast = await service.send_now(
                turn.uow,
                turn.actor,
                _draft(state),
                now=turn.now,
                coordinator_chat_id=turn.incoming.chat_id,
            )
        else:
            broadcast = await service.create(
                turn.uow,
                turn.actor,
                _draft(state),
                now=turn.now,
                send_at=send_at,
                coordinator_chat_id=turn.incoming.chat_id,
            )
    except PermissionDenied:
        raise
    except DomainError as error:
        _error(turn, error, buttons=((MENU,),))
        return
    draft = broadcast.draft
    count = await service.audience_count(turn.uow, turn.actor, draft.audience, draft.kind, turn.now)
    if send_at is None:
        # Nobody receives anything before the undo window is over: Undo stops it for good.
        turn.say(
            msg("undo.broadcast.held", id=broadcast.id, count=count.recipients),
            undo_hint(),
            buttons=(undo_row(UndoKind.BROADCAST_SEND, broadcast.id), (LIST,), (MENU,)),
            edit=True,
        )
    else:
        turn.say(
            msg("broadcasts.scheduled", id=broadcast.id, when=broadcast.send_at),
            buttons=(*control_buttons(broadcast), (MENU,)),
            edit=True,
        )


@DIALOG.resumes
async def _resume(turn: Turn, draft: BroadcastDraft) -> Next:
    """After a stale press: the step the draft is at, asked again."""
    await service.upcoming(turn.uow, turn.actor, turn.now, 1)  # re-authorise
    if draft.step == "audience":
        return _ask_audience(turn)
    if draft.step == "kind":
        _known(draft.audience)
        return _ask_kind(turn, draft)
    if draft.step in ("ja", "en"):
        _known(draft.kind)
        return _ask_text(turn, draft, draft.step)
    if draft.step == "confirm":
        return await _preview(turn, draft)
    if draft.step == "when":
        return _ask_when(turn, draft)
    return await _confirm_at(turn, draft)


# Controlling a broadcast ------------------------------------------------------------------


@DIALOG.button(OpenList)
async def _list_pressed(turn: Turn, _: OpenList, state: DialogState | None) -> Next:
    await show_list(turn)
    return state


async def show_list(turn: Turn) -> None:
    open_ = await service.upcoming(turn.uow, turn.actor, turn.now, LIST_SHOWN)
    if not open_:
        turn.say(msg("broadcasts.list.empty"), buttons=((START,), (MENU,)))
        return
    turn.say(msg("broadcasts.list.title"))
    for broadcast in open_:
        turn.say(_item(turn, broadcast), buttons=control_buttons(broadcast))
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


@DIALOG.button(AskCancel)
async def _cancel_asked(turn: Turn, pressed: AskCancel, state: DialogState | None) -> Next:
    try:
        # On the progress message, the question holds its progress edits until answered.
        broadcast = await service.ask_cancel(
            turn.uow, turn.actor, pressed.broadcast_id, turn.now, turn.incoming.message_id
        )
    except PermissionDenied:
        raise
    except DomainError as error:
        _refused(turn, error)
        return state
    turn.say(
        msg("broadcasts.ask.cancel", id=broadcast.id),
        buttons=(
            (
                Button(msg("broadcasts.button.cancel_yes"), ConfirmCancel(broadcast.id)),
                Button(msg("broadcasts.button.keep"), Keep(broadcast.id)),
            ),
        ),
        edit=True,
    )
    return state


@DIALOG.button(Pause)
async def _pause(turn: Turn, pressed: Pause, state: DialogState | None) -> Next:
    await _control(turn, service.pause, pressed.broadcast_id)
    return state


@DIALOG.button(Resume)
async def _resume_sending(turn: Turn, pressed: Resume, state: DialogState | None) -> Next:
    await _control(turn, service.resume, pressed.broadcast_id)
    return state


@DIALOG.button(ConfirmCancel)
async def _cancel(turn: Turn, pressed: ConfirmCancel, state: DialogState | None) -> Next:
    await _control(turn, service.cancel, pressed.broadcast_id)
    return state


@DIALOG.button(Keep)
async def _keep(turn: Turn, pressed: Keep, state: DialogState | None) -> Next:
    await _control(turn, service.keep, pressed.broadcast_id)
    return state


async def _undo_send(turn: Turn, broadcast_id: int, _: int) -> tuple[Msg, ...]:
    await service.undo_send(turn.uow, turn.actor, broadcast_id, turn.now)
    return (msg("undo.broadcast.undone", id=broadcast_id),)


async def _undo_refused(turn: Turn, _: int, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    _refused(turn, error)


undoable(
    Undoable(
        UndoKind.BROADCAST_SEND, undo=_undo_send, refused=_undo_refused, back=((LIST,), (MENU,))
    )
)


def _refused(turn: Turn, error: DomainError) -> None:
    turn.toast = msg("broadcasts.toast.refused")
    _error(turn, error, buttons=((LIST,), (MENU,)))


Control = Callable[[UnitOfWork, Actor, int, datetime], Awaitable[Broadcast]]


async def _control(turn: Turn, action: Control, broadcast_id: int) -> None:
    """Pause, resume, cancel or just show one broadcast: its progress message, edited."""
    try:
        broadcast = await action(turn.uow, turn.actor, broadcast_id, turn.now)
        _, state = await service.progress(turn.uow, turn.actor, broadcast_id, turn.now)
    except PermissionDenied:
        raise
    except DomainError as error:
        _refused(turn, error)
        return
    turn.toast = msg(f"broadcasts.toast.{broadcast.status.value}")
    reply = progress_reply(broadcast, state)
    turn.say(*reply.parts, buttons=reply.buttons, edit=True)


# The people who receive them ------------------------------------------------------------


@DIALOG.button(StopKind)
async def _stop_pressed(turn: Turn, pressed: StopKind, state: DialogState | None) -> Next:
    await _prefer(turn, pressed.kind, receive=False)
    return state


@DIALOG.button(ReceiveKind)
async def _receive_pressed(turn: Turn, pressed: ReceiveKind, state: DialogState | None) -> Next:
    await _prefer(turn, pressed.kind, receive=True)
    return state


async def _prefer(turn: Turn, kind: BroadcastKind, *, receive: bool) -> None:
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
            (Button(msg("broadcasts.button.receive_again"), ReceiveKind(kind)),),
            (SETTINGS,),
        ),
    )


@DIALOG.command("notifications")
async def _settings_command(turn: Turn, state: DialogState | None) -> Next:
    await show_settings(turn)
    return state


@DIALOG.button(Settings)
async def _settings_pressed(turn: Turn, _: Settings, state: DialogState | None) -> Next:
    await show_settings(turn)
    return state


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
                ToggleKind(k),
            ),
        )
        for k, on in choices.items()
    )
    turn.say(msg("broadcasts.settings"), buttons=(*rows, (MENU,)), edit=edit)


@DIALOG.button(ToggleKind)
async def _toggle(turn: Turn, pressed: ToggleKind, state: DialogState | None) -> Next:
    try:
        choices = await service.preferences(turn.uow, turn.actor)
        await service.set_preference(
            turn.uow, turn.actor, pressed.kind, not choices[pressed.kind], turn.now
        )
    except DomainError:
        turn.say(msg("broadcasts.error.broadcast_unknown_person"), buttons=((MENU,),))
        return state
    await show_settings(turn, edit=True)
    return state
