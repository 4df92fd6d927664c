"""The resident's service request dialog, `/requests`, and answering a staff question.

One step at a time, buttons wherever possible: category, kind, for whom, preferred days (toggle
buttons for the coming two weeks, or "flexible"), time of day, area, then the purpose of use and
consent, then address, phone and details as text, and a summary to send, fix a field or cancel.
Consent comes before anything personal is typed: an address, a phone number or a care need is
never held, not even in a draft, without it.
Every step has Back. What was entered is kept as a draft for a day, so a resident who leaves
(the menu, /cancel, or silence) is offered to continue; the Cancel button discards it. A voice
note or photo where text was expected is kept for staff to listen to, so nobody who cannot type
is shut out. Nothing reaches staff before "send", and nothing is stored as a request without
consent.

Buttons are typed callback data (`rq:cat:elderly_care`, `rq:d:20261124`, `rq:c:17`); the
dialog's buttons work only at the steps that show them. The state is `RequestData`, and the
day-long draft is the same typed state, stored by the requests repository.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, MENU, MyRequests, StartRequest, main_menu
from bot.dialogs.reach import contact_parts
from bot.dialogs.registry import Dialog, ForgedButton, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Actor, Role
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import (
    ADDRESS_LIMIT,
    ANSWER_LIMIT,
    DAYS_AHEAD,
    DETAILS_LIMIT,
    KINDS,
    ForWhom,
    RequestForm,
    ServiceCategory,
    ServiceKind,
    ServiceRequest,
    TimeWindow,
    check_days,
    check_text,
    parse_phone,
)
from bot.services import requests as service
from bot.services.people import add_role, ensure_person

NAME = "request"
ANSWER = "request_answer"
Buttons = tuple[tuple[Button, ...], ...]

# The order of the steps; Back goes to the one before.
STEPS = ("cat", "kind", "whom", "days", "window", "area", "consent", "address", "phone", "details")
ALL_STEPS = (*STEPS, "summary", "fix")
TEXT_STEPS = frozenset({"address", "phone", "details"})
MAX_VOICE_NOTES = 10


# State ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RequestData(DialogData):
    """The request as far as the resident has got; the draft kept for a day holds the same."""

    cat: ServiceCategory | None = None
    kind: ServiceKind | None = None
    whom: ForWhom | None = None
    days: tuple[date, ...] = ()  # none: flexible
    window: TimeWindow | None = None
    area: str | None = None  # a ServiceArea code
    consent: bool = False
    address: str | None = None
    phone: str | None = None
    details: str | None = None
    voice: tuple[str, ...] = ()  # voice notes and photos sent instead of typing, for staff
    fixing: bool = False  # one field is being fixed: its step leads back to the summary


@dataclass(frozen=True, kw_only=True)
class AnswerData(DialogData):
    """The resident pressed Answer under a staff question: the answer is typed (or spoken) next."""

    request_id: int


CODEC = StateCodec(NAME, RequestData)
DIALOG = Dialog(NAME, prefixes=("rq", "svc"), state=CODEC, steps=ALL_STEPS)
ANSWER_DIALOG = Dialog(ANSWER, state=StateCodec(ANSWER, AnswerData), steps=("text",))
DIALOGS = (DIALOG, ANSWER_DIALOG)


def _to_draft(data: RequestData) -> dict[str, object]:
    """The typed state as the requests repository keeps a draft: its stored form and its step."""
    return {**CODEC.dump(data).data, "step": data.step}


def from_draft(stored: Mapping[str, object] | None) -> RequestData | None:
    """A kept draft as typed state; None for none, or for one this dialog cannot continue.

    A draft saved before drafts carried a version has the same fields: it is read as version 1.
    """
    if stored is None:
        return None
    step = stored.get("step")
    if not isinstance(step, str) or step not in ALL_STEPS:
        return None
    return CODEC.load(DialogState(NAME, step, {"v": CODEC.version, **stored}))


# Buttons ----------------------------------------------------------------------------------


class Field(StrEnum):
    """A field of the summary that can be fixed."""

    KIND = "kind"
    WHOM = "whom"
    DAYS = "days"
    WINDOW = "window"
    AREA = "area"
    ADDRESS = "address"
    PHONE = "phone"
    DETAILS = "details"


@dataclass(frozen=True)
class PickCategory(CallbackData, tag="rq:cat"):
    category: ServiceCategory


@dataclass(frozen=True)
class PickKind(CallbackData, tag="rq:k"):
    kind: ServiceKind


@dataclass(frozen=True)
class PickWhom(CallbackData, tag="rq:w"):
    whom: ForWhom


@dataclass(frozen=True)
class PickDay(CallbackData, tag="rq:d"):
    """A preferred day, on or off."""

    day: date


@dataclass(frozen=True)
class AnyDay(CallbackData, tag="rq:d:any"):
    """Flexible: any day."""


@dataclass(frozen=True)
class DaysChosen(CallbackData, tag="rq:d:ok"):
    pass


@dataclass(frozen=True)
class PickWindow(CallbackData, tag="rq:t"):
    window: TimeWindow


@dataclass(frozen=True)
class PickArea(CallbackData, tag="rq:a"):
    area: str


@dataclass(frozen=True)
class ConsentYes(CallbackData, tag="rq:ok:yes"):
    pass


@dataclass(frozen=True)
class ConsentNo(CallbackData, tag="rq:ok:no"):
    pass


@dataclass(frozen=True)
class NoDetails(CallbackData, tag="rq:skip"):
    pass


@dataclass(frozen=True)
class Send(CallbackData, tag="rq:send"):
    pass


@dataclass(frozen=True)
class Fix(CallbackData, tag="rq:fix"):
    pass


@dataclass(frozen=True)
class FixField(CallbackData, tag="rq:f"):
    field: Field


@dataclass(frozen=True)
class FixNothing(CallbackData, tag="rq:f:summary"):
    """Back from the list of fields to the summary."""


@dataclass(frozen=True)
class Back(CallbackData, tag="rq:back"):
    pass


@dataclass(frozen=True)
class Discard(CallbackData, tag="rq:x"):
    pass


@dataclass(frozen=True)
class ResumeDraft(CallbackData, tag="rq:resume"):
    pass


@dataclass(frozen=True)
class Restart(CallbackData, tag="rq:new"):
    pass


@dataclass(frozen=True)
class CancelRequest(CallbackData, tag="rq:c"):
    request_id: int


@dataclass(frozen=True)
class CancelConfirmed(CallbackData, tag="rq:cy"):
    request_id: int


@dataclass(frozen=True)
class AnswerQuestion(CallbackData, tag="rq:ans"):
    request_id: int


BACK = Button(msg("button.back"), Back())
DISCARD = Button(msg("requests.button.cancel"), Discard())
MY_REQUESTS = Button(msg("requests.button.my_requests"), MyRequests())


def _nav(*rows: tuple[Button, ...]) -> Buttons:
    return (*rows, (BACK, DISCARD))


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.settings.tz).date()


def _area_name(turn: Turn, code: str | None) -> str:
    area = next((a for a in turn.settings.service_areas if a.code == code), None)
    return area.name(turn.locale) if area else code or "—"


def _category(data: RequestData) -> ServiceCategory:
    return data.cat or ServiceCategory.ELDERLY_CARE


# --- Opening ----------------------------------------------------------------------------------


@DIALOG.button(StartRequest)
async def _start_pressed(turn: Turn, _: StartRequest, state: DialogState | None) -> Next:
    return await start(turn)


async def start(turn: Turn) -> RequestData | None:
    """'I'd like a service': the person becomes a resident; a recent draft is offered again."""
    await _become_resident(turn)
    if await _load_draft(turn) is not None:
        turn.say(
            msg("requests.draft_offer"),
            buttons=(
                (Button(msg("requests.button.resume"), ResumeDraft()),),
                (Button(msg("requests.button.restart"), Restart()),),
                (MENU,),
            ),
        )
        return None
    return await _go(turn, "cat", RequestData(step="cat"))


