"""Domain events: what a use case did, recorded on the unit of work for its consequences.

A service records an event when something happened that other people must hear of or see
(a member's report was decided, a request moved, a shift was released). The unit of work hands
each recorded event to the consequence handlers (`bot.notices`) just before it commits, in the
same transaction: a notice is queued exactly when the change it tells of is stored, whichever
door (Telegram, the desk, the shell, the clock) called the service.

Events carry ids and facts, never rendered text, buttons or callback data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from bot.domain.broadcasts import Progress
from bot.domain.requests import RequestAction, RequestStatus
from bot.domain.undo import UndoKind


@dataclass(frozen=True)
class Event:
    """Base of every domain event; `at` is when it happened (the use case's clock)."""

    # Bulk: what its consequences queue (reminders, digests, notices to many) goes out with what
    # people's answers leave of the sending rate (bot/notices/bus.py, bot/runtime/sender.py).
    bulk: ClassVar[bool] = False

    at: datetime


@dataclass(frozen=True)
class HoursReported(Event):
    """A member reported hours (or changed a pending report): staff's cards show it."""

    report_id: int


@dataclass(frozen=True)
class HoursWithdrawn(Event):
    """The member withdrew a pending report: its card closes."""

    report_id: int


@dataclass(frozen=True)
class HoursDecided(Event):
    """Staff approved or rejected a report: the member is told, the cards show who did it."""

    report_id: int


# Service requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestSubmitted(Event):
    """A resident sent a request: staff's cards show it (and hear of voice notes beside it)."""

    request_id: int


@dataclass(frozen=True)
class RequestMoved(Event):
    """A request changed status: taken, assigned, accepted, scheduled, done, declined (by staff)
    or cancelled (by the resident). `was` is the status it left: the resident hears "under
    review" once, when it leaves "received"; the staff member handling it hears of a cancel."""

    request_id: int
    action: RequestAction
    was: RequestStatus


@dataclass(frozen=True)
class RequestQuestionAsked(Event):
    """Staff asked the resident a question (`message_id`): it reaches them with an Answer button."""

    request_id: int
    message_id: int


@dataclass(frozen=True)
class RequestAnswered(Event):
    """The resident answered (`message_id`); `asked_by` (who asked the latest question) is told."""

    request_id: int
    message_id: int
    asked_by: int | None


# Volunteers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberJoined(Event):
    """An imported person joined with their letter's code: their centres' staff are told."""

    person_id: int


@dataclass(frozen=True)
class RoleChanged(Event):
    """An admin gave a person a role or took one away: the person is told, and their short
    menu under the chat changes with the notice (not only at their next /menu)."""

    person_id: int
    role: str  # a `Role` value
    granted: bool


@dataclass(frozen=True)
class ChatUnlinked(Event):
    """An admin unlinked one of a person's chats (their second messenger): the person is told
    in their language, in the chat they keep and in the one that is no longer theirs."""

    person_id: int
    chat_id: int  # the chat that was unlinked


@dataclass(frozen=True)
class VolunteerApplied(Event):
    """Someone applied to volunteer: staff's cards show the application."""

    application_id: int


@dataclass(frozen=True)
class VolunteerDecided(Event):
    """Staff approved or declined an application: the applicant is told, the cards follow."""

    application_id: int


# Shifts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftReleased(Event):
    """`person_id` gave up their place on a shift ("I can't make it", `release_id`): the
    coordinators are told, and the centre's free workers are offered the place."""

    release_id: int
    shift_id: int
    person_id: int


@dataclass(frozen=True)
class ActionUndone(Event):
    """`person_id` undid their action `kind` on `subject` in its undo window (a shift released,
    a member checked in, a request done; `bot.domain.undo`): the notices it held are withdrawn,
    so nobody hears of it."""

    kind: UndoKind
    subject: int
    person_id: int


@dataclass(frozen=True)
class ShiftReasonGiven(Event):
    """The member typed why they gave up the shift of `release_id`: the coordinators hear it."""

    release_id: int


@dataclass(frozen=True)
class ShiftTaken(Event):
    """`person_id` took a free place on a shift (the place of `release_id`, if one was given up):
    the coordinators are told."""

    shift_id: int
    person_id: int
    release_id: int | None


@dataclass(frozen=True)
class ShiftReminderDue(Event):
    """A person's shift reminder for `day` came due (the scheduler's send `send_key`).

    The handler renders one message to `person_id`: "rem.shift.head" for `day`, one "shifts.item"
    line per shift (`shift_id` and `also`, sorted by start), a "can't make it" button per shift
    (the first ten) and the reminder-settings button, under the dedupe key
    `recipient_key(send_key, person_id)`. The service chooses whom to remind and which shifts
    (not yet begun, the person's preferences); the handler skips a person it cannot reach.
    """

    bulk = True

    shift_id: int
    person_id: int
    day: date
    send_key: str
    also: tuple[int, ...] = ()  # the person's other shifts that day, if any


@dataclass(frozen=True)
class ShiftWorkedDue(Event):
    """The evening-after reminder (the scheduler's send `send_key`) asks `person_id` whether
    they worked `shift_ids` (ended, not reported; earliest first) as planned. The handler
    renders one message with a "worked as planned" button per shift under the dedupe key
    `recipient_key(send_key, person_id)`; the service chose whom to ask."""

    bulk = True

    person_id: int
    send_key: str
    shift_ids: tuple[int, ...]


# Assemblies and reminders --------------------------------------------------------------------


@dataclass(frozen=True)
class AssemblyPublished(Event):
    """A published assembly notice goes out to the members: its scheduled send `send_key`
    (planned by `publish`, due at once) came due. Each of `members` is sent the notice in
    their language under the dedupe key `recipient_key(send_key, member)`. The service chose
    them: members Kyodo can reach who have not had their copy yet."""

    bulk = True

    assembly_id: int
    send_key: str
    members: tuple[int, ...]


@dataclass(frozen=True)
class AssemblyReminderDue(Event):
    """A reminder of an assembly came due (the scheduled send `send_key`): the members in
    `asked` have not answered and are asked to, those in `attending` said they will come and
    are reminded of it; each once, under `recipient_key(send_key, member)`."""

    bulk = True

    assembly_id: int
    send_key: str
    asked: tuple[int, ...]
    attending: tuple[int, ...]


@dataclass(frozen=True)
class AssemblyAnswerRequested(Event):
    """Staff asked, from the desk, the members who have not answered a notice to answer it:
    each of `members` hears once on `day` (the co-op's date), under the key
    `bot.services.assemblies.answer_request_key`."""

    bulk = True

    assembly_id: int
    members: tuple[int, ...]
    day: date


@dataclass(frozen=True)
class AssemblyProxyGiven(Event):
    """A member (`giver`) gave their written proxy for a notice to another member (`holder`),
    who is told and may decline it."""

    assembly_id: int
    giver: int
    holder: int


@dataclass(frozen=True)
class AssemblyProxyDeclined(Event):
    """`holder` declined the written proxy `giver` gave them: it passed to the chair, and the
    giver is told and asked to choose again."""

    assembly_id: int
    giver: int
    holder: int


@dataclass(frozen=True)
class StaffDigestDue(Event):
    """The staff's morning digest came due (the scheduled send `send_key`): each of `staff`
    hears how many things of each kind wait for review (`waiting`: (kind, count) pairs with a
    count above zero, kind one of hours, requests, volunteers, deliveries (people whose
    messages may not have arrived), parked (updates Kyodo could not handle)), under
    `recipient_key(send_key, person)`."""

    send_key: str
    bulk = True

    staff: tuple[int, ...]
    waiting: tuple[tuple[str, int], ...]


# Broadcasts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastProgressed(Event):
    """A running broadcast moved on: the coordinator's progress message shows it (edited in
    place, at most every few seconds; the broadcast keeps which message that is)."""

    broadcast_id: int
    progress: Progress


@dataclass(frozen=True)
class BroadcastFinished(Event):
    """Every copy of a broadcast was sent or failed: the progress message reads finished, and
    the coordinator gets the summary naming who could not be reached."""

    broadcast_id: int
    progress: Progress


@dataclass(frozen=True)
class BroadcastHeld(Event):
    """A scheduled broadcast came due but would cost more of LINE's monthly messages than are
    left (`line_messages` against the plan's `limit`, `used` so far): it was held, not started,
    and the coordinator is told, with Resume and Cancel."""

    broadcast_id: int
    line_messages: int
    limit: int
    used: int


@dataclass(frozen=True)
class LineNoticeUndelivered(Event):
    """A notice to a LINE chat could not be pushed: LINE's messages for this month are spent.
    Its outbox row is failed with `bot.domain.line_undelivered.QUOTA_SPENT`; staff are told
    once a month, and the desk lists such notices with whom to call."""

    outbox_id: int
    chat_id: int


# Conversations with the staff ------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationWritten(Event):
    """Someone sent the staff a message (text Kyodo could not read, a photo, a voice note):
    the staff who look after them are told, with a button to answer."""

    conversation_id: int
    message_id: int


@dataclass(frozen=True)
class ConversationAnswered(Event):
    """A staff member answered: Kyodo carries the answer to the person, in their language."""

    conversation_id: int
    message_id: int
