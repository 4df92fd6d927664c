"""'I'd like to volunteer': the sign-up dialog, and the staff's approve/decline buttons.

The applicant goes step by step: name -> phone -> areas of interest -> availability (weekday x
time of day) -> languages -> skills and qualifications (toggles, plus free text typed at that
step) -> consent to the purpose of use -> summary with Send / Fix / Cancel. Every step has Back
and Cancel; toggles are buttons pressed again to untick. Nothing is stored before Send.

Buttons are typed callback data carrying values and ids only (`va:t:a:mon:am`, `vol:ok:12`); the
applicant's buttons work only at the steps that show them, so a press on an older screen is
answered as out of date. Staff buttons are re-authorised by `bot.services.volunteers`, which
refuses and audits forged or replayed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from bot.dialogs.confirm import Done, Undoable, confirm, undo_hint, undo_row, undoable
from bot.dialogs.engine import Turn
from bot.dialogs.menus import (
    CANCEL,
    MENU,
    Buttons,
    StartVolunteering,
    VolunteerQueue,
    main_menu,
)
from bot.dialogs.reach import contact_parts
from bot.dialogs.registry import Dialog, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import parse_phone
from bot.domain.undo import UndoKind
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

T = TypeVar("T")


# State ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VolunteerForm(DialogData):
    """What the applicant has typed and ticked so far (nothing is stored before Send)."""

    name: str | None = None
    phone: str | None = None
    interests: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()  # slots, `mon:am`
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    note: str | None = None  # other skills and qualifications, typed at the skills step
    consent: bool = False
    fixing: bool = False  # a field is being fixed from the summary: the next step is the summary


@dataclass(frozen=True, kw_only=True)
class DeclineReason(DialogData):
    """Staff pressed Decline on an application: the reason is typed next."""

    application_id: int


# The order of the steps; Back goes one up, a fixed field returns to the summary.
STEPS = ("name", "phone", "interests", "availability", "languages", "skills", "consent", "summary")
TOGGLES = ("interests", "availability", "languages", "skills")
ALL_STEPS = (*STEPS, "fix")
_OPTIONS: dict[str, tuple[str, ...]] = {
    "interests": tuple(v.value for v in Interest),
    "availability": tuple(slot(d, p) for d in Weekday for p in DayPart),
    "languages": tuple(v.value for v in Language),
    "skills": tuple(v.value for v in Skill),
}

DIALOG = Dialog(
    NAME, prefixes=("va", "vol"), state=StateCodec(NAME, VolunteerForm), steps=ALL_STEPS
)
DECLINE_DIALOG = Dialog(DECLINE, state=StateCodec(DECLINE, DeclineReason), steps=("reason",))
DIALOGS = (DIALOG, DECLINE_DIALOG)


# Buttons ----------------------------------------------------------------------------------


class Fixable(StrEnum):
    """The fields the summary's Fix offers."""

    NAME = "name"
    PHONE = "phone"
    INTERESTS = "interests"
    AVAILABILITY = "availability"
    LANGUAGES = "languages"
    SKILLS = "skills"


@dataclass(frozen=True)
class Back(CallbackData, tag="va:back"):
    pass


@dataclass(frozen=True)
class NextStep(CallbackData, tag="va:next"):
    pass


@dataclass(frozen=True)
class ToggleInterest(CallbackData, tag="va:t:i"):
    interest: Interest


@dataclass(frozen=True)
class ToggleSlot(CallbackData, tag="va:t:a"):
    day: Weekday
    part: DayPart


@dataclass(frozen=True)
class ToggleLanguage(CallbackData, tag="va:t:l"):
    language: Language


@dataclass(frozen=True)
class ToggleSkill(CallbackData, tag="va:t:s"):
    skill: Skill


@dataclass(frozen=True)
class Agree(CallbackData, tag="va:agree"):
    pass


@dataclass(frozen=True)
class Fix(CallbackData, tag="va:fix"):
    pass