async def _become_resident(turn: Turn) -> None:
    person = await ensure_person(turn.uow, turn.incoming, turn.now)
    await add_role(turn.uow, person, Role.RESIDENT, turn.now)
    turn.actor = Actor(person.id, person.roles | {Role.RESIDENT}, turn.locale)


async def _load_draft(turn: Turn) -> RequestData | None:
    return from_draft(await service.load_draft(turn.uow, turn.actor, turn.now))


async def _go(turn: Turn, step: str, data: RequestData, *, edit: bool = False) -> RequestData:
    """Asks `step`, remembers it in the draft, and returns the state that waits for it."""
    ask = _ASK.get(step)
    if ask is None:
        raise StaleScreen()  # a step this dialog does not have (a hand-edited state)
    data = replace(data, step=step)
    ask(turn, data, edit)
    await service.save_draft(turn.uow, turn.actor, _to_draft(data), turn.now)
    return data


def _after(step: str, data: RequestData) -> str:
    """The next step; while fixing one field, straight back to the summary."""
    if data.fixing:
        return "summary"
    return STEPS[STEPS.index(step) + 1] if step in STEPS[:-1] else "summary"


@DIALOG.button(ResumeDraft)
async def _resume_draft(turn: Turn, _: ResumeDraft, state: DialogState | None) -> Next:
    if CODEC.load(state) is not None:
        raise StaleScreen()  # the dialog is going on: the offer is over
    await _become_resident(turn)  # whoever presses this is known from here on
    draft = await _load_draft(turn)
    if draft is not None:
        return await _go(turn, draft.step, draft)
    turn.say(msg("requests.draft_gone"))
    return await _go(turn, "cat", RequestData(step="cat"))


