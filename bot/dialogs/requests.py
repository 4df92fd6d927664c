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
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, MENU, main_menu
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

BACK = Button(msg("button.back"), "rq:back")
DISCARD = Button(msg("requests.button.cancel"), "rq:x")
FIELDS = ("kind", "whom", "days", "window", "area", "address", "phone", "details")
# The order of the steps; Back goes to the one before.
STEPS = ("cat", "kind", "whom", "days", "window", "area", "consent", "address", "phone", "details")
TEXT_STEPS = frozenset({"address", "phone", "details"})
MAX_VOICE_NOTES = 10


def _nav(*rows: tuple[Button, ...]) -> Buttons:
    return (*rows, (BACK, DISCARD))


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.settings.tz).date()


def _area_name(turn: Turn, code: str) -> str:
    area = next((a for a in turn.settings.service_areas if a.code == code), None)
    return area.name(turn.locale) if area else code


# --- Opening ----------------------------------------------------------------------------------


async def start(turn: Turn) -> DialogState | None:
    """'I'd like a service': the person becomes a resident; a recent draft is offered again."""
    await _become_resident(turn)
    draft = await service.load_draft(turn.uow, turn.actor, turn.now)
    if draft and draft.get("step") in _ASK:
        turn.say(
            msg("requests.draft_offer"),
            buttons=(
                (Button(msg("requests.button.resume"), "rq:resume"),),
                (Button(msg("requests.button.restart"), "rq:new"),),
                (MENU,),
            ),
        )
        return None
    return await _go(turn, "cat", {})


async def _become_resident(turn: Turn) -> None:
    person = await ensure_person(turn.uow, turn.incoming, turn.now)
    await add_role(turn.uow, person, Role.RESIDENT, turn.now)
    turn.actor = Actor(person.id, person.roles | {Role.RESIDENT}, turn.locale)


async def _go(turn: Turn, step: str, data: dict[str, Any], *, edit: bool = False) -> DialogState:
    """Asks `step`, remembers it in the draft, and returns the state that waits for it."""
    data = {**data, "step": step}
    ask = _ASK[step]
    ask(turn, data, edit)
    await service.save_draft(turn.uow, turn.actor, data, turn.now)
    return DialogState(NAME, step, data)


def _after(step: str, data: dict[str, Any]) -> str:
    """The next step; while fixing one field, straight back to the summary."""
    if data.get("fixing"):
        return "summary"
    return STEPS[STEPS.index(step) + 1] if step in STEPS[:-1] else "summary"


# --- Asking each step -------------------------------------------------------------------------


