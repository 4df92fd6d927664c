"""The dialog engine's vocabulary: one turn of a conversation and what a step may do in it.

A dialog step is a function `(turn, state) -> new state`: it reads the person's input from the
turn, asks services for what it needs, says replies through `turn.say`, and returns the state to
store for this chat (None ends the dialog). State is data in the SQL store, never in memory, so a
restart or another replica continues where the person left off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.contact import Contact
from bot.domain.dialogs import DialogState
from bot.domain.incoming import Incoming
from bot.domain.people import Actor, Person
from bot.domain.reminders import DEFAULT_OFFSETS
from bot.domain.replies import Button, Msg, Reply
from bot.domain.requests import DEFAULT_AREAS, ServiceArea
from bot.ports.line import LineQuota
from bot.ports.store import UnitOfWork
from bot.rendering import Renderer

CO_OP_ZONE = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class DialogSettings:
    """The few settings dialogs need, passed in by the composition root."""

    bot_username: str
    invite_ttl_hours: int
    max_text_length: int
    default_locale: str
    tz: ZoneInfo = CO_OP_ZONE  # where "today" and a date's public holiday are reckoned
    hours_window_days: int = 31  # how many days back a member may report hours
    calendar_url: str = "http://127.0.0.1:8090/calendar"  # where members' calendar feeds are
    staff_chat_id: int | None = None  # the staff group for cards; None: staff's private chats
    staff_cards: bool = True  # False (KYODO_STAFF_CARDS=off): no new cards are sent
    # When members are reminded of a published assembly notice (KYODO_ASSEMBLY_REMINDERS).
    assembly_reminders: tuple[timedelta, ...] = DEFAULT_OFFSETS
    shift_reminder_hour: int = 18  # the evening before a shift (KYODO_SHIFT_REMINDER_HOUR)
    desk_url: str = "http://127.0.0.1:8090/desk"  # the staff web desk (sign-in links)
    service_areas: tuple[ServiceArea, ...] = DEFAULT_AREAS  # KYODO_SERVICE_AREAS
    contact: Contact | None = None  # the co-op's phone and hours (KYODO_COOP_PHONE); None: unset
    # LINE's monthly quota, shown where a broadcast is composed; None: LINE is off.
    line_quota: LineQuota | None = field(default=None, compare=False)
    # LINE's add-friend link of the co-op's Official Account (LINE_BOT_BASIC_ID); None: unset.
    line_add_friend: str | None = None


@dataclass(frozen=True)
class Notice:
    """A message to someone other than the person in this chat (staff, say)."""

    chat_id: int
    locale: str
    reply: Reply
    dedupe_key: str | None = None  # the same notice is queued once, however often it is asked
    edit_message_id: int | None = None  # edits that message (with `reply.edit`) instead
    is_group: bool = False  # a group chat: the sender holds the group's rate


async def queue_notice(uow: UnitOfWork, renderer: Renderer, notice: Notice, at: datetime) -> None:
    """Renders a notice in its reader's language into the outbox (the one way a notice goes)."""
    rendered = renderer.render(
        notice.reply,
        notice.chat_id,
        notice.locale,
        edit_message_id=notice.edit_message_id,
        is_group=notice.is_group,
    )
    await uow.outbox.add(rendered, at, dedupe_key=notice.dedupe_key)


@dataclass
class Turn:
    """Everything one step may look at, and where it puts what it says."""

    uow: UnitOfWork
    incoming: Incoming
    actor: Actor
    person: Person | None
    now: datetime
    text: str  # the person's text, NFKC-normalised and stripped
    locale: str  # replies are rendered in this; a language change updates it mid-turn
    settings: DialogSettings
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    toast: Msg | None = None  # the short answer shown on a pressed button

    def say(
        self, *parts: Msg, buttons: tuple[tuple[Button, ...], ...] = (), edit: bool = False
    ) -> None:
        self.replies.append(Reply(parts=parts, buttons=buttons, edit=edit))

    def notify(
        self,
        chat_id: int,
        locale: str,
        *parts: Msg,
        buttons: tuple[tuple[Button, ...], ...] = (),
        dedupe_key: str | None = None,
    ) -> None:
        self.notices.append(
            Notice(chat_id, locale, Reply(parts=parts, buttons=buttons), dedupe_key)
        )


Step = Callable[[Turn, DialogState], Awaitable[DialogState | None]]