@DIALOG.button(Restart)
async def _restart(turn: Turn, _: Restart, state: DialogState | None) -> Next:
    if CODEC.load(state) is not None:
        raise StaleScreen()
    await _become_resident(turn)
    await service.discard_draft(turn.uow, turn.actor)
    return await _go(turn, "cat", RequestData(step="cat"))


@DIALOG.resumes
async def _resume(turn: Turn, data: RequestData) -> Next:
    """After a press on an older screen: the step the resident is at, asked again."""
    ask = _ASK.get(data.step)
    if ask is None:
        raise StaleScreen()
    ask(turn, data, False)
    return data


# --- Asking each step -------------------------------------------------------------------------


def _ask_cat(turn: Turn, data: RequestData, edit: bool) -> None:
    rows = tuple(
        (Button(msg(f"requests.category.{cat.value}"), PickCategory(cat)),)
        for cat in ServiceCategory
    )
    turn.say(msg("requests.ask.category"), buttons=_nav(*rows), edit=edit)


def _ask_kind(turn: Turn, data: RequestData, edit: bool) -> None:
    rows = tuple(
        (Button(msg(f"requests.kind.{kind.value}"), PickKind(kind)),)
        for kind in KINDS[_category(data)]
    )
    turn.say(msg("requests.ask.kind"), buttons=_nav(*rows), edit=edit)


def _ask_whom(turn: Turn, data: RequestData, edit: bool) -> None:
    rows = tuple((Button(msg(f"requests.whom.{w.value}"), PickWhom(w)),) for w in ForWhom)
    turn.say(msg("requests.ask.whom"), buttons=_nav(*rows), edit=edit)


def _ask_days(turn: Turn, data: RequestData, edit: bool) -> None:
    today = _today(turn)
    chosen = set(data.days)
    buttons = []
    for n in range(DAYS_AHEAD):
        day = today + timedelta(days=n)
        key = "requests.day_chosen" if day in chosen else "requests.day"
        buttons.append(Button(msg(key, day=day), PickDay(day)))
    rows: list[tuple[Button, ...]] = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(msg("requests.button.flexible"), AnyDay()),))
    if chosen:
        rows.append((Button(msg("requests.button.days_done", count=len(chosen)), DaysChosen()),))
    turn.say(msg("requests.ask.days"), buttons=_nav(*rows), edit=edit)


def _ask_window(turn: Turn, data: RequestData, edit: bool) -> None:
    rows = tuple((Button(msg(f"requests.window.{w.value}"), PickWindow(w)),) for w in TimeWindow)
    turn.say(msg("requests.ask.window"), buttons=_nav(*rows), edit=edit)


def _ask_area(turn: Turn, data: RequestData, edit: bool) -> None:
    areas = turn.settings.service_areas
    rows = tuple(
        tuple(
            Button(msg("requests.area_button", area=a.name(turn.locale)), PickArea(a.code))
            for a in areas[i : i + 2]
        )
        for i in range(0, len(areas), 2)
    )
    turn.say(msg("requests.ask.area"), buttons=_nav(*rows), edit=edit)


