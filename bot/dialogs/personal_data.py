"""/mydata (everything Kyodo stores about me) and /forget (delete or anonymise me, confirmed;
then what was kept, and why). Someone Kyodo has no person for is forgotten at once: the copies of
their messages go, and they are told how many.

/mydata answers in several messages when there is much to show, a few lines per message, so that
no message passes Telegram's length limit. /forget asks first, with buttons; only the confirming
press within the same dialog forgets anyone, so a replayed or old button does nothing (it is
answered as an out-of-date screen).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.engine import Turn
from bot.dialogs.hours import hours
from bot.dialogs.keyboard import remove_keyboard
from bot.dialogs.menus import CANCEL, MENU, main_menu
from bot.dialogs.registry import Dialog, Next
from bot.dialogs.state import DialogData, StateCodec
from bot.domain.callbacks import CallbackData
from bot.domain.conversations import MediaKind
from bot.domain.coop import pick
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError
from bot.domain.languages import SUPPORTED
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, msg
from bot.services.personal_data import (
    ForgetReport,
    Forgotten,
    MyData,
    forget,
    forget_stranger,
    my_data,
)

NAME = "forget"
PER_MESSAGE = 15  # lines of a list per message


@dataclass(frozen=True, kw_only=True)
class ForgetAsked(DialogData):
    """/forget asked for confirmation (step `confirm`)."""


DIALOG = Dialog(NAME, prefixes=("pd",), state=StateCodec(NAME, ForgetAsked), steps=("confirm",))
DIALOGS = (DIALOG,)


@dataclass(frozen=True)
class Forget(CallbackData, tag="pd:forget"):
    """/mydata's "forget me" button: asks for confirmation, like /forget."""


@dataclass(frozen=True)
class ForgetYes(CallbackData, tag="pd:yes"):
    """The confirmation: forgets the person who pressed it."""


def _language(chosen: str | None, telegram: str | None) -> Msg | str:
    """The language chosen, by its own name (やさしい にほんご, not `ja-easy`); else Telegram's
    language code, as Telegram gave it."""
    if chosen in SUPPORTED:
        return msg(f"language.{chosen.replace('-', '_')}")
    return chosen or telegram or "—"


def _lines(data: MyData, locale: str) -> list[list[Msg]]:
    """The sections of /mydata, each a heading and its lines."""
    person = data.person
    roles = [msg(f"mydata.role.{r}") for r in sorted(person.roles)]
    profile = [
        msg(
            "mydata.profile",
            name=person.display_name,
            telegram_id=str(person.telegram_user_id or "—"),
            language=_language(person.locale, person.telegram_language),
            since=person.created_at,
            roles=_join(roles) if roles else msg("mydata.nothing"),
        )
    ]
    if data.roster is not None:  # the co-op's roster import: the reading and the phone it gave
        profile.append(
            msg("members.mydata.roster", kana=data.roster.kana, phone=data.roster.phone or "—")
        )
    sections = [profile]
    sections.append(
        [msg("mydata.hours_heading", count=len(data.hour_reports))]
        + [
            msg(
                "mydata.hour_line",
                day=r.day,
                hours=hours(r.minutes),
                status=msg(f"hours.status.{r.status}"),
                volunteer=msg("mydata.volunteer_mark") if r.volunteer else "",
                note=f" {r.note}" if r.note else "",
            )
            for r in data.hour_reports
        ]
    )
    sections.append(
        [msg("mydata.shifts_heading", count=len(data.shifts))]
        + [
            msg("mydata.shift_line", when=s.starts_at, kind=msg(f"work.{s.kind}"))
            for s in data.shifts
        ]
    )
    sections.append(
        [msg("mydata.answers_heading", count=len(data.answers))]
        + [
            msg(
                "mydata.answer_line",
                title=pick(locale, ja, en),
                rsvp=msg(f"mydata.rsvp.{a.rsvp}"),
            )
            for ja, en, a in data.answers
        ]
    )
    sections.append(
        [msg("mydata.requests_heading", count=len(data.requests))]
        + [
            msg(
                "mydata.request_line",
                reference=r.reference,
                status=msg(f"mydata.request_status.{r.status}"),
                address=r.address or "—",
                phone=r.phone or "—",
                details=r.details or "—",
            )
            for r in data.requests
        ]
    )
    sections.append(
        [msg("mydata.applications_heading", count=len(data.applications))]
        + [
            msg(
                "mydata.application_line",
                when=a.created_at,
                name=a.name,
                phone=a.phone or "—",
                note=a.skills_note or "—",
                status=msg(f"volunteers.status.{a.status}"),
            )
            for a in data.applications
        ]
    )
    sections.append(
        [msg("help.mydata.heading", count=len(data.staff_messages))]
        + [
            msg(
                f"help.mydata.{m.direction.value}",
                when=m.at,
                text=m.text or msg(f"help.media.{(m.media or MediaKind.OTHER).value}"),
            )
            for m in data.staff_messages
        ]
    )
    sections.append(
        [msg("mydata.messages", received=data.messages_received, sent=data.messages_sent)]
    )
    return sections


