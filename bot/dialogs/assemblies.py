"""Assembly notices: members read and answer them, staff publish them, count answers, check in.

Buttons are typed callback data carrying ids only (`asm:o:3`, `asm:pm:3:12`), every press
re-authorised by the services. The notices, one notice, the answers, the proxy holders, counts
and check-in work from any message; the publishing buttons (answer-by, quorum, publish) only at
the step of the draft that shows them.

Publishing is a short typed dialog: title, its English (or "Same as Japanese"), place, its
English (or the same), date and time, answer-by date, quorum, agenda, the agenda in English (or
"Japanese only"), then a summary to confirm. A title or place typed as `日本語 / English` gives
both, and its English step is skipped. Every step has Back, to the step before with what was
entered kept and shown, and a step already filled in offers "Keep as is". Its draft lives in the
dialog state in SQL.

A proxy holder told of a proxy (bot/notices/assemblies.py) may decline it here; the giver is
asked again from their notice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from bot.dialogs.confirm import Undoable, undo_hint, undo_row, undoable
from bot.dialogs.engine import Turn
from bot.dialogs.menus import ASSEMBLIES, CANCEL, MENU, AssemblyNotices, Buttons, OpenAssembly
from bot.dialogs.registry import Dialog, ForgedButton, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.assemblies import (
    MAX_AGENDA,
    MAX_AHEAD,
    MAX_PLACE,
    MAX_PROXIES_HELD,
    MAX_TITLE,
    Quorum,
    Rsvp,
    Tally,
    agenda_in,
    parse_quorum,
    parse_text,
    parse_when,
    split_bilingual,
)
from bot.domain.callbacks import CallbackData
from bot.domain.coop import Assembly, NewAssembly, pick
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.replies import Button, Msg, msg
from bot.domain.undo import UndoKind
from bot.services import access
from bot.services import assemblies as service

NAME = "asm_publish"
STEPS = (
    "title",
    "title_en",
    "place",
    "place_en",
    "when",
    "answer_by",
    "quorum",
    "agenda",
    "agenda_en",
    "confirm",
)
# The English of a title or place: asked unless it was typed with the Japanese (`日本語 / English`).
ENGLISH_OF = {"title_en": "title", "place_en": "place"}
ANSWER_BY_CHOICES = (7, 3)
QUORUM_CHOICES = (Quorum(1, 2), Quorum(2, 3))
MAX_PROXY_BUTTONS = 30
# Publishing is for staff: anyone else is refused, and the attempt audited as this.
PUBLISH_REFUSED = "assemblies.refused"

T = TypeVar("T")


# State ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PublishDraft(DialogData):
    """A notice being written by staff, as far as they have got."""

    title: str | None = None  # `日本語 / English`, or the Japanese alone
    title_en: str | None = None  # "" when it is the same as the Japanese
    place: str | None = None
    place_en: str | None = None
    when: datetime | None = None
    answer_by: datetime | None = None
    quorum: str | None = None  # as `parse_quorum` reads it: `2/3`
    agenda: str | None = None
    agenda_en: str | None = None  # "" when the agenda is in Japanese only


DIALOG = Dialog(NAME, prefixes=("asm",), state=StateCodec(NAME, PublishDraft), steps=STEPS)
DIALOGS = (DIALOG,)


# Buttons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attend(CallbackData, tag="asm:y"):
    assembly_id: int


@dataclass(frozen=True)
class Absent(CallbackData, tag="asm:n"):
    assembly_id: int


@dataclass(frozen=True)
class ChooseProxy(CallbackData, tag="asm:p"):
    assembly_id: int


@dataclass(frozen=True)
class ProxyToChair(CallbackData, tag="asm:pc"):
    assembly_id: int


@dataclass(frozen=True)
class ProxyTo(CallbackData, tag="asm:pm"):
    assembly_id: int
    person_id: int


@dataclass(frozen=True)
class Counts(CallbackData, tag="asm:t"):
    assembly_id: int


@dataclass(frozen=True)
class CheckInList(CallbackData, tag="asm:c"):
    assembly_id: int


@dataclass(frozen=True)
class CheckIn(CallbackData, tag="asm:ci"):
    assembly_id: int
    person_id: int


@dataclass(frozen=True)
class NewNotice(CallbackData, tag="asm:new"):
    pass


@dataclass(frozen=True)
class AnswerBy(CallbackData, tag="asm:ab"):
    days_before: int


@dataclass(frozen=True)
class PickQuorum(CallbackData, tag="asm:q"):
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Publish(CallbackData, tag="asm:pub"):
    pass


@dataclass(frozen=True)
class BackStep(CallbackData, tag="asm:bk"):
    """Back from the publishing step `step` (its index in STEPS) to the one before."""

    step: int


@dataclass(frozen=True)
class KeepStep(CallbackData, tag="asm:kp"):
    """Keep what the publishing step `step` (its index in STEPS) already holds, and go on."""

    step: int


@dataclass(frozen=True)
class JapaneseOnly(CallbackData, tag="asm:jo"):
    """No English agenda: English readers get the Japanese one, with a note."""


@dataclass(frozen=True)
class SameAsJapanese(CallbackData, tag="asm:sj"):
    """The English title or place (the step `step`, its index in STEPS) is the Japanese one."""

    step: int


@dataclass(frozen=True)
class DeclineProxy(CallbackData, tag="asm:pd"):
    """The proxy holder declines the proxy `giver_id` gave them."""

    assembly_id: int
    giver_id: int


def _known(value: T | None) -> T:
    """A field the step needs; a draft without it is a screen of another time."""
    if value is None:
        raise StaleScreen()
    return value


# Reading and answering -------------------------------------------------------------------


def _item(turn: Turn, a: Assembly) -> Msg:
    return msg(
        "asm.item",
        title=a.title(turn.locale),
        when=a.starts_at,
        place=a.place(turn.locale),
        answer_by=a.answer_by,
    )


def _your_answer(view: service.NoticeView) -> Msg:
    if view.answer is None:
        return msg("asm.yours.none")
    if view.answer.rsvp is Rsvp.PROXY:
        if view.proxy_name is None:
            return msg("asm.yours.proxy_chair")
        return msg("asm.yours.proxy", name=view.proxy_name)
    return msg(f"asm.yours.{view.answer.rsvp}")


@DIALOG.button(AssemblyNotices)
async def _notices_pressed(turn: Turn, _: AssemblyNotices, state: DialogState | None) -> Next:
    await show(turn)
    return None


async def show(turn: Turn) -> None:
    views = await service.notices(turn.uow, turn.actor, turn.now)
    parts: list[Msg] = [msg("asm.title")]
    rows: list[tuple[Button, ...]] = []
    for view in views:
        a = view.assembly
        parts.append(_item(turn, a))
        if view.may_answer:
            parts.append(_your_answer(view))
        label = msg("asm.open_button", title=a.title(turn.locale))
        rows.append((Button(label, OpenAssembly(a.id)),))
    if not views:
        parts.append(msg("asm.none"))
    if turn.actor.is_staff:
        rows.append((Button(msg("asm.new_button"), NewNotice()),))
    turn.say(*parts, buttons=(*rows, (MENU,)))


@DIALOG.button(OpenAssembly)
async def _open_pressed(turn: Turn, pressed: OpenAssembly, state: DialogState | None) -> Next:
    await show_one(turn, pressed.assembly_id)
    return None


async def show_one(turn: Turn, assembly_id: int, before: tuple[Msg, ...] = ()) -> None:
    view = await service.notice(turn.uow, turn.actor, assembly_id, turn.now)
    a = view.assembly
    parts = [*before, _item(turn, a), msg("asm.quorum", quorum=str(a.quorum))]
    agenda, japanese_only = agenda_in(turn.locale, a.agenda_ja, a.agenda_en)
    if agenda:
        parts.append(msg("asm.agenda_ja_only" if japanese_only else "asm.agenda", agenda=agenda))
    rows: list[tuple[Button, ...]] = []
    if view.may_answer:
        parts.append(_your_answer(view))
        if a.is_open(turn.now):
            rows += [
                (Button(msg("asm.button.attending"), Attend(a.id)),),
                (Button(msg("asm.button.absent"), Absent(a.id)),),
                (Button(msg("asm.button.proxy"), ChooseProxy(a.id)),),
            ]
        else:
            parts.append(msg("asm.closed", answer_by=a.answer_by))
    if turn.actor.is_staff:
        rows += [
            (Button(msg("asm.button.count"), Counts(a.id)),),
            (Button(msg("asm.button.check_in"), CheckInList(a.id)),),
        ]
    turn.say(*parts, buttons=(*rows, (ASSEMBLIES,), (MENU,)))


async def _answer(turn: Turn, assembly_id: int, rsvp: Rsvp, proxy_to: int | None = None) -> None:
    try:
        await service.answer(turn.uow, turn.actor, assembly_id, rsvp, turn.now, proxy_to)
    except DomainError as error:
        if error.code == "proxy_holder_full":  # a proxy more would count for nothing
            await choose_proxy(turn, assembly_id, (msg("asm.proxy_full", **error.details),))
            return
        if error.code != "answer_closed":
            raise
        turn.toast = msg("asm.closed_toast")
        await show_one(turn, assembly_id, (msg("asm.closed_refused"),))
        return
    turn.toast = msg("asm.thanks")
    await show_one(turn, assembly_id, (msg("asm.thanks"),))


@DIALOG.button(Attend)
async def _attend(turn: Turn, pressed: Attend, state: DialogState | None) -> Next:
    await _answer(turn, pressed.assembly_id, Rsvp.ATTENDING)
    return None


@DIALOG.button(Absent)
async def _absent(turn: Turn, pressed: Absent, state: DialogState | None) -> Next:
    await _answer(turn, pressed.assembly_id, Rsvp.ABSENT)
    return None


@DIALOG.button(ProxyToChair)
async def _proxy_to_chair(turn: Turn, pressed: ProxyToChair, state: DialogState | None) -> Next:
    await _answer(turn, pressed.assembly_id, Rsvp.PROXY)
    return None


@DIALOG.button(ProxyTo)
async def _proxy_to(turn: Turn, pressed: ProxyTo, state: DialogState | None) -> Next:
    await _answer(turn, pressed.assembly_id, Rsvp.PROXY, pressed.person_id)
    return None


@DIALOG.button(ChooseProxy)
async def _choose_proxy(turn: Turn, pressed: ChooseProxy, state: DialogState | None) -> Next:
    await choose_proxy(turn, pressed.assembly_id)
    return None


async def choose_proxy(turn: Turn, assembly_id: int, before: tuple[Msg, ...] = ()) -> None:
    assembly, people = await service.proxy_candidates(turn.uow, turn.actor, assembly_id, turn.now)
    rows = [(Button(msg("asm.button.proxy_chair"), ProxyToChair(assembly.id)),)]
    rows += [
        (Button(msg("asm.button.proxy_to", name=p.display_name), ProxyTo(assembly.id, p.id)),)
        for p in people[:MAX_PROXY_BUTTONS]
    ]
    back = Button(msg("asm.button.back"), OpenAssembly(assembly.id))
    turn.say(
        *before,
        msg("asm.proxy_ask", title=assembly.title(turn.locale)),
        buttons=(*rows, (back,), (MENU,)),
    )


@DIALOG.button(DeclineProxy)
async def _decline_pressed(turn: Turn, pressed: DeclineProxy, state: DialogState | None) -> Next:
    giver = await service.decline_proxy(
        turn.uow, turn.actor, pressed.assembly_id, pressed.giver_id, turn.now
    )
    open_it = Button(msg("rem.asm.open_button"), OpenAssembly(pressed.assembly_id))
    if giver is None:
        turn.say(msg("asm.decline.nothing"), buttons=((open_it,), (MENU,)))
        return None
    turn.toast = msg("asm.decline.done", name=giver.display_name)
    turn.say(msg("asm.decline.done", name=giver.display_name), buttons=((open_it,), (MENU,)))
    return None


# Counting and checking in (staff) ---------------------------------------------------------


def _count_parts(turn: Turn, count: service.Count) -> list[Msg]:
    t = count.tally
    a = count.assembly
    parts = [
        msg(
            "asm.count",
            title=a.title(turn.locale),
            entitled=t.entitled,
            quorum=str(a.quorum),
            required=t.required,
            attending=t.attending,
            proxies=t.proxies,
            absent=t.absent,
            no_answer=t.no_answer,
            expected=t.expected,
        ),
        msg("asm.count.expected" if t.quorum_expected else "asm.count.not_expected"),
    ]
    if count.not_answered:
        names = "\n".join(p.display_name for p in count.not_answered)
        parts.append(msg("asm.count.not_answered", names=names))
    for giver, why in count.unusable:
        parts.append(
            msg(f"asm.count.unusable.{why}", name=giver.display_name, max=MAX_PROXIES_HELD)
        )
    if t.present:
        parts.append(_met(t))
    return parts


def _met(t: Tally) -> Msg:
    key = "asm.checkin.met" if t.quorum_met else "asm.checkin.not_met"
    return msg(
        key,
        present=t.present,
        proxies=t.proxies_valid,
        counted=t.counted,
        required=t.required,
    )


@DIALOG.button(Counts)
async def _counts_pressed(turn: Turn, pressed: Counts, state: DialogState | None) -> Next:
    await show_count(turn, pressed.assembly_id)
    return None


async def show_count(turn: Turn, assembly_id: int) -> None:
    count = await service.count(turn.uow, turn.actor, assembly_id, turn.now)
    turn.say(
        *_count_parts(turn, count),
        buttons=(
            (Button(msg("asm.button.refresh"), Counts(assembly_id)),),
            (Button(msg("asm.button.check_in"), CheckInList(assembly_id)),),
            (ASSEMBLIES,),
            (MENU,),
        ),
    )


def _check_in_rows(count: service.Count) -> list[tuple[Button, ...]]:
    aid = count.assembly.id
    return [
        (Button(msg("asm.button.check_in_person", name=p.display_name), CheckIn(aid, p.id)),)
        for p in count.not_checked_in
    ]


@DIALOG.button(CheckInList)
async def _check_in_list(turn: Turn, pressed: CheckInList, state: DialogState | None) -> Next:
    await show_check_in(turn, pressed.assembly_id)
    return None


async def show_check_in(turn: Turn, assembly_id: int) -> None:
    count = await service.count(turn.uow, turn.actor, assembly_id, turn.now)
    turn.say(
        msg("asm.checkin.title", title=count.assembly.title(turn.locale)),
        _met(count.tally),
        buttons=(*_check_in_rows(count), (ASSEMBLIES,), (MENU,)),
    )


@DIALOG.button(CheckIn)
async def _check_in_pressed(turn: Turn, pressed: CheckIn, state: DialogState | None) -> Next:
    await check_in(turn, pressed.assembly_id, pressed.person_id)
    return None


async def check_in(turn: Turn, assembly_id: int, person_id: int) -> None:
    try:
        count, member = await service.check_in(
            turn.uow, turn.actor, assembly_id, person_id, turn.now, turn.settings.tz
        )
    except DomainError as error:
        if error.code != "check_in_not_today":
            raise
        turn.say(msg("asm.checkin.not_today", day=error.details["day"]), buttons=((MENU,),))
        return
    turn.toast = msg("asm.checkin.done", name=member.display_name)
    # Done at once (it tells nobody), with an Undo for a wrong name (bot/dialogs/confirm.py).
    turn.say(
        msg("asm.checkin.done", name=member.display_name),
        _met(count.tally),
        undo_hint(),
        buttons=(
            undo_row(UndoKind.CHECK_IN, assembly_id, member.id),
            *_check_in_rows(count),
            (ASSEMBLIES,),
            (MENU,),
        ),
    )


async def _undo_check_in(turn: Turn, assembly_id: int, person_id: int) -> tuple[Msg, ...]:
    count, member = await service.undo_check_in(
        turn.uow, turn.actor, assembly_id, person_id, turn.now
    )
    return (msg("undo.check_in.undone", name=member.display_name), _met(count.tally))


async def _check_in_refused(turn: Turn, _: int, error: DomainError) -> None:
    raise error  # only refusals (PermissionDenied) reach here: "too late" is the mechanism's


undoable(
    Undoable(
        UndoKind.CHECK_IN,
        undo=_undo_check_in,
        refused=_check_in_refused,
        back=((ASSEMBLIES,), (MENU,)),
    )
)


# Publishing: a short dialog for staff -----------------------------------------------------


@DIALOG.button(NewNotice)
async def _new_pressed(turn: Turn, _: NewNotice, state: DialogState | None) -> Next:
    return await start_publish(turn)


async def start_publish(turn: Turn) -> PublishDraft:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    return _ask(turn, PublishDraft(step="title"), "title")


def _entered(draft: PublishDraft, step: str) -> Msg | None:
    """What the step already holds, shown when it is asked again (after Back)."""
    if step in ("when", "answer_by"):
        moment = draft.when if step == "when" else draft.answer_by
        return None if moment is None else msg("asm.new.entered_time", when=moment)
    if step == "agenda_en" and draft.agenda_en == "":
        return msg("asm.new.entered_ja_only")
    if step in ENGLISH_OF and getattr(draft, step) == "":
        return msg("asm.new.entered_same")
    text = {
        "title": draft.title,
        "title_en": draft.title_en,
        "place": draft.place,
        "place_en": draft.place_en,
        "quorum": draft.quorum,
        "agenda": draft.agenda,
        "agenda_en": draft.agenda_en,
    }.get(step)
    return None if text is None else msg("asm.new.entered", value=text)


def _back_row(step: str) -> tuple[Button, ...]:
    return (Button(msg("asm.button.back"), BackStep(STEPS.index(step))),)


def _ask(turn: Turn, draft: PublishDraft, step: str) -> PublishDraft:
    choices: tuple[Button, ...] = ()
    if step == "answer_by":
        choices = tuple(
            Button(msg("asm.new.days_before", days=d), AnswerBy(d)) for d in ANSWER_BY_CHOICES
        )
    if step == "quorum":
        choices = tuple(
            Button(
                msg("asm.new.quorum_choice", quorum=str(q)),
                PickQuorum(q.numerator, q.denominator),
            )
            for q in QUORUM_CHOICES
        )
    if step == "agenda_en":
        choices = (Button(msg("asm.new.ja_only_button"), JapaneseOnly()),)
    if step in ENGLISH_OF:
        choices = (Button(msg("asm.new.same_button"), SameAsJapanese(STEPS.index(step))),)
    parts = [msg(f"asm.new.{step}")]
    rows: list[tuple[Button, ...]] = [choices] if choices else []
    entered = _entered(draft, step)
    if entered is not None:
        parts.append(entered)
        rows.append((Button(msg("asm.new.keep_button"), KeepStep(STEPS.index(step))),))
    buttons: Buttons = (*rows, _back_row(step), (CANCEL,))
    turn.say(*parts, buttons=buttons)
    return replace(draft, step=step)


def _typed_both(text: str | None) -> bool:
    """Whether a title or place was typed as `日本語 / English`."""
    return text is not None and len(set(split_bilingual(text))) == 2


def _asked(draft: PublishDraft, step: str) -> bool:
    """An English step is skipped when its Japanese was typed with the English."""
    return step not in ENGLISH_OF or not _typed_both(getattr(draft, ENGLISH_OF[step]))


def _both(typed: str | None, english: str | None) -> tuple[str, str]:
    """The Japanese and English of a title or place; no English (None: a draft from before the
    English steps, "": "Same as Japanese") is the Japanese."""
    ja, en = split_bilingual(_known(typed))
    if _typed_both(typed) or not english:
        return ja, en
    return ja, english


def _notice(draft: PublishDraft) -> NewAssembly:
    """The draft as the notice to publish; a draft missing a field is out of date."""
    title_ja, title_en = _both(draft.title, draft.title_en)
    place_ja, place_en = _both(draft.place, draft.place_en)
    return NewAssembly(
        title_ja=title_ja,
        title_en=title_en,
        starts_at=_known(draft.when),
        place_ja=place_ja,
        place_en=place_en,
        answer_by=_known(draft.answer_by),
        agenda_ja=_known(draft.agenda),
        agenda_en=_known(draft.agenda_en),
        quorum=parse_quorum(_known(draft.quorum)),
    )


def _confirm(turn: Turn, draft: PublishDraft) -> PublishDraft:
    notice = _notice(draft)
    turn.say(
        msg("asm.new.confirm"),
        msg(
            "asm.item",
            title=pick(turn.locale, notice.title_ja, notice.title_en),
            when=notice.starts_at,
            place=pick(turn.locale, notice.place_ja, notice.place_en),
            answer_by=notice.answer_by,
        ),
        msg("asm.new.english_shown", title=notice.title_en, place=notice.place_en),
        msg("asm.quorum", quorum=str(notice.quorum)),
        msg("asm.agenda", agenda=notice.agenda_ja),
        msg("asm.new.agenda_en_shown", agenda=notice.agenda_en)
        if notice.agenda_en
        else msg("asm.new.no_english_agenda"),
        buttons=(
            (Button(msg("asm.new.publish_button"), Publish()),),
            _back_row("confirm"),
            (CANCEL,),
        ),
    )
    return replace(draft, step="confirm")


def _next(turn: Turn, draft: PublishDraft) -> PublishDraft:
    """The step after the one just filled in, asked."""
    following = STEPS[STEPS.index(draft.step) + 1]
    while not _asked(draft, following):
        following = STEPS[STEPS.index(following) + 1]
    if following == "confirm":
        return _confirm(turn, draft)
    return _ask(turn, draft, following)


@DIALOG.text
async def on_text(turn: Turn, draft: PublishDraft) -> Next:
    """A typed field of the draft; a mistake is explained and the same field asked again."""
    # A draft outlives a role taken away.
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    tz = turn.settings.tz
    try:
        if draft.step == "title":
            return _next(turn, replace(draft, title=parse_text(turn.text, MAX_TITLE)))
        if draft.step == "title_en":
            return _next(turn, replace(draft, title_en=parse_text(turn.text, MAX_TITLE)))
        if draft.step == "place":
            return _next(turn, replace(draft, place=parse_text(turn.text, MAX_PLACE)))
        if draft.step == "place_en":
            return _next(turn, replace(draft, place_en=parse_text(turn.text, MAX_PLACE)))
        if draft.step == "when":
            when = parse_when(turn.text, tz)
            if when <= turn.now:
                raise InvalidInput("when_past")
            if when > turn.now + MAX_AHEAD:
                raise InvalidInput("when_too_far")
            return _next(turn, replace(draft, when=when))
        if draft.step == "answer_by":
            return _answer_by(turn, draft, parse_when(turn.text, tz, end_of_day=True))
        if draft.step == "quorum":
            return _next(turn, replace(draft, quorum=str(parse_quorum(turn.text))))
        if draft.step == "agenda":
            return _next(turn, replace(draft, agenda=parse_text(turn.text, MAX_AGENDA)))
        if draft.step == "agenda_en":
            return _next(turn, replace(draft, agenda_en=parse_text(turn.text, MAX_AGENDA)))
    except InvalidInput as error:
        _error(turn, error, draft)
        return draft
    turn.say(msg("asm.new.use_buttons"), buttons=(_back_row(draft.step), (CANCEL,)))
    return draft


def _error(turn: Turn, error: DomainError, draft: PublishDraft) -> None:
    turn.say(
        msg(f"asm.error.{error.code}", **error.details),
        buttons=(_back_row(draft.step), (CANCEL,)),
    )


def _pressed_step(draft: PublishDraft, index: int) -> str:
    """The step a Back or Keep button was shown at; a button of another step is out of date."""
    if not 0 <= index < len(STEPS) or STEPS[index] != draft.step:
        raise StaleScreen()
    return draft.step


@DIALOG.button(BackStep, steps=STEPS)
async def _back_pressed(turn: Turn, pressed: BackStep, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    step = _pressed_step(draft, pressed.step)
    if step == STEPS[0]:
        await show(turn)
        return None
    before = STEPS[STEPS.index(step) - 1]
    while not _asked(draft, before):
        before = STEPS[STEPS.index(before) - 1]
    return _ask(turn, draft, before)


@DIALOG.button(KeepStep, steps=STEPS[:-1])
async def _keep_pressed(turn: Turn, pressed: KeepStep, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    step = _pressed_step(draft, pressed.step)
    if _entered(draft, step) is None:
        raise StaleScreen()
    try:
        if step == "answer_by":  # the date may have changed since
            return _answer_by(turn, draft, _known(draft.answer_by))
        return _next(turn, draft)
    except InvalidInput as error:
        _error(turn, error, draft)
        return draft


@DIALOG.button(SameAsJapanese, steps=tuple(ENGLISH_OF))
async def _same_pressed(turn: Turn, pressed: SameAsJapanese, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    if _pressed_step(draft, pressed.step) == "title_en":
        return _next(turn, replace(draft, title_en=""))
    return _next(turn, replace(draft, place_en=""))


@DIALOG.button(JapaneseOnly, steps=("agenda_en",))
async def _japanese_only_pressed(turn: Turn, _: JapaneseOnly, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    return _next(turn, replace(draft, agenda_en=""))


def _answer_by(turn: Turn, draft: PublishDraft, answer_by: datetime) -> PublishDraft:
    if answer_by > _known(draft.when):
        raise InvalidInput("answer_by_after_start")
    if answer_by <= turn.now:
        raise InvalidInput("answer_by_past")
    return _next(turn, replace(draft, answer_by=answer_by))


@DIALOG.button(AnswerBy, steps=("answer_by",))
async def _answer_by_pressed(turn: Turn, pressed: AnswerBy, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    if pressed.days_before not in ANSWER_BY_CHOICES:
        raise ForgedButton()
    try:
        return _answer_by(turn, draft, _known(draft.when) - timedelta(days=pressed.days_before))
    except InvalidInput as error:
        _error(turn, error, draft)
        return draft


@DIALOG.button(PickQuorum, steps=("quorum",))
async def _quorum_pressed(turn: Turn, pressed: PickQuorum, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    offered = {(q.numerator, q.denominator): q for q in QUORUM_CHOICES}
    quorum = offered.get((pressed.numerator, pressed.denominator))
    if quorum is None:
        raise ForgedButton()
    return _next(turn, replace(draft, quorum=str(quorum)))


@DIALOG.button(Publish, steps=("confirm",))
async def _publish_pressed(turn: Turn, _: Publish, draft: PublishDraft) -> Next:
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    try:
        assembly = await service.publish(
            turn.uow,
            turn.actor,
            _notice(draft),
            turn.now,
            turn.settings.assembly_reminders,
        )
    except InvalidInput as error:
        _error(turn, error, draft)
        return draft
    await show_one(turn, assembly.id, (msg("asm.new.published"),))
    return None


@DIALOG.resumes
async def _resume(turn: Turn, draft: PublishDraft) -> Next:
    """After a stale press: the step the draft is at, asked again."""
    await access.require_staff(turn.uow, turn.actor, turn.now, refused=PUBLISH_REFUSED)
    if draft.step == "confirm" and draft.agenda_en is None:  # a draft from before that step
        return _ask(turn, draft, "agenda_en")
    if draft.step == "confirm":
        return _confirm(turn, draft)
    if not _asked(draft, draft.step):  # its Japanese was retyped with the English since
        return _next(turn, draft)
    return _ask(turn, draft, draft.step)