@dataclass(frozen=True)
class FixField(CallbackData, tag="va:f"):
    field: Fixable


@dataclass(frozen=True)
class Send(CallbackData, tag="va:send"):
    pass


@dataclass(frozen=True)
class SeeApplication(CallbackData, tag="vol:see"):
    application_id: int


@dataclass(frozen=True)
class Approve(CallbackData, tag="vol:ok"):
    application_id: int


@dataclass(frozen=True)
class Decline(CallbackData, tag="vol:no"):
    application_id: int


BACK = Button(msg("button.back"), Back())
NEXT = Button(msg("button.volunteers_next"), NextStep())


def _toggle_data(step: str, value: str) -> CallbackData:
    """The button that ticks `value` at the toggle step `step`."""
    if step == "interests":
        return ToggleInterest(Interest(value))
    if step == "availability":
        day, _, part = value.partition(":")
        return ToggleSlot(Weekday(day), DayPart(part))
    if step == "languages":
        return ToggleLanguage(Language(value))
    return ToggleSkill(Skill(value))


def joined(items: list[Msg]) -> Msg:
    """Several labels as one, `A、B、C` / `A, B, C` (nested, so each part is translated)."""
    if not items:
        return msg("volunteers.none")
    result = items[-1]
    for item in reversed(items[:-1]):
        result = msg("volunteers.and", first=item, rest=result)
    return result


def _label(field: str, value: str) -> Msg:
    if field == "availability":
        day, _, part = value.partition(":")
        return msg(
            "volunteers.slot", day=msg(f"volunteers.day.{day}"), part=msg(f"volunteers.part.{part}")
        )
    return msg(f"volunteers.{field}.{value}")


def _labels(field: str, values: tuple[str, ...]) -> Msg:
    """The ticked values of `field` as one label (values no option offers are left out)."""
    return joined([_label(field, v) for v in values if v in _OPTIONS[field]])


def _chosen(form: VolunteerForm, step: str) -> tuple[str, ...]:
    if step == "interests":
        return form.interests
    if step == "availability":
        return form.availability
    if step == "languages":
        return form.languages
    return form.skills


def _ticked(form: VolunteerForm, values: tuple[str, ...]) -> VolunteerForm:
    """The form with `values` ticked at its toggle step."""
    if form.step == "interests":
        return replace(form, interests=values)
    if form.step == "availability":
        return replace(form, availability=values)
    if form.step == "languages":
        return replace(form, languages=values)
    return replace(form, skills=values)


def _known(value: T | None) -> T:
    """A field the step needs; a form without it is a screen of another time."""
    if value is None:
        raise StaleScreen()
    return value


def _nav(*rows: tuple[Button, ...]) -> Buttons:
    return (*rows, (BACK, CANCEL))


# Starting -----------------------------------------------------------------------------------


@DIALOG.button(StartVolunteering)
async def _start_pressed(turn: Turn, _: StartVolunteering, state: DialogState | None) -> Next:
    return await start(turn)


async def start(turn: Turn) -> Next:
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
    return _ask(turn, VolunteerForm(step="name"), "name")


