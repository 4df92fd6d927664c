"""/mydata (everything Kyodo stores about me) and /forget (delete or anonymise me, confirmed).

/mydata answers in several messages when there is much to show, a few lines per message, so that
no message passes Telegram's length limit. /forget asks first, with buttons; only the confirming
press within the same dialog forgets anyone, so a replayed or old button does nothing.
"""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.hours import hours
from bot.dialogs.menus import CANCEL, MENU, main_menu
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, msg
from bot.services.personal_data import MyData, forget, my_data

NAME = "forget"
PER_MESSAGE = 15  # lines of a list per message


def _lines(data: MyData, locale: str) -> list[list[Msg]]:
    """The sections of /mydata, each a heading and its lines."""
    person = data.person
    roles = [msg(f"mydata.role.{r}") for r in sorted(person.roles)]
    profile = [
        msg(
            "mydata.profile",
            name=person.display_name,
            telegram_id=str(person.telegram_user_id or "—"),
            language=person.locale or person.telegram_language or "—",
            since=person.created_at,
            roles=_join(roles) if roles else msg("mydata.nothing"),
        )
    ]
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
                title=ja if locale == "ja" else en,
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
        [msg("mydata.messages", received=data.messages_received, sent=data.messages_sent)]
    )
    return sections


def _join(items: list[Msg]) -> Msg:
    result = items[-1]
    for item in reversed(items[:-1]):
        result = msg("volunteers.and", first=item, rest=result)
    return result


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
        buttons=((Button(msg("button.forget"), "pd:forget"),), (MENU,)),
    )


def ask(turn: Turn) -> DialogState | None:
    if turn.actor.person_id is None:
        turn.say(msg("mydata.nothing_stored"), buttons=((MENU,),))
        return None
    turn.say(
        msg("forget.confirm"),
        buttons=((Button(msg("button.forget_yes"), "pd:yes"),), (CANCEL,)),
    )
    return DialogState(NAME, "confirm")


async def on_button(turn: Turn, state: DialogState | None, action: str) -> DialogState | None:
    if action == "forget":
        return ask(turn)
    if action == "yes" and state is not None and state.dialog == NAME:
        try:
            outcome = await forget(turn.uow, turn.actor, turn.now)
        except DomainError:
            turn.say(msg("mydata.nothing_stored"))
            return None
        stranger = Actor(None, frozenset(), turn.locale)
        title, buttons = main_menu(stranger)
        turn.say(msg(f"forget.done.{outcome}"), title, buttons=buttons)
        return None
    turn.toast = msg("volunteers.closed")
    turn.say(msg("volunteers.closed"), buttons=((MENU,),))
    return state