def _ask_address(turn: Turn, data: RequestData, edit: bool) -> None:
    turn.say(msg("requests.ask.address", limit=ADDRESS_LIMIT), buttons=_nav())


def _ask_phone(turn: Turn, data: RequestData, edit: bool) -> None:
    turn.say(msg("requests.ask.phone"), buttons=_nav())


def _ask_details(turn: Turn, data: RequestData, edit: bool) -> None:
    turn.say(
        msg("requests.ask.details", limit=DETAILS_LIMIT),
        buttons=_nav((Button(msg("requests.button.no_details"), NoDetails()),)),
    )


def _ask_consent(turn: Turn, data: RequestData, edit: bool) -> None:
    turn.say(
        msg("requests.consent"),
        buttons=_nav(
            (Button(msg("requests.button.consent_yes"), ConsentYes()),),
            (Button(msg("requests.button.consent_no"), ConsentNo()),),
        ),
    )


def _summary_parts(turn: Turn, data: RequestData) -> list[Msg]:
    when = (
        _joined([msg("requests.day", day=d) for d in data.days])
        if data.days
        else msg("requests.flexible")
    )
    kind = msg(f"requests.kind.{data.kind.value}") if data.kind else "—"
    whom = msg(f"requests.whom.{data.whom.value}") if data.whom else "—"
    window = msg(f"requests.window.{data.window.value}") if data.window else "—"
    parts = [
        msg("requests.summary.kind", kind=kind),
        msg("requests.summary.whom", whom=whom),
        msg("requests.summary.days", days=when),
        msg("requests.summary.window", window=window),
        msg("requests.summary.area", area=_area_name(turn, data.area)),
        msg("requests.summary.address", address=data.address or "—"),
        msg("requests.summary.phone", phone=data.phone or "—"),
        msg("requests.summary.details", details=data.details or "—"),
    ]
    if data.voice:
        parts.append(msg("requests.summary.voice", count=len(data.voice)))
    return parts


def _joined(items: list[Msg]) -> Msg:
    """`11月24日（火）、11月26日（木）` / `Tue, Nov 24; Thu, Nov 26` (each date through Babel)."""
    result = items[-1]
    for item in reversed(items[:-1]):
        result = msg("requests.days_and", first=item, rest=result)
    return result


def _ask_summary(turn: Turn, data: RequestData, edit: bool) -> None:
    turn.say(
        msg("requests.summary.title"),
        *_summary_parts(turn, data),
        buttons=(
            (Button(msg("requests.button.send"), Send()),),
            (Button(msg("requests.button.fix"), Fix()),),
            (DISCARD,),
        ),
    )


def _ask_fix(turn: Turn, data: RequestData, edit: bool) -> None:
    rows = tuple((Button(msg(f"requests.field.{f.value}"), FixField(f)),) for f in Field)
    turn.say(
        msg("requests.ask.fix"),
        buttons=(*rows, (Button(msg("button.back"), FixNothing()),)),
    )


_ASK: dict[str, Callable[[Turn, RequestData, bool], None]] = {
    "cat": _ask_cat,
    "kind": _ask_kind,
    "whom": _ask_whom,
    "days": _ask_days,
    "window": _ask_window,
    "area": _ask_area,
    "address": _ask_address,
    "phone": _ask_phone,
    "details": _ask_details,
    "consent": _ask_consent,
    "summary": _ask_summary,
    "fix": _ask_fix,
}
# Fixing a field starts at this step (the kind is chosen through its category).
_FIX_STEP = {f: "cat" if f is Field.KIND else f.value for f in Field}


# --- The steps' buttons -----------------------------------------------------------------------


@DIALOG.button(Discard, steps=ALL_STEPS)
async def _discard(turn: Turn, _: Discard, data: RequestData) -> Next:
    await service.discard_draft(turn.uow, turn.actor)
    title, buttons = main_menu(turn.actor)
    turn.say(msg("requests.discarded"), title, buttons=buttons)
    return None