def _ask(
    turn: Turn, form: VolunteerForm, step: str, *before: Msg, edit: bool = False
) -> VolunteerForm:
    """Asks the question of `step` (after `before`, e.g. what was wrong); a toggle `edit`s the
    message in place so the ticks change where the person tapped."""
    if step in ("name", "phone"):
        turn.say(*before, msg(f"volunteers.ask.{step}"), buttons=_nav())
    elif step in TOGGLES:
        chosen = set(_chosen(form, step))
        per_row = 3 if step == "availability" else 2
        buttons = [
            Button(
                msg("volunteers.toggle", mark="✅" if v in chosen else "⬜", label=_label(step, v)),
                _toggle_data(step, v),
            )
            for v in _OPTIONS[step]
        ]
        rows = [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
        question = msg(f"volunteers.ask.{step}", limit=NOTE_LIMIT)
        turn.say(*before, question, buttons=_nav(*rows, (NEXT,)), edit=edit)
    elif step == "consent":
        turn.say(
            *before,
            msg("volunteers.ask.consent"),
            buttons=_nav((Button(msg("button.volunteers_agree"), Agree()),)),
        )
    elif step == "fix":
        return _fix_menu(turn, form, *before)
    else:
        return _summary(turn, form, *before)
    return replace(form, step=step)


def _summary(turn: Turn, form: VolunteerForm, *before: Msg) -> VolunteerForm:
    parts = [
        msg(
            "volunteers.summary",
            name=_known(form.name),
            phone=_known(form.phone),
            interests=_labels("interests", form.interests),
            availability=_labels("availability", form.availability),
            languages=_labels("languages", form.languages),
            skills=_labels("skills", form.skills),
        )
    ]
    if form.note:
        parts.append(msg("volunteers.summary_note", note=form.note))
    turn.say(
        *before,
        *parts,
        buttons=(
            (Button(msg("button.volunteers_send"), Send()),),
            (Button(msg("button.volunteers_fix"), Fix()),),
            (BACK, CANCEL),
        ),
    )
    return replace(form, step="summary")


def _fix_menu(turn: Turn, form: VolunteerForm, *before: Msg) -> VolunteerForm:
    rows = tuple(
        (Button(msg(f"button.volunteers_fix_{field}"), FixField(field)),) for field in Fixable
    )
    turn.say(*before, msg("volunteers.ask.fix"), buttons=_nav(*rows))
    return replace(form, step="fix")


def _after(turn: Turn, form: VolunteerForm) -> VolunteerForm:
    """The step after the form's step: the summary when a field was being fixed."""
    if form.fixing or form.step == "consent":
        return _summary(turn, form)
    return _ask(turn, form, STEPS[STEPS.index(form.step) + 1])


@DIALOG.resumes
async def _resume(turn: Turn, form: VolunteerForm) -> Next:
    """After a stale press: the step the form is at, asked again."""
    return _ask(turn, form, form.step)


# Typed answers --------------------------------------------------------------------------------


@DIALOG.text
async def on_text(turn: Turn, form: VolunteerForm) -> Next:
    try:
        if form.step == "name":
            return _after(turn, replace(form, name=check_name(turn.text)))
        if form.step == "phone":
            return _after(turn, replace(form, phone=parse_phone(turn.text)))
        if form.step == "skills":
            return _after(turn, replace(form, note=check_note(turn.text)))
    except InvalidInput as error:
        problem = msg(f"volunteers.error.{error.code}", **error.details)
        return _ask(turn, form, form.step, problem)
    # Text where a button was expected: say so, and show the buttons again.
    return _ask(turn, form, form.step, msg("volunteers.use_buttons"))


# Buttons ------------------------------------------------------------------------------------


@DIALOG.button(Back, steps=ALL_STEPS)
async def _back(turn: Turn, _: Back, form: VolunteerForm) -> Next:
    if form.step == "fix" or (form.fixing and form.step != "summary"):
        return _summary(turn, form)
    if form.step == "name":
        title, buttons = main_menu(turn.actor)
        turn.say(msg("cancel.done"), title, buttons=buttons)
        return None
    return _ask(turn, form, STEPS[STEPS.index(form.step) - 1])


def _toggle(turn: Turn, form: VolunteerForm, value: str) -> VolunteerForm:
    chosen = _chosen(form, form.step)
    ticked = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
    return _ask(turn, _ticked(form, ticked), form.step, edit=True)


@DIALOG.button(ToggleInterest, steps=("interests",))
async def _interest(turn: Turn, pressed: ToggleInterest, form: VolunteerForm) -> Next:
    return _toggle(turn, form, pressed.interest.value)


@DIALOG.button(ToggleSlot, steps=("availability",))
async def _slot(turn: Turn, pressed: ToggleSlot, form: VolunteerForm) -> Next:
    return _toggle(turn, form, slot(pressed.day, pressed.part))


@DIALOG.button(ToggleLanguage, steps=("languages",))
async def _language(turn: Turn, pressed: ToggleLanguage, form: VolunteerForm) -> Next:
    return _toggle(turn, form, pressed.language.value)


@DIALOG.button(ToggleSkill, steps=("skills",))
async def _skill(turn: Turn, pressed: ToggleSkill, form: VolunteerForm) -> Next:
    return _toggle(turn, form, pressed.skill.value)


@DIALOG.button(NextStep, steps=TOGGLES)
async def _next(turn: Turn, _: NextStep, form: VolunteerForm) -> Next:
    if form.step != "skills" and not _chosen(form, form.step):
        return _ask(turn, form, form.step, msg(f"volunteers.error.{form.step}_required"))
    return _after(turn, form)


@DIALOG.button(Agree, steps=("consent",))
async def _agree(turn: Turn, _: Agree, form: VolunteerForm) -> Next:
    return _summary(turn, replace(form, consent=True))


@DIALOG.button(Fix, steps=("summary",))
async def _fix(turn: Turn, _: Fix, form: VolunteerForm) -> Next:
    return _fix_menu(turn, replace(form, fixing=True))


@DIALOG.button(FixField, steps=("fix",))
async def _fix_field(turn: Turn, pressed: FixField, form: VolunteerForm) -> Next:
    return _ask(turn, form, pressed.field.value)


@DIALOG.button(Send, steps=("summary",))
async def _send(turn: Turn, _: Send, form: VolunteerForm) -> Next:
    application = service.ApplicationForm(
        name=_known(form.name),
        phone=_known(form.phone),
        interests=form.interests,
        availability=form.availability,
        languages=form.languages,
        skills=form.skills,
        skills_note=form.note,
        consent=form.consent,
    )
    try:
        await service.submit(turn.uow, turn.actor, application, turn.now)
    except PermissionDenied:
        raise
    except DomainError as error:
        if error.code == "consent_required":
            return _ask(turn, form, "consent")
        title, buttons = main_menu(turn.actor)
        turn.say(msg(f"volunteers.error.{error.code}", **error.details), title, buttons=buttons)
        return None
    title, buttons = main_menu(turn.actor)
    turn.say(msg("volunteers.sent"), title, buttons=buttons)
    return None


# Staff ------------------------------------------------------------------------------------------


def _card(application: Application) -> Msg:
    c = application.choices
    return msg(
        "volunteers.card",
        id=application.id,
        name=application.name,
        phone=application.phone or "—",
        interests=joined([_label("interests", v) for v in c.interests]),
        availability=joined([_label("availability", v) for v in c.availability]),
        languages=joined([_label("languages", v) for v in c.languages]),
        skills=joined([_label("skills", v) for v in c.skills]),
        note=application.skills_note or "—",
        status=msg(f"volunteers.status.{application.status}"),
    )


def _decision_buttons(application_id: int) -> Buttons:
    return (
        (
            Button(msg("button.volunteers_approve"), Approve(application_id)),
            Button(msg("button.volunteers_decline"), Decline(application_id)),
        ),
        (MENU,),
    )


@DIALOG.button(VolunteerQueue)
async def _queue_pressed(turn: Turn, _: VolunteerQueue, state: DialogState | None) -> Next:
    await show_pending(turn)
    return state


async def show_pending(turn: Turn) -> None:
    views = await service.pending(turn.uow, turn.actor, turn.now)
    if not views:
        turn.say(msg("volunteers.queue_empty"), buttons=((MENU,),))
        return
    for view in views:
        turn.say(_card(view.application), buttons=_decision_buttons(view.application.id))


def _staff_error(turn: Turn, error: DomainError) -> None:
    """A decision that no longer fits (decided already, gone): said, with the menu."""
    if isinstance(error, PermissionDenied):
        raise error
    turn.say(msg(f"volunteers.error.{error.code}"), buttons=((MENU,),))


@DIALOG.button(SeeApplication)
async def _see(turn: Turn, pressed: SeeApplication, state: DialogState | None) -> Next:
    try:
        view = await service.for_review(turn.uow, turn.actor, pressed.application_id, turn.now)
    except DomainError as error:
        _staff_error(turn, error)
        return state
    pending = view.application.status.value == "pending"
    buttons = _decision_buttons(pressed.application_id) if pending else ((MENU,),)
    turn.say(_card(view.application), buttons=buttons)
    return state


@DIALOG.button(Approve)
async def _approve(turn: Turn, pressed: Approve, state: DialogState | None) -> Next:
    # An approval tells the applicant: asked first, held for the undo window (confirm.py).
    await confirm(turn, UndoKind.VOLUNTEER_DECISION, pressed.application_id)
    return state


async def _ask_approve(turn: Turn, application_id: int, _: int = 0) -> tuple[Msg, ...]:
    view = await service.preview_approval(turn.uow, turn.actor, application_id, turn.now)
    return (msg("undo.volunteer.who", id=application_id, name=view.application.name),)


async def _do_approve(turn: Turn, application_id: int, _: int = 0) -> Done:
    view = await service.approve(turn.uow, turn.actor, application_id, turn.now)
    return Done(
        application_id,
        (_card(view.application), msg("undo.volunteer.approved")),
        buttons=((MENU,),),
        toast=msg("volunteers.staff.approved_toast"),
    )


async def _undo_decision(turn: Turn, application_id: int, _: int) -> tuple[Msg, ...]:
    view = await service.undo_decision(turn.uow, turn.actor, application_id, turn.now)
    return (msg("undo.volunteer.undone", id=application_id, name=view.application.name),)


async def _decision_refused(turn: Turn, application_id: int, error: DomainError) -> None:
    _staff_error(turn, error)


undoable(
    Undoable(
        UndoKind.VOLUNTEER_DECISION,
        ask=_ask_approve,
        do=_do_approve,
        undo=_undo_decision,
        refused=_decision_refused,
    )
)


@DIALOG.button(Decline)
async def _decline(turn: Turn, pressed: Decline, state: DialogState | None) -> Next:
    try:
        await service.for_review(turn.uow, turn.actor, pressed.application_id, turn.now)
    except DomainError as error:
        _staff_error(turn, error)
        return state
    return _ask_reason(turn, DeclineReason(step="reason", application_id=pressed.application_id))


def _ask_reason(turn: Turn, state: DeclineReason) -> DeclineReason:
    turn.say(msg("volunteers.staff.ask_reason"), buttons=((CANCEL,),))
    return state


@DECLINE_DIALOG.resumes
async def _resume_reason(turn: Turn, state: DeclineReason) -> Next:
    """After a stale press while the reason is awaited: asked again."""
    return _ask_reason(turn, state)


@DECLINE_DIALOG.text
async def on_reason(turn: Turn, state: DeclineReason) -> Next:
    try:
        view = await service.decline(
            turn.uow, turn.actor, state.application_id, turn.text, turn.now
        )
    except InvalidInput as error:
        turn.say(msg(f"volunteers.error.{error.code}", **error.details), buttons=((CANCEL,),))
        return state
    except PermissionDenied:
        # Typed text is not a button: the router's refusal does not cover it. Audited already.
        title, buttons = main_menu(turn.actor)
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), title, buttons=buttons)
        return None
    except DomainError as error:
        turn.say(msg(f"volunteers.error.{error.code}"), buttons=((MENU,),))
        return None
    # The applicant reads the reason once the undo window is over (bot/notices/volunteers.py).
    turn.say(
        _card(view.application),
        msg("undo.volunteer.declined"),
        undo_hint(),
        buttons=(undo_row(UndoKind.VOLUNTEER_DECISION, state.application_id), (MENU,)),
    )
    return None
