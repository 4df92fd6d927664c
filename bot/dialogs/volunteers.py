"""'I'd like to volunteer': the sign-up dialog, and the staff's approve/decline buttons.

The applicant goes step by step: name -> phone -> areas of interest -> availability (weekday x
time of day) -> languages -> skills and qualifications (toggles, plus free text typed at that
step) -> consent to the purpose of use -> summary with Send / Fix / Cancel. Every step has Back
and Cancel; toggles are buttons pressed again to untick. Nothing is stored before Send.

Callback data carries values and ids only (`va:t:a:mon:am`, `vol:ok:12`); staff buttons are
re-authorised by `bot.services.volunteers`, which refuses and audits forged or replayed ones.
"""

from __future__ import annotations

from typing import Any

from bot.dialogs.engine import Turn
from bot.dialogs.menus import CANCEL, MENU, Buttons, main_menu
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import parse_phone
from bot.domain.volunteers import (
    NOTE_LIMIT,
    Application,
    DayPart,
    Interest,
    Language,
    Skill,
    Weekday,
    check_name,
    check_note,
    slot,
)
from bot.services import volunteers as service
from bot.services.people import ensure_person

NAME = "volunteer"
DECLINE = "volunteer_decline"
BACK = Button(msg("button.back"), "va:back")
NEXT = Button(msg("button.volunteers_next"), "va:next")

# The order of the steps; Back goes one up, a fixed field returns to the summary.
STEPS = ("name", "phone", "interests", "availability", "languages", "skills", "consent", "summary")
_TOGGLES: dict[str, tuple[str, list[str]]] = {
    "i": ("interests", [v.value for v in Interest]),
    "a": ("availability", [slot(d, p) for d in Weekday for p in DayPart]),
    "l": ("languages", [v.value for v in Language]),
    "s": ("skills", [v.value for v in Skill]),
}
_STEP_OF = {"interests": "i", "availability": "a", "languages": "l", "skills": "s"}


def joined(items: list[Msg]) -> Msg:
    """Several labels as one, `A、B、C` / `A, B, C` (nested, so each part is translated)."""
    if not items:
        return msg("volunteers.none")
    result = items[-1]
    for item in reversed(items[:-1]):
        result = msg("volunteers.and", first=item, rest=result)
    return result


def _label(kind: str, value: str) -> Msg:
    if kind == "a":
        day, part = value.split(":")
        return msg(
            "volunteers.slot", day=msg(f"volunteers.day.{day}"), part=msg(f"volunteers.part.{part}")
        )
    field = _TOGGLES[kind][0]
    return msg(f"volunteers.{field}.{value}")


def _state(step: str, data: dict[str, Any]) -> DialogState:
    return DialogState(NAME, step, dict(data))


def _nav(*rows: tuple[Button, ...]) -> Buttons:
    return (*rows, (BACK, CANCEL))


# Starting -----------------------------------------------------------------------------------


async def start(turn: Turn) -> DialogState | None:
    """The 'I'd like to volunteer' button: the first step, or why there is none."""
    person = await ensure_person(turn.uow, turn.incoming, turn.now)
    turn.person = person
    turn.actor = Actor(person.id, person.roles, turn.locale)
    try:
        await service.can_apply(turn.uow, turn.actor)
    except DomainError as error:
        title, buttons = main_menu(turn.actor)
        turn.say(msg(f"volunteers.error.{error.code}"), title, buttons=buttons)
        return None
    turn.say(msg("volunteers.intro"))
    return _ask(turn, "name", {})