@DIALOG.button(Back, steps=ALL_STEPS)
async def _back(turn: Turn, _: Back, data: RequestData) -> Next:
    step = data.step
    if step == "fix" or data.fixing:
        return await _go(turn, "summary", replace(data, fixing=False))
    if step == "cat":
        title, buttons = main_menu(turn.actor)
        turn.say(msg("requests.left"), title, buttons=buttons)
        return None  # the draft stays: it is offered again
    if step == "summary":
        return await _go(turn, STEPS[-1], data)
    return await _go(turn, STEPS[STEPS.index(step) - 1], data, edit=step not in TEXT_STEPS)


@DIALOG.button(PickCategory, steps=("cat",))
async def _on_cat(turn: Turn, pressed: PickCategory, data: RequestData) -> Next:
    return await _go(turn, "kind", replace(data, cat=pressed.category), edit=True)


@DIALOG.button(PickKind, steps=("kind",))
async def _on_kind(turn: Turn, pressed: PickKind, data: RequestData) -> Next:
    if pressed.kind not in KINDS[_category(data)]:
        raise StaleScreen()  # a kind of the category shown before this one
    data = replace(data, kind=pressed.kind)
    return await _go(turn, _after("kind", data), data, edit=True)


@DIALOG.button(PickWhom, steps=("whom",))
async def _on_whom(turn: Turn, pressed: PickWhom, data: RequestData) -> Next:
    data = replace(data, whom=pressed.whom)
    return await _go(turn, _after("whom", data), data, edit=True)


@DIALOG.button(AnyDay, steps=("days",))
async def _on_any_day(turn: Turn, _: AnyDay, data: RequestData) -> Next:
    data = replace(data, days=())
    return await _go(turn, _after("days", data), data, edit=True)


@DIALOG.button(DaysChosen, steps=("days",))
async def _on_days_chosen(turn: Turn, _: DaysChosen, data: RequestData) -> Next:
    if not data.days:
        return await _go(turn, "days", data, edit=True)
    return await _go(turn, _after("days", data), data, edit=True)


@DIALOG.button(PickDay, steps=("days",))
async def _on_day(turn: Turn, pressed: PickDay, data: RequestData) -> Next:
    try:
        check_days([pressed.day], _today(turn))
    except InvalidInput as error:
        turn.toast = msg(f"requests.error.{error.code}", **error.details)
        turn.say(msg(f"requests.error.{error.code}", **error.details))
        return await _go(turn, "days", data)
    chosen = set(data.days) ^ {pressed.day}  # a second tap takes the day off again
    return await _go(turn, "days", replace(data, days=tuple(sorted(chosen))), edit=True)


@DIALOG.button(PickWindow, steps=("window",))
async def _on_window(turn: Turn, pressed: PickWindow, data: RequestData) -> Next:
    data = replace(data, window=pressed.window)
    return await _go(turn, _after("window", data), data, edit=True)


@DIALOG.button(PickArea, steps=("area",))
async def _on_area(turn: Turn, pressed: PickArea, data: RequestData) -> Next:
    if pressed.area not in {a.code for a in turn.settings.service_areas}:
        raise ForgedButton()
    data = replace(data, area=pressed.area)
    return await _go(turn, _after("area", data), data, edit=True)


@DIALOG.button(NoDetails, steps=("details",))
async def _on_skip(turn: Turn, _: NoDetails, data: RequestData) -> Next:
    data = replace(data, details="")
    return await _go(turn, _after("details", data), data)


@DIALOG.button(ConsentYes, steps=("consent",))
async def _on_consent(turn: Turn, _: ConsentYes, data: RequestData) -> Next:
    data = replace(data, consent=True)
    return await _go(turn, _after("consent", data), data)


@DIALOG.button(ConsentNo, steps=("consent",))
async def _on_no_consent(turn: Turn, _: ConsentNo, data: RequestData) -> Next:
    # Without consent nothing is kept: not the request, not the draft.
    await service.discard_draft(turn.uow, turn.actor)
    title, buttons = main_menu(turn.actor)
    # Not agreeing is no dead end: who to ask instead (the menu ends with "I need help").
    turn.say(
        msg("requests.consent_refused"),
        msg("help.after_refusal"),
        *await contact_parts(turn),
        title,
        buttons=buttons,
    )
    return None


@DIALOG.button(Fix, steps=("summary",))
async def _on_fix(turn: Turn, _: Fix, data: RequestData) -> Next:
    return await _go(turn, "fix", data)


@DIALOG.button(FixNothing, steps=("fix",))
async def _on_fix_nothing(turn: Turn, _: FixNothing, data: RequestData) -> Next:
    return await _go(turn, "summary", data)