def _ask_cat(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    rows = tuple(
        (Button(msg(f"requests.category.{cat.value}"), f"rq:cat:{cat.value}"),)
        for cat in ServiceCategory
    )
    turn.say(msg("requests.ask.category"), buttons=_nav(*rows), edit=edit)


def _ask_kind(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    category = ServiceCategory(data.get("cat", ServiceCategory.ELDERLY_CARE.value))
    rows = tuple(
        (Button(msg(f"requests.kind.{kind.value}"), f"rq:k:{kind.value}"),)
        for kind in KINDS[category]
    )
    turn.say(msg("requests.ask.kind"), buttons=_nav(*rows), edit=edit)


def _ask_whom(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    rows = tuple((Button(msg(f"requests.whom.{w.value}"), f"rq:w:{w.value}"),) for w in ForWhom)
    turn.say(msg("requests.ask.whom"), buttons=_nav(*rows), edit=edit)


def _ask_days(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    today = _today(turn)
    chosen = set(data.get("days", []))
    buttons = []
    for n in range(DAYS_AHEAD):
        day = today + timedelta(days=n)
        key = "requests.day_chosen" if day.isoformat() in chosen else "requests.day"
        buttons.append(Button(msg(key, day=day), f"rq:d:{day.strftime('%Y%m%d')}"))
    rows: list[tuple[Button, ...]] = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(msg("requests.button.flexible"), "rq:d:any"),))
    if chosen:
        rows.append((Button(msg("requests.button.days_done", count=len(chosen)), "rq:d:ok"),))
    turn.say(msg("requests.ask.days"), buttons=_nav(*rows), edit=edit)


def _ask_window(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    rows = tuple(
        (Button(msg(f"requests.window.{w.value}"), f"rq:t:{w.value}"),) for w in TimeWindow
    )
    turn.say(msg("requests.ask.window"), buttons=_nav(*rows), edit=edit)


def _ask_area(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    areas = turn.settings.service_areas
    rows = tuple(
        tuple(
            Button(msg("requests.area_button", area=a.name(turn.locale)), f"rq:a:{a.code}")
            for a in areas[i : i + 2]
        )
        for i in range(0, len(areas), 2)
    )
    turn.say(msg("requests.ask.area"), buttons=_nav(*rows), edit=edit)


def _ask_address(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    turn.say(msg("requests.ask.address", limit=ADDRESS_LIMIT), buttons=_nav())


def _ask_phone(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    turn.say(msg("requests.ask.phone"), buttons=_nav())


def _ask_details(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    turn.say(
        msg("requests.ask.details", limit=DETAILS_LIMIT),
        buttons=_nav((Button(msg("requests.button.no_details"), "rq:skip"),)),
    )


def _ask_consent(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    turn.say(
        msg("requests.consent"),
        buttons=_nav(
            (Button(msg("requests.button.consent_yes"), "rq:ok:yes"),),
            (Button(msg("requests.button.consent_no"), "rq:ok:no"),),
        ),
    )


def _summary_parts(turn: Turn, data: dict[str, Any]) -> list[Msg]:
    days = data.get("days") or []
    when = (
        _joined([msg("requests.day", day=date.fromisoformat(d)) for d in days])
        if days
        else msg("requests.flexible")
    )
    voice = len(data.get("voice", []))
    parts = [
        msg("requests.summary.kind", kind=msg(f"requests.kind.{data.get('kind')}")),
        msg("requests.summary.whom", whom=msg(f"requests.whom.{data.get('whom')}")),
        msg("requests.summary.days", days=when),
        msg("requests.summary.window", window=msg(f"requests.window.{data.get('window')}")),
        msg("requests.summary.area", area=_area_name(turn, data.get("area", ""))),
        msg("requests.summary.address", address=data.get("address") or "—"),
        msg("requests.summary.phone", phone=data.get("phone") or "—"),
        msg("requests.summary.details", details=data.get("details") or "—"),
    ]
    if voice:
        parts.append(msg("requests.summary.voice", count=voice))
    return parts


def _joined(items: list[Msg]) -> Msg:
    """`11月24日(火)、11月26日(木)` / `Tue, Nov 24; Thu, Nov 26` (each date through Babel)."""
    result = items[-1]
    for item in reversed(items[:-1]):
        result = msg("requests.days_and", first=item, rest=result)
    return result


def _ask_summary(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    turn.say(
        msg("requests.summary.title"),
        *_summary_parts(turn, data),
        buttons=(
            (Button(msg("requests.button.send"), "rq:send"),),
            (Button(msg("requests.button.fix"), "rq:fix"),),
            (DISCARD,),
        ),
    )


def _ask_fix(turn: Turn, data: dict[str, Any], edit: bool) -> None:
    rows = tuple((Button(msg(f"requests.field.{field}"), f"rq:f:{field}"),) for field in FIELDS)
    turn.say(
        msg("requests.ask.fix"),
        buttons=(*rows, (Button(msg("button.back"), "rq:f:summary"),)),
    )


_ASK = {
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
_FIX_STEP = {"kind": "cat", **{f: f for f in FIELDS if f != "kind"}}


# --- Buttons ----------------------------------------------------------------------------------


async def on_button(turn: Turn, state: DialogState | None, data: str) -> DialogState | None:
    """Every `rq:` button. A button of a step that is over gets a clear word, not an action."""
    parts = data.split(":")
    op, arg = parts[1] if len(parts) > 1 else "", ":".join(parts[2:])
    if op == "ans":
        return await _start_answer(turn, state, arg)
    if op in ("c", "cy"):
        await _cancel_request(turn, arg, confirmed=op == "cy")
        return state
    if op == "list":
        await show_mine(turn)
        return state
    if op in ("resume", "new") and (state is None or state.dialog != NAME):
        await _become_resident(turn)  # whoever presses these is known from here on
    if op == "resume" and (state is None or state.dialog != NAME):
        draft = await service.load_draft(turn.uow, turn.actor, turn.now)
        if draft and draft.get("step") in _ASK:
            return await _go(turn, draft["step"], draft)
        turn.say(msg("requests.draft_gone"))
        return await _go(turn, "cat", {})
    if op == "new" and (state is None or state.dialog != NAME):
        await service.discard_draft(turn.uow, turn.actor)
        return await _go(turn, "cat", {})
    if state is None or state.dialog != NAME:
        return _stale(turn, state)
    values = dict(state.data)
    step = state.step
    if op == "x":
        await service.discard_draft(turn.uow, turn.actor)
        title, buttons = main_menu(turn.actor)
        turn.say(msg("requests.discarded"), title, buttons=buttons)
        return None
    if op == "back":
        return await _back(turn, step, values)
    handler = _BUTTONS.get((step, op))
    if handler is None:
        return _stale(turn, state)
    return await handler(turn, values, arg)


def _stale(turn: Turn, state: DialogState | None) -> DialogState | None:
    """A button of an earlier step or of a finished dialog (pressed twice, or replayed)."""
    turn.toast = msg("requests.stale")
    if state is not None and state.dialog == NAME:
        turn.say(msg("requests.stale"))
        _ASK[state.step](turn, dict(state.data), False)
        return state
    title, buttons = main_menu(turn.actor)
    turn.say(msg("requests.stale"), title, buttons=buttons)
    return state


async def _back(turn: Turn, step: str, data: dict[str, Any]) -> DialogState | None:
    if step == "fix" or data.get("fixing"):
        data.pop("fixing", None)
        return await _go(turn, "summary", data)
    if step == "cat":
        title, buttons = main_menu(turn.actor)
        turn.say(msg("requests.left"), title, buttons=buttons)
        return None  # the draft stays: it is offered again
    if step == "summary":
        return await _go(turn, STEPS[-1], data)
    return await _go(turn, STEPS[STEPS.index(step) - 1], data, edit=step not in TEXT_STEPS)


async def _on_cat(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg not in {c.value for c in ServiceCategory}:
        return await _forged(turn, data)
    return await _go(turn, "kind", {**data, "cat": arg}, edit=True)


async def _on_kind(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    category = ServiceCategory(data.get("cat", ServiceCategory.ELDERLY_CARE.value))
    if arg not in {k.value for k in KINDS[category]}:
        return await _forged(turn, data)
    data = {**data, "kind": arg}
    return await _go(turn, _after("kind", data), data, edit=True)


async def _on_whom(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg not in {w.value for w in ForWhom}:
        return await _forged(turn, data)
    data = {**data, "whom": arg}
    return await _go(turn, _after("whom", data), data, edit=True)


async def _on_day(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg == "any":
        data = {**data, "days": []}
        return await _go(turn, _after("days", data), data, edit=True)
    if arg == "ok":
        if not data.get("days"):
            return await _go(turn, "days", data, edit=True)
        return await _go(turn, _after("days", data), data, edit=True)
    try:
        day = date(int(arg[:4]), int(arg[4:6]), int(arg[6:8])) if len(arg) == 8 else None
    except ValueError:
        day = None
    if day is None or not arg.isdigit():
        return await _forged(turn, data)
    try:
        check_days([day], _today(turn))
    except InvalidInput as error:
        turn.toast = msg(f"requests.error.{error.code}", **error.details)
        turn.say(msg(f"requests.error.{error.code}", **error.details))
        return await _go(turn, "days", data)
    chosen = set(data.get("days", []))
    chosen ^= {day.isoformat()}  # a second tap takes the day off again
    return await _go(turn, "days", {**data, "days": sorted(chosen)}, edit=True)


async def _on_window(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg not in {w.value for w in TimeWindow}:
        return await _forged(turn, data)
    data = {**data, "window": arg}
    return await _go(turn, _after("window", data), data, edit=True)


async def _on_area(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg not in {a.code for a in turn.settings.service_areas}:
        return await _forged(turn, data)
    data = {**data, "area": arg}
    return await _go(turn, _after("area", data), data, edit=True)


async def _on_skip(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    data = {**data, "details": ""}
    return await _go(turn, _after("details", data), data)


async def _on_consent(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg == "yes":
        data = {**data, "consent": True}
        return await _go(turn, _after("consent", data), data)
    # Without consent nothing is kept: not the request, not the draft.
    await service.discard_draft(turn.uow, turn.actor)
    title, buttons = main_menu(turn.actor)
    turn.say(msg("requests.consent_refused"), title, buttons=buttons)
    return None


async def _on_fix(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    return await _go(turn, "fix", data)


async def _on_fix_field(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if arg == "summary":
        return await _go(turn, "summary", data)
    if arg not in _FIX_STEP:
        return await _forged(turn, data)
    return await _go(turn, _FIX_STEP[arg], {**data, "fixing": True})


async def _on_send(turn: Turn, data: dict[str, Any], arg: str) -> DialogState | None:
    if not data.get("consent"):
        return await _go(turn, "consent", data)
    try:
        form = RequestForm(
            kind=ServiceKind(data["kind"]),
            for_whom=ForWhom(data["whom"]),
            days=tuple(date.fromisoformat(d) for d in data.get("days", [])),
            time_window=TimeWindow(data["window"]),
            area=data["area"],
            address=data.get("address", ""),
            phone=data.get("phone", ""),
            details=data.get("details", ""),
            voice_file_ids=tuple(data.get("voice", [])),
        )
    except (KeyError, ValueError):
        return await _go(turn, "cat", {})  # a draft from an older shape: start again
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
        return await _go(turn, step, {**data, "fixing": True})
    turn.say(
        msg("requests.sent", reference=view.request.reference),
        *_summary_parts(turn, data),
        buttons=((Button(msg("requests.button.my_requests"), "rq:list"),), (MENU,)),
    )
    return None


async def _forged(turn: Turn, data: dict[str, Any]) -> DialogState | None:
    """Callback data no button of ours carries: refused, audited, and the step asked again."""
    await turn.uow.audit.add(
        turn.now, turn.actor.person_id, "callback.unknown", f"chat:{turn.incoming.chat_id}"
    )
    turn.toast = msg("button.invalid")
    turn.say(msg("button.invalid"))
    return await _go(turn, data.get("step", "cat"), data)


_BUTTONS = {
    ("cat", "cat"): _on_cat,
    ("kind", "k"): _on_kind,
    ("whom", "w"): _on_whom,
    ("days", "d"): _on_day,
    ("window", "t"): _on_window,
    ("area", "a"): _on_area,
    ("details", "skip"): _on_skip,
    ("consent", "ok"): _on_consent,
    ("summary", "send"): _on_send,
    ("summary", "fix"): _on_fix,
    ("fix", "f"): _on_fix_field,
}


# --- Text, voice notes and photos -------------------------------------------------------------


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    """Typed text at a text step (address, phone, details); elsewhere: please use the buttons."""
    data, step = dict(state.data), state.step
    if step not in TEXT_STEPS:
        turn.say(msg("requests.use_buttons"))
        return await _go(turn, step, data)
    if not data.get("consent"):  # a draft from before consent moved forward: ask for it first
        return await _go(turn, "consent", data)
    try:
        if step == "address":
            value = check_text(turn.text, ADDRESS_LIMIT, required=True, code="address")
        elif step == "phone":
            value = parse_phone(turn.text)
        else:
            value = check_text(turn.text, DETAILS_LIMIT, required=False, code="details")
    except InvalidInput as error:
        turn.say(msg(f"requests.error.{error.code}", **error.details))
        return await _go(turn, step, data)
    data[step] = value
    return await _go(turn, _after(step, data), data)


async def on_media(turn: Turn, state: DialogState) -> DialogState | None:
    """A voice note or photo where text was expected: kept for staff, and the dialog goes on."""
    data, step = dict(state.data), state.step
    file_id = turn.incoming.file_id
    if state.dialog == ANSWER:
        if not file_id:
            turn.say(msg("requests.answer.use_text"))
            return state
        return await _send_answer(turn, state, "", file_id)
    if step not in TEXT_STEPS or not file_id:
        turn.say(msg("requests.media_not_here"))
        return await _go(turn, step, data)
    voice = list(data.get("voice", []))
    if len(voice) >= MAX_VOICE_NOTES:
        turn.say(msg("requests.voice_full", limit=MAX_VOICE_NOTES))
        return await _go(turn, step, data)
    data["voice"] = [*voice, file_id]
    turn.say(msg("requests.voice_received"))
    return await _go(turn, _after(step, data), data)


# --- /requests: the resident's requests ----------------------------------------------------


async def show_mine(turn: Turn) -> None:
    views = await service.my_requests(turn.uow, turn.actor)
    if not views:
        turn.say(
            msg("requests.mine_none"),
            buttons=((Button(msg("button.want_service"), "svc"),), (MENU,)),
        )
        return
    lines = [msg("requests.mine_title")]
    rows: list[tuple[Button, ...]] = []
    for view in views:
        lines.append(_line(view.request))
        if view.request.is_open:
            label = msg("requests.button.cancel_one", reference=view.request.reference)
            rows.append((Button(label, f"rq:c:{view.request.id}"),))
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


async def _audit_forged(turn: Turn, arg: str) -> None:
    subject = f"service_request:{arg[:20]!r}"
    await turn.uow.audit.add(turn.now, turn.actor.person_id, "request.refused", subject)


def _request_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


async def _cancel_request(turn: Turn, arg: str, *, confirmed: bool) -> None:
    request_id = _request_id(arg)
    try:
        if request_id is None:
            raise PermissionDenied("request.refused")
        if not confirmed:
            view = await service.my_request(turn.uow, turn.actor, request_id, turn.now)
            if not view.request.is_open:
                raise InvalidInput("request_transition")
            turn.say(
                msg("requests.cancel_confirm", reference=view.request.reference),
                buttons=(
                    (Button(msg("requests.button.cancel_yes"), f"rq:cy:{request_id}"),),
                    (Button(msg("requests.button.cancel_keep"), "rq:list"),),
                ),
            )
            return
        view = await service.cancel_mine(turn.uow, turn.actor, request_id, turn.now)
    except PermissionDenied:
        if request_id is None:  # forged data the services never saw: audited here
            await _audit_forged(turn, arg)
        turn.toast = msg("error.permission_denied")
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
        return
    except DomainError:
        turn.say(msg("requests.error.cannot_cancel"), buttons=((MENU,),))
        return
    turn.say(msg("requests.cancelled", reference=view.request.reference), buttons=((MENU,),))


# --- Answering a staff question ---------------------------------------------------------------


def answer_button(request_id: int) -> Button:
    """The button under a staff question (`bot.notices.requests`): the resident answers with it."""
    return Button(msg("requests.button.answer"), f"rq:ans:{request_id}")


async def _start_answer(turn: Turn, state: DialogState | None, arg: str) -> DialogState | None:
    request_id = _request_id(arg)
    try:
        if request_id is None:
            raise PermissionDenied("request.refused")
        view = await service.my_request(turn.uow, turn.actor, request_id, turn.now)
    except PermissionDenied:
        if request_id is None:
            await _audit_forged(turn, arg)
        turn.toast = msg("error.permission_denied")
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
        return state
    if not view.request.is_open:
        turn.say(msg("requests.error.closed"), buttons=((MENU,),))
        return state
    turn.say(
        msg("requests.answer.ask", reference=view.request.reference, limit=ANSWER_LIMIT),
        buttons=((CANCEL,),),
    )
    return DialogState(ANSWER, "text", {"id": request_id})


async def on_answer(turn: Turn, state: DialogState) -> DialogState | None:
    return await _send_answer(turn, state, turn.text, None)


async def _send_answer(
    turn: Turn, state: DialogState, text: str, file_id: str | None
) -> DialogState | None:
    request_id = int(state.data["id"])
    try:
        answered = await service.answer(
            turn.uow,
            turn.actor,
            request_id,
            text,
            turn.now,
            voice_file_id=file_id,
        )
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
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
