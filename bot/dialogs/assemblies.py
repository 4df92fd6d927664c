"""Assembly notices: members read and answer them, staff publish them, count answers, check in.

Callback data (ids only, every press re-authorised by the services):
`asm` list · `asm:o:<id>` one notice · `asm:y:<id>` attending · `asm:n:<id>` not attending ·
`asm:p:<id>` choose a proxy holder · `asm:pc:<id>` proxy to the chair · `asm:pm:<id>:<person>`
proxy to a member · `asm:t:<id>` counts · `asm:c:<id>` check-in list · `asm:ci:<id>:<person>`
check a member in · `asm:new` publish · `asm:ab:<days>` / `asm:q:<n>:<d>` publishing choices ·
`asm:pub` publish the draft.

Publishing is a short typed dialog: title, place, date and time, answer-by date, quorum, agenda,
then a summary to confirm. Its draft lives in the dialog state in SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, MENU
from bot.domain.assemblies import (
    MAX_AGENDA,
    MAX_AHEAD,
    MAX_PLACE,
    MAX_TITLE,
    Quorum,
    Rsvp,
    Tally,
    parse_quorum,
    parse_text,
    parse_when,
    split_bilingual,
)
from bot.domain.coop import Assembly, NewAssembly
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.replies import Button, Msg, msg
from bot.services import assemblies as service

NAME = "asm_publish"
ASSEMBLIES = Button(msg("button.assemblies"), "asm")
STEPS = ("title", "place", "when", "answer_by", "quorum", "agenda", "confirm")
ANSWER_BY_CHOICES = (7, 3)
QUORUM_CHOICES = (Quorum(1, 2), Quorum(2, 3))
MAX_PROXY_BUTTONS = 30


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


async def show(turn: Turn) -> None:
    views = await service.notices(turn.uow, turn.actor, turn.now)
    parts: list[Msg] = [msg("asm.title")]
    rows: list[tuple[Button, ...]] = []
    for view in views:
        a = view.assembly
        parts.append(_item(turn, a))
        if view.may_answer:
            parts.append(_your_answer(view))
        rows.append((Button(msg("asm.open_button", title=a.title(turn.locale)), f"asm:o:{a.id}"),))
    if not views:
        parts.append(msg("asm.none"))
    if turn.actor.is_staff:
        rows.append((Button(msg("asm.new_button"), "asm:new"),))
    turn.say(*parts, buttons=(*rows, (MENU,)))


async def show_one(turn: Turn, assembly_id: int, before: tuple[Msg, ...] = ()) -> None:
    view = await service.notice(turn.uow, turn.actor, assembly_id, turn.now)
    a = view.assembly
    parts = [*before, _item(turn, a), msg("asm.quorum", quorum=str(a.quorum))]
    if a.agenda(turn.locale):
        parts.append(msg("asm.agenda", agenda=a.agenda(turn.locale)))
    rows: list[tuple[Button, ...]] = []
    if view.may_answer:
        parts.append(_your_answer(view))
        if a.is_open(turn.now):
            rows += [
                (Button(msg("asm.button.attending"), f"asm:y:{a.id}"),),
                (Button(msg("asm.button.absent"), f"asm:n:{a.id}"),),
                (Button(msg("asm.button.proxy"), f"asm:p:{a.id}"),),
            ]
        else:
            parts.append(msg("asm.closed", answer_by=a.answer_by))
    if turn.actor.is_staff:
        rows += [
            (Button(msg("asm.button.count"), f"asm:t:{a.id}"),),
            (Button(msg("asm.button.check_in"), f"asm:c:{a.id}"),),
        ]
    turn.say(*parts, buttons=(*rows, (ASSEMBLIES,), (MENU,)))


async def _answer(turn: Turn, assembly_id: int, rsvp: Rsvp, proxy_to: int | None = None) -> None:
    try:
        await service.answer(turn.uow, turn.actor, assembly_id, rsvp, turn.now, proxy_to)
    except DomainError as error:
        if error.code != "answer_closed":
            raise
        turn.toast = msg("asm.closed_toast")
        await show_one(turn, assembly_id, (msg("asm.closed_refused"),))
        return
    turn.toast = msg("asm.thanks")
    await show_one(turn, assembly_id, (msg("asm.thanks"),))


async def choose_proxy(turn: Turn, assembly_id: int) -> None:
    assembly, people = await service.proxy_candidates(turn.uow, turn.actor, assembly_id, turn.now)
    rows = [(Button(msg("asm.button.proxy_chair"), f"asm:pc:{assembly.id}"),)]
    rows += [
        (Button(msg("asm.button.proxy_to", name=p.display_name), f"asm:pm:{assembly.id}:{p.id}"),)
        for p in people[:MAX_PROXY_BUTTONS]
    ]
    turn.say(
        msg("asm.proxy_ask", title=assembly.title(turn.locale)),
        buttons=(*rows, (Button(msg("asm.button.back"), f"asm:o:{assembly.id}"),), (MENU,)),
    )


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


async def show_count(turn: Turn, assembly_id: int) -> None:
    count = await service.count(turn.uow, turn.actor, assembly_id, turn.now)
    turn.say(
        *_count_parts(turn, count),
        buttons=(
            (Button(msg("asm.button.refresh"), f"asm:t:{assembly_id}"),),
            (Button(msg("asm.button.check_in"), f"asm:c:{assembly_id}"),),
            (ASSEMBLIES,),
            (MENU,),
        ),
    )


def _check_in_rows(count: service.Count) -> list[tuple[Button, ...]]:
    aid = count.assembly.id
    return [
        (Button(msg("asm.button.check_in_person", name=p.display_name), f"asm:ci:{aid}:{p.id}"),)
        for p in count.not_checked_in
    ]


async def show_check_in(turn: Turn, assembly_id: int) -> None:
    count = await service.count(turn.uow, turn.actor, assembly_id, turn.now)
    turn.say(
        msg("asm.checkin.title", title=count.assembly.title(turn.locale)),
        _met(count.tally),
        buttons=(*_check_in_rows(count), (ASSEMBLIES,), (MENU,)),
    )


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
    turn.say(
        msg("asm.checkin.done", name=member.display_name),
        _met(count.tally),
        buttons=(*_check_in_rows(count), (ASSEMBLIES,), (MENU,)),
    )


# Publishing: a short dialog for staff.


def start_publish(turn: Turn) -> DialogState | None:
    if not turn.actor.is_staff:
        raise PermissionDenied("assemblies.refused")
    turn.say(msg("asm.new.title"), buttons=((CANCEL,),))
    return DialogState(NAME, "title", {})


def _ask(turn: Turn, step: str, data: dict[str, object]) -> DialogState:
    buttons: tuple[tuple[Button, ...], ...] = ((CANCEL,),)
    if step == "answer_by":
        buttons = (
            tuple(
                Button(msg("asm.new.days_before", days=d), f"asm:ab:{d}") for d in ANSWER_BY_CHOICES
            ),
            (CANCEL,),
        )
    if step == "quorum":
        buttons = (
            tuple(
                Button(
                    msg("asm.new.quorum_choice", quorum=str(q)),
                    f"asm:q:{q.numerator}:{q.denominator}",
                )
                for q in QUORUM_CHOICES
            ),
            (CANCEL,),
        )
    turn.say(msg(f"asm.new.{step}"), buttons=buttons)
    return DialogState(NAME, step, data)


def _draft(data: dict[str, object]) -> NewAssembly:
    title_ja, title_en = split_bilingual(str(data["title"]))
    place_ja, place_en = split_bilingual(str(data["place"]))
    agenda = str(data["agenda"])
    return NewAssembly(
        title_ja=title_ja,
        title_en=title_en,
        starts_at=datetime.fromisoformat(str(data["when"])),
        place_ja=place_ja,
        place_en=place_en,
        answer_by=datetime.fromisoformat(str(data["answer_by"])),
        agenda_ja=agenda,
        agenda_en=agenda,
        quorum=parse_quorum(str(data["quorum"])),
    )


def _confirm(turn: Turn, data: dict[str, object]) -> DialogState:
    draft = _draft(data)
    turn.say(
        msg("asm.new.confirm"),
        msg(
            "asm.item",
            title=draft.title_ja if turn.locale == "ja" else draft.title_en,
            when=draft.starts_at,
            place=draft.place_ja if turn.locale == "ja" else draft.place_en,
            answer_by=draft.answer_by,
        ),
        msg("asm.quorum", quorum=str(draft.quorum)),
        msg("asm.agenda", agenda=draft.agenda_ja),
        buttons=((Button(msg("asm.new.publish_button"), "asm:pub"),), (CANCEL,)),
    )
    return DialogState(NAME, "confirm", data)


def _next(turn: Turn, state: DialogState, value: str) -> DialogState:
    data = {**state.data, state.step: value}
    following = STEPS[STEPS.index(state.step) + 1]
    if following == "confirm":
        return _confirm(turn, data)
    return _ask(turn, following, data)


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    """A typed field of the draft; a mistake is explained and the same field asked again."""
    if not turn.actor.is_staff:
        return None
    tz = turn.settings.tz
    try:
        if state.step in ("title", "place"):
            limit = MAX_TITLE if state.step == "title" else MAX_PLACE
            return _next(turn, state, parse_text(turn.text, limit))
        if state.step == "when":
            when = parse_when(turn.text, tz)
            if when <= turn.now:
                raise InvalidInput("when_past")
            if when > turn.now + MAX_AHEAD:
                raise InvalidInput("when_too_far")
            return _next(turn, state, when.isoformat())
        if state.step == "answer_by":
            return _answer_by(turn, state, parse_when(turn.text, tz, end_of_day=True))
        if state.step == "quorum":
            return _next(turn, state, str(parse_quorum(turn.text)))
        if state.step == "agenda":
            return _next(turn, state, parse_text(turn.text, MAX_AGENDA))
    except InvalidInput as error:
        turn.say(msg(f"asm.error.{error.code}", **error.details), buttons=((CANCEL,),))
        return state
    turn.say(msg("asm.new.use_buttons"), buttons=((CANCEL,),))
    return state


def _answer_by(turn: Turn, state: DialogState, answer_by: datetime) -> DialogState:
    starts_at = datetime.fromisoformat(str(state.data["when"]))
    if answer_by > starts_at:
        raise InvalidInput("answer_by_after_start")
    if answer_by <= turn.now:
        raise InvalidInput("answer_by_past")
    return _next(turn, state, answer_by.isoformat())


async def on_button(turn: Turn, state: DialogState | None, arg: str) -> DialogState | None:
    """`arg` is the callback data after `asm:`. Returns the new dialog state."""
    action, _, rest = arg.partition(":")
    ids = rest.split(":") if rest else []
    if not all(_is_id(i) for i in ids):
        return await _unknown(turn, state)
    numbers = [int(i) for i in ids]
    publishing = state is not None and state.dialog == NAME
    if action == "new" and not numbers:
        return start_publish(turn)
    if publishing and state is not None and action in ("ab", "q", "pub"):
        return await _publish_button(turn, state, action, numbers)
    if len(numbers) == 1:
        (aid,) = numbers
        if action == "o":
            await show_one(turn, aid)
            return None
        if action in ("y", "n"):
            await _answer(turn, aid, Rsvp.ATTENDING if action == "y" else Rsvp.ABSENT)
            return None
        if action == "p":
            await choose_proxy(turn, aid)
            return None
        if action == "pc":
            await _answer(turn, aid, Rsvp.PROXY)
            return None
        if action == "t":
            await show_count(turn, aid)
            return None
        if action == "c":
            await show_check_in(turn, aid)
            return None
    if len(numbers) == 2:
        aid, person_id = numbers
        if action == "pm":
            await _answer(turn, aid, Rsvp.PROXY, person_id)
            return None
        if action == "ci":
            await check_in(turn, aid, person_id)
            return None
    return await _unknown(turn, state)


async def _publish_button(
    turn: Turn, state: DialogState, action: str, numbers: list[int]
) -> DialogState | None:
    if not turn.actor.is_staff:
        raise PermissionDenied("assemblies.refused")
    try:
        if (
            action == "ab"
            and state.step == "answer_by"
            and numbers
            and numbers[0] in ANSWER_BY_CHOICES
        ):
            starts_at = datetime.fromisoformat(str(state.data["when"]))
            return _answer_by(turn, state, starts_at - timedelta(days=numbers[0]))
        if action == "q" and state.step == "quorum" and len(numbers) == 2:
            quorum = Quorum(*numbers) if 0 < numbers[0] <= numbers[1] <= 100 else None
            if quorum in QUORUM_CHOICES:
                return _next(turn, state, str(quorum))
        if action == "pub" and state.step == "confirm":
            assembly = await service.publish(
                turn.uow,
                turn.actor,
                _draft(state.data),
                turn.now,
                turn.settings.assembly_reminders,
            )
            await show_one(turn, assembly.id, (msg("asm.new.published"),))
            return None
    except InvalidInput as error:
        turn.say(msg(f"asm.error.{error.code}", **error.details), buttons=((CANCEL,),))
        return state
    return await _unknown(turn, state)


async def _unknown(turn: Turn, state: DialogState | None) -> DialogState | None:
    await turn.uow.audit.add(
        turn.now, turn.actor.person_id, "callback.unknown", f"chat:{turn.incoming.chat_id}"
    )
    turn.toast = msg("button.invalid")
    turn.say(msg("button.invalid"), buttons=((MENU,),))
    return state


def _is_id(text: str) -> bool:
    """ASCII digits that fit a 64-bit id: anything else in callback data is forged."""
    return text.isascii() and text.isdigit() and len(text) <= 18