@DIALOG.button(FixField, steps=("fix",))
async def _on_fix_field(turn: Turn, pressed: FixField, data: RequestData) -> Next:
    return await _go(turn, _FIX_STEP[pressed.field], replace(data, fixing=True))


@DIALOG.button(Send, steps=("summary",))
async def _on_send(turn: Turn, _: Send, data: RequestData) -> Next:
    if not data.consent:
        return await _go(turn, "consent", data)
    if data.kind is None or data.whom is None or data.window is None or data.area is None:
        return await _go(turn, "cat", RequestData(step="cat"))  # a draft missing a choice: again
    form = RequestForm(
        kind=data.kind,
        for_whom=data.whom,
        days=data.days,
        time_window=data.window,
        area=data.area,
        address=data.address or "",
        phone=data.phone or "",
        details=data.details or "",
        voice_file_ids=data.voice,
    )
    try:
        view = await service.submit(
            turn.uow,
            turn.actor,
            form,
            consent=True,
            today=_today(turn),
            areas=turn.settings.service_areas,
            now=turn.now,
        )
    except InvalidInput as error:
        # Something went stale (a chosen day passed overnight): say what, and fix it.
        turn.say(msg(f"requests.error.{error.code}", **error.details))
        step = {"date_past": "days", "phone_invalid": "phone"}.get(error.code, "summary")
        return await _go(turn, step, replace(data, fixing=True))
    turn.say(
        msg("requests.sent", reference=view.request.reference),
        # "Quote it if you call us": the number to call (its centre's once it has one).
        *await contact_parts(turn, view.request.centre_id),
        *_summary_parts(turn, data),
        buttons=((MY_REQUESTS,), (MENU,)),
    )
    return None


# --- Text, voice notes and photos -------------------------------------------------------------


@DIALOG.text
async def on_text(turn: Turn, data: RequestData) -> Next:
    """Typed text at a text step (address, phone, details); elsewhere: please use the buttons."""
    step = data.step
    if step not in TEXT_STEPS:
        turn.say(msg("requests.use_buttons"))
        return await _go(turn, step, data)
    if not data.consent:  # a draft from before consent moved forward: ask for it first
        return await _go(turn, "consent", data)
    try:
        if step == "address":
            address = check_text(turn.text, ADDRESS_LIMIT, required=True, code="address")
            data = replace(data, address=address)
        elif step == "phone":
            data = replace(data, phone=parse_phone(turn.text))
        else:
            details = check_text(turn.text, DETAILS_LIMIT, required=False, code="details")
            data = replace(data, details=details)
    except InvalidInput as error:
        turn.say(msg(f"requests.error.{error.code}", **error.details))
        return await _go(turn, step, data)
    return await _go(turn, _after(step, data), data)


@DIALOG.media
async def on_media(turn: Turn, data: RequestData) -> Next:
    """A voice note or photo where text was expected: kept for staff, and the dialog goes on."""
    step, file_id = data.step, turn.incoming.file_id
    if step not in TEXT_STEPS or not file_id:
        turn.say(msg("requests.media_not_here"))
        return await _go(turn, step, data)
    if not data.consent:  # as with text: nothing personal is kept before consent
        return await _go(turn, "consent", data)
    if len(data.voice) >= MAX_VOICE_NOTES:
        turn.say(msg("requests.voice_full", limit=MAX_VOICE_NOTES))
        return await _go(turn, step, data)
    data = replace(data, voice=(*data.voice, file_id))
    turn.say(msg("requests.voice_received"))
    return await _go(turn, _after(step, data), data)


# --- /requests: the resident's requests ----------------------------------------------------


@DIALOG.command("requests")
async def _requests_command(turn: Turn, state: DialogState | None) -> Next:
    await show_mine(turn)
    return state


@DIALOG.button(MyRequests)
async def _mine_pressed(turn: Turn, _: MyRequests, state: DialogState | None) -> Next:
    await show_mine(turn)
    return state