def _join(items: list[Msg]) -> Msg:
    result = items[-1]
    for item in reversed(items[:-1]):
        result = msg("volunteers.and", first=item, rest=result)
    return result


@DIALOG.command("mydata")
async def _mydata_command(turn: Turn, state: DialogState | None) -> Next:
    await show(turn)
    return None


async def show(turn: Turn) -> None:
    try:
        data = await my_data(turn.uow, turn.actor)
    except DomainError:
        turn.say(msg("mydata.nothing_stored"), buttons=((MENU,),))
        return
    turn.say(msg("mydata.intro"))
    for section in _lines(data, turn.locale):
        for start in range(0, len(section), PER_MESSAGE):
            turn.say(*section[start : start + PER_MESSAGE])
    turn.say(
        msg("mydata.outro"),
        buttons=((Button(msg("button.forget"), Forget()),), (MENU,)),
    )


@DIALOG.command("forget")
async def _forget_command(turn: Turn, state: DialogState | None) -> Next:
    if turn.actor.person_id is None:
        await _forget_stranger(turn)
        return None
    return ask(turn)


@DIALOG.button(Forget)
async def _forget_pressed(turn: Turn, _: Forget, state: DialogState | None) -> Next:
    if turn.actor.person_id is None:
        await _forget_stranger(turn)
        return None
    return ask(turn)


async def _forget_stranger(turn: Turn) -> None:
    """Nothing to confirm: no person, only copies of messages (and what they left halfway)."""
    copies = 0
    if turn.incoming.user_id is not None:
        copies = await forget_stranger(turn.uow, turn.incoming.user_id, turn.now)
    title, buttons = main_menu(turn.actor)
    turn.say(msg("forget.stranger", count=copies), title, buttons=buttons)


def ask(turn: Turn) -> ForgetAsked | None:
    if turn.actor.person_id is None:
        return None  # a stranger: see _forget_command
    _confirm(turn)
    return ForgetAsked(step="confirm")


def _confirm(turn: Turn) -> None:
    turn.say(
        msg("forget.confirm"),
        buttons=((Button(msg("button.forget_yes"), ForgetYes()),), (CANCEL,)),
    )


@DIALOG.resumes
async def _resume(turn: Turn, asked: ForgetAsked) -> Next:
    _confirm(turn)
    return asked


@DIALOG.button(ForgetYes, steps=("confirm",))
async def _forget_confirmed(turn: Turn, _: ForgetYes, asked: ForgetAsked) -> Next:
    try:
        report = await forget(turn.uow, turn.actor, turn.now)
    except DomainError:
        turn.say(msg("mydata.nothing_stored"))
        return None
    remove_keyboard(turn)  # nothing on it is theirs to press any more
    stranger = Actor(None, frozenset(), turn.locale)
    title, buttons = main_menu(stranger)
    turn.say(*_what_was_kept(report), title, buttons=buttons)
    return None


def _what_was_kept(report: ForgetReport) -> list[Msg]:
    """The truth about what /forget did: what went, what stayed and why."""
    said = [msg(f"forget.done.{report.outcome}")]
    if report.withdrawn:
        said.append(msg("forget.withdrawn", count=report.withdrawn))
    if report.outcome is Forgotten.ANONYMISED:
        said.append(
            msg("forget.kept_records", hours=report.hours_kept, services=report.services_kept)
        )
    said.append(msg("forget.kept_always"))
    return said