def _ask(
    turn: Turn, step: str, data: dict[str, Any], *before: Msg, edit: bool = False
) -> DialogState:
    """Asks the question of `step` (after `before`, e.g. what was wrong); a toggle `edit`s the
    message in place so the ticks change where the person tapped."""
    if step == "name":
        turn.say(*before, msg("volunteers.ask.name"), buttons=_nav())
    elif step == "phone":
        turn.say(*before, msg("volunteers.ask.phone"), buttons=_nav())
    elif step in _STEP_OF:
        kind = _STEP_OF[step]
        field, values = _TOGGLES[kind]
        chosen = set(data.get(field, []))
        per_row = 3 if kind == "a" else 2
        buttons = [
            Button(
                msg("volunteers.toggle", mark="✅" if v in chosen else "⬜", label=_label(kind, v)),
                f"va:t:{kind}:{v}",
            )
            for v in values
        ]
        rows = [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
        question = msg(f"volunteers.ask.{step}", limit=NOTE_LIMIT)
        turn.say(*before, question, buttons=_nav(*rows, (NEXT,)), edit=edit)
    elif step == "consent":
        turn.say(
            *before,
            msg("volunteers.ask.consent"),
            buttons=_nav((Button(msg("button.volunteers_agree"), "va:agree"),)),
        )
    elif step == "fix":
        return _fix_menu(turn, data, *before)
    else:
        return _summary(turn, data, *before)
    return _state(step, data)


def _summary(turn: Turn, data: dict[str, Any], *before: Msg) -> DialogState:
    parts = [
        msg(
            "volunteers.summary",
            name=data["name"],
            phone=data["phone"],
            interests=joined([_label("i", v) for v in data.get("interests", [])]),
            availability=joined([_label("a", v) for v in data.get("availability", [])]),
            languages=joined([_label("l", v) for v in data.get("languages", [])]),
            skills=joined([_label("s", v) for v in data.get("skills", [])]),
        )
    ]
    if data.get("note"):
        parts.append(msg("volunteers.summary_note", note=data["note"]))
    turn.say(
        *before,
        *parts,
        buttons=(
            (Button(msg("button.volunteers_send"), "va:send"),),
            (Button(msg("button.volunteers_fix"), "va:fix"),),
            (BACK, CANCEL),
        ),
    )
    return _state("summary", data)


def _fix_menu(turn: Turn, data: dict[str, Any], *before: Msg) -> DialogState:
    rows = tuple(
        (Button(msg(f"button.volunteers_fix_{step}"), f"va:f:{step}"),) for step in STEPS[:6]
    )
    turn.say(*before, msg("volunteers.ask.fix"), buttons=_nav(*rows))
    return _state("fix", data)


def _after(turn: Turn, step: str, data: dict[str, Any]) -> DialogState:
    """The step after `step`: the summary when a field was being fixed."""
    if data.get("fixing") or step == "consent":
        return _summary(turn, data)
    return _ask(turn, STEPS[STEPS.index(step) + 1], data)


# Typed answers --------------------------------------------------------------------------------


async def on_text(turn: Turn, state: DialogState) -> DialogState | None:
    data = dict(state.data)
    try:
        if state.step == "name":
            data["name"] = check_name(turn.text)
            return _after(turn, "name", data)
        if state.step == "phone":
            data["phone"] = parse_phone(turn.text)
            return _after(turn, "phone", data)
        if state.step == "skills":
            data["note"] = check_note(turn.text)
            return _after(turn, "skills", data)
    except InvalidInput as error:
        return _ask(turn, state.step, data, msg(f"volunteers.error.{error.code}", **error.details))
    # Text where a button was expected: say so, and show the buttons again.
    return _ask(turn, state.step, data, msg("volunteers.use_buttons"))


# Buttons ------------------------------------------------------------------------------------


async def on_button(turn: Turn, state: DialogState | None, data_str: str) -> DialogState | None:
    """`va:*` (the applicant's steps) and `vol:*` (staff); returns the new state."""
    head, _, rest = data_str.partition(":")
    if head == "vol":
        return await _staff_button(turn, state, rest)
    if state is None or state.dialog != NAME:
        # A button of a form already sent or cancelled (pressed twice, or an old message).
        turn.toast = msg("volunteers.closed")
        title, buttons = main_menu(turn.actor)
        turn.say(msg("volunteers.closed"), title, buttons=buttons)
        return state
    data = dict(state.data)
    step = state.step
    if rest == "back":
        if step == "fix" or (data.get("fixing") and step != "summary"):
            return _summary(turn, data)
        if step == "name":
            title, buttons = main_menu(turn.actor)
            turn.say(msg("cancel.done"), title, buttons=buttons)
            return None
        return _ask(turn, STEPS[STEPS.index(step) - 1], data)
    if rest.startswith("t:") and step in _STEP_OF:
        _, kind, value = rest.split(":", 2)
        field, values = _TOGGLES.get(kind, ("", []))
        if kind != _STEP_OF[step] or value not in values:
            return _ask(turn, step, data, msg("button.invalid"))
        chosen = list(data.get(field, []))
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
        data[field] = chosen
        return _ask(turn, step, data, edit=True)
    if rest == "next" and step in _STEP_OF:
        field = _TOGGLES[_STEP_OF[step]][0]
        if step != "skills" and not data.get(field):
            return _ask(turn, step, data, msg(f"volunteers.error.{field}_required"))
        return _after(turn, step, data)
    if rest == "agree" and step == "consent":
        data["consent"] = True
        return _summary(turn, data)
    if rest == "fix" and step == "summary":
        return _fix_menu(turn, {**data, "fixing": True})
    if rest.startswith("f:") and step == "fix" and rest[2:] in STEPS[:6]:
        return _ask(turn, rest[2:], data)
    if rest == "send" and step == "summary":
        return await _send(turn, data)
    return _ask(turn, step, data, msg("volunteers.use_buttons"))


async def _send(turn: Turn, data: dict[str, Any]) -> DialogState | None:
    form = service.ApplicationForm(
        name=data.get("name", ""),
        phone=data.get("phone", ""),
        interests=data.get("interests", []),
        availability=data.get("availability", []),
        languages=data.get("languages", []),
        skills=data.get("skills", []),
        skills_note=data.get("note"),
        consent=bool(data.get("consent")),
    )
    try:
        await service.submit(turn.uow, turn.actor, form, turn.now)
    except PermissionDenied:
        raise
    except DomainError as error:
        if error.code == "consent_required":
            return _ask(turn, "consent", data)
        title, buttons = main_menu(turn.actor)
        turn.say(msg(f"volunteers.error.{error.code}", **error.details), title, buttons=buttons)
        return None
    title, buttons = main_menu(turn.actor)
    turn.say(msg("volunteers.sent"), title, buttons=buttons)
    return None


# Staff ------------------------------------------------------------------------------------------


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _card(application: Application) -> Msg:
    c = application.choices
    return msg(
        "volunteers.card",
        id=application.id,
        name=application.name,
        phone=application.phone or "—",
        interests=joined([_label("i", v) for v in c.interests]),
        availability=joined([_label("a", v) for v in c.availability]),
        languages=joined([_label("l", v) for v in c.languages]),
        skills=joined([_label("s", v) for v in c.skills]),
        note=application.skills_note or "—",
        status=msg(f"volunteers.status.{application.status}"),
    )


def _decision_buttons(application_id: int) -> Buttons:
    return (
        (
            Button(msg("button.volunteers_approve"), f"vol:ok:{application_id}"),
            Button(msg("button.volunteers_decline"), f"vol:no:{application_id}"),
        ),
        (MENU,),
    )


async def show_pending(turn: Turn) -> None:
    views = await service.pending(turn.uow, turn.actor, turn.now)
    if not views:
        turn.say(msg("volunteers.queue_empty"), buttons=((MENU,),))
        return
    for view in views:
        turn.say(_card(view.application), buttons=_decision_buttons(view.application.id))


async def _staff_button(turn: Turn, state: DialogState | None, rest: str) -> DialogState | None:
    action, _, raw_id = rest.partition(":")
    if action == "list" and not raw_id:
        await show_pending(turn)
        return state
    if action not in ("see", "ok", "no") or not _is_id(raw_id):
        # Forged data: refused (and audited) like any other staff button of a non-staff person.
        await service.for_review(turn.uow, turn.actor, -1, turn.now)
        return state
    application_id = int(raw_id)
    try:
        if action == "see":
            view = await service.for_review(turn.uow, turn.actor, application_id, turn.now)
            pending = view.application.status.value == "pending"
            buttons = _decision_buttons(application_id) if pending else ((MENU,),)
            turn.say(_card(view.application), buttons=buttons)
            return state
        if action == "ok":
            view = await service.approve(turn.uow, turn.actor, application_id, turn.now)
            turn.toast = msg("volunteers.staff.approved_toast")
            turn.say(_card(view.application), msg("volunteers.staff.approved"), edit=True)
            return state
        await service.for_review(turn.uow, turn.actor, application_id, turn.now)
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        turn.say(msg(f"volunteers.error.{error.code}"), buttons=((MENU,),))
        return state
    turn.say(msg("volunteers.staff.ask_reason"), buttons=((CANCEL,),))
    return DialogState(DECLINE, "reason", {"application": application_id})


async def on_reason(turn: Turn, state: DialogState) -> DialogState | None:
    application_id = int(state.data["application"])
    try:
        view = await service.decline(turn.uow, turn.actor, application_id, turn.text, turn.now)
    except InvalidInput as error:
        turn.say(msg(f"volunteers.error.{error.code}", **error.details), buttons=((CANCEL,),))
        return state
    except PermissionDenied:
        # Typed text is not a button: the router's refusal does not cover it. Audited already.
        title, buttons = main_menu(turn.actor)
        turn.say(msg("error.permission_denied"), title, buttons=buttons)
        return None
    except DomainError as error:
        turn.say(msg(f"volunteers.error.{error.code}"), buttons=((MENU,),))
        return None
    turn.say(_card(view.application), msg("volunteers.staff.declined"), buttons=((MENU,),))
    return None