async def show_mine(turn: Turn) -> None:
    views = await service.my_requests(turn.uow, turn.actor)
    if not views:
        turn.say(
            msg("requests.mine_none"),
            buttons=((Button(msg("button.want_service"), StartRequest()),), (MENU,)),
        )
        return
    lines = [msg("requests.mine_title")]
    rows: list[tuple[Button, ...]] = []
    for view in views:
        lines.append(_line(view.request))
        if view.request.is_open:
            label = msg("requests.button.cancel_one", reference=view.request.reference)
            rows.append((Button(label, CancelRequest(view.request.id)),))
    rows.append((MENU,))
    turn.say(*lines, buttons=tuple(rows))


def _line(request: ServiceRequest) -> Msg:
    return msg(
        "requests.mine_line",
        reference=request.reference,
        kind=msg(f"requests.kind.{request.kind.value}"),
        status=msg(f"requests.status.{request.status.value}"),
        created=request.created_at,
    )


@DIALOG.button(CancelRequest)
async def _cancel_pressed(turn: Turn, pressed: CancelRequest, state: DialogState | None) -> Next:
    await _cancel_request(turn, pressed.request_id, confirmed=False)
    return state


@DIALOG.button(CancelConfirmed)
async def _cancel_confirmed(
    turn: Turn, pressed: CancelConfirmed, state: DialogState | None
) -> Next:
    await _cancel_request(turn, pressed.request_id, confirmed=True)
    return state


async def _cancel_request(turn: Turn, request_id: int, *, confirmed: bool) -> None:
    try:
        if not confirmed:
            view = await service.my_request(turn.uow, turn.actor, request_id, turn.now)
            if not view.request.is_open:
                raise InvalidInput("request_transition")
            turn.say(
                msg("requests.cancel_confirm", reference=view.request.reference),
                buttons=(
                    (Button(msg("requests.button.cancel_yes"), CancelConfirmed(request_id)),),
                    (Button(msg("requests.button.cancel_keep"), MyRequests()),),
                ),
            )
            return
        view = await service.cancel_mine(turn.uow, turn.actor, request_id, turn.now)
    except PermissionDenied:
        turn.toast = msg("error.permission_denied")
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
        return
    except DomainError:
        turn.say(msg("requests.error.cannot_cancel"), buttons=((MENU,),))
        return
    turn.say(msg("requests.cancelled", reference=view.request.reference), buttons=((MENU,),))


# --- Answering a staff question ---------------------------------------------------------------


def answer_button(request_id: int) -> Button:
    """The button under a staff question (`bot.notices.requests`): the resident answers with it."""
    return Button(msg("requests.button.answer"), AnswerQuestion(request_id))


@DIALOG.button(AnswerQuestion)
async def _start_answer(turn: Turn, pressed: AnswerQuestion, state: DialogState | None) -> Next:
    try:
        view = await service.my_request(turn.uow, turn.actor, pressed.request_id, turn.now)
    except PermissionDenied:
        turn.toast = msg("error.permission_denied")
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
        return state
    if not view.request.is_open:
        turn.say(msg("requests.error.closed"), buttons=((MENU,),))
        return state
    turn.say(
        msg("requests.answer.ask", reference=view.request.reference, limit=ANSWER_LIMIT),
        buttons=((CANCEL,),),
    )
    return AnswerData(step="text", request_id=pressed.request_id)


@ANSWER_DIALOG.text
async def on_answer(turn: Turn, state: AnswerData) -> Next:
    return await _send_answer(turn, state, turn.text, None)


@ANSWER_DIALOG.media
async def on_answer_media(turn: Turn, state: AnswerData) -> Next:
    """A voice note (or photo) as the answer."""
    file_id = turn.incoming.file_id
    if not file_id:
        turn.say(msg("requests.answer.use_text"))
        return state
    return await _send_answer(turn, state, "", file_id)


async def _send_answer(turn: Turn, state: AnswerData, text: str, file_id: str | None) -> Next:
    try:
        answered = await service.answer(
            turn.uow,
            turn.actor,
            state.request_id,
            text,
            turn.now,
            voice_file_id=file_id,
        )
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
        return None
    except InvalidInput as error:
        if error.code == "request_transition":
            turn.say(msg("requests.error.closed"), buttons=((MENU,),))
            return None
        turn.say(msg(f"requests.error.{error.code}", **error.details), buttons=((CANCEL,),))
        return state
    turn.say(
        msg("requests.answer.sent", reference=answered.view.request.reference),
        buttons=((MENU,),),
    )
    return None
