"""`/queue`: what waits for staff, oldest first, with counts per kind and a filter by centre.

Service requests still open, volunteer applications and hour reports waiting for a decision, in
one list by age, a page at a time; each entry's button opens its card. Staff only: anyone else
is refused and the attempt audited. Buttons: `QueuePage(centre id or 0, page)`; each entry opens
its card through triage's buttons.

Updates Kyodo could not handle (parked by the inbox worker) are listed too, by age, each with
`HandleAgain(update id)`, and a line counts the people whose messages may not have arrived
(the desk's Deliveries page lists them): both from bot/services/deliveries.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.dialogs.engine import Turn
from bot.dialogs.menus import (
    MENU,
    OpenHoursCard,
    OpenRequestCard,
    OpenVolunteerCard,
    QueuePage,
)
from bot.dialogs.reach import StaffReply, contact_parts
from bot.dialogs.registry import Dialog, Next
from bot.domain.callbacks import CallbackData
from bot.domain.dialogs import DialogState
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import OPEN
from bot.services import access, cards, conversations, deliveries, memberships, requests
from bot.services import volunteers as volunteer_service
from bot.services.hours import waiting_for_review

PAGE = 8
SCAN = 200  # per kind: a co-op's waiting work is far less; the count says "200+" beyond it

DIALOG = Dialog("queue", prefixes=("tq",))
DIALOGS = (DIALOG,)


@dataclass(frozen=True)
class HandleAgain(CallbackData, tag="tq:again"):
    """Lets an update Kyodo could not handle go back to the inbox worker."""

    update_id: int


@dataclass(frozen=True)
class _Entry:
    at: datetime
    line: Msg
    button: Button


@DIALOG.command("queue")
async def command(turn: Turn, state: DialogState | None) -> Next:
    """`/queue` (it takes no arguments: the centre filter is buttons)."""
    try:
        await show(turn)
    except PermissionDenied:
        turn.say(msg("error.permission_denied"), *await contact_parts(turn), buttons=((MENU,),))
    return state


@DIALOG.button(QueuePage)
async def _page_pressed(turn: Turn, pressed: QueuePage, state: DialogState | None) -> Next:
    """A page or a centre filter; an unknown centre shows all, a page beyond the end the last."""
    await show(turn, centre_id=pressed.centre_id, page=pressed.page)
    return state


@DIALOG.button(HandleAgain)
async def _handle_again(turn: Turn, pressed: HandleAgain, state: DialogState | None) -> Next:
    """The update is handled again within a second; then the queue as it is now."""
    try:
        await deliveries.handle_again(turn.uow, turn.actor, turn.now, pressed.update_id)
    except PermissionDenied:
        raise
    except DomainError:
        turn.say(msg("triage.queue.not_parked", id=str(pressed.update_id)))
    else:
        turn.say(msg("triage.queue.handled_again", id=str(pressed.update_id)))
    await show(turn)
    return state


async def show(turn: Turn, centre_id: int = 0, page: int = 0) -> None:
    """One page of the queue, of one centre (`centre_id`) or of all (0)."""
    await access.require_staff(
        turn.uow, turn.actor, turn.now, refused=cards.REFUSED, subject="queue"
    )
    uow, actor, now = turn.uow, turn.actor, turn.now
    centres = await memberships.centres_in_scope(uow, actor)  # the filter's centres
    if centre_id and all(c.id != centre_id for c in centres):
        centre_id = 0
    centre = centre_id or None
    entries: list[_Entry] = []
    found = await requests.queue(uow, actor, now, centre_id=centre, statuses=OPEN, limit=SCAN)
    for found_view in found:
        r = found_view.request
        entries.append(
            _Entry(
                r.created_at,
                msg(
                    "triage.queue.request",
                    reference=r.reference,
                    kind=msg(f"triage.kind.{r.kind}"),
                    status=msg(f"triage.status.{r.status}"),
                    when=r.created_at,
                ),
                Button(
                    msg("triage.queue.open_request", reference=r.reference), OpenRequestCard(r.id)
                ),
            )
        )
    request_count = sum(
        n
        for status, n in (await requests.counts(uow, actor, now, centre_id=centre)).items()
        if status in OPEN
    )
    volunteer_count = 0
    if centre is None:  # applications belong to no centre
        # Through the service: it audits that staff saw the applicants' names.
        pending = [v.application for v in await volunteer_service.pending(uow, actor, now, SCAN)]
        volunteer_count = len(pending)
        for a in pending:
            entries.append(
                _Entry(
                    a.created_at,
                    msg("triage.queue.volunteer", id=a.id, name=a.name, when=a.created_at),
                    Button(msg("triage.queue.open_volunteer", id=a.id), OpenVolunteerCard(a.id)),
                )
            )
    reports = (await waiting_for_review(uow, actor, now, centre_id=centre, limit=SCAN)).items
    for hours_view in reports:
        report = hours_view.report
        entries.append(
            _Entry(
                report.created_at,
                msg(
                    "triage.queue.hours",
                    id=report.id,
                    name=hours_view.person.display_name,
                    day=report.day,
                    centre=hours_view.centre.name(turn.locale),
                    when=report.created_at,
                ),
                Button(msg("triage.queue.open_hours", id=report.id), OpenHoursCard(report.id)),
            )
        )
    # Messages to the staff that wait for an answer (the person's own words: not shown here,
    # the Reply button shows them, audited), in every centre filter of the person's.
    talks = await conversations.waiting(uow, actor, now, limit=SCAN) if centre is None else []
    for talk in talks:
        entries.append(
            _Entry(
                talk.last_at,
                msg("help.queue.line", id=talk.id, name=talk.name, when=talk.last_at),
                Button(msg("help.staff.button.reply", id=talk.id), StaffReply(talk.id)),
            )
        )
    # Through the service: a look at what needs a person is audited (names, what was written).
    waiting = await deliveries.needing_a_person(uow, actor, now)
    if centre is None:  # an update belongs to no centre
        for unhandled in waiting.updates:
            update = unhandled.update
            who = (
                msg("triage.queue.parked_person", name=unhandled.person.display_name)
                if unhandled.person is not None
                else msg("triage.queue.parked_stranger", id=str(update.sender_id or "?"))
            )
            entries.append(
                _Entry(
                    update.received_at,
                    msg(
                        "triage.queue.parked",
                        id=str(update.update_id),  # an id: no digit grouping
                        who=who,
                        when=update.received_at,
                        reason=update.reason,
                    ),
                    Button(
                        msg("triage.queue.handle_again", id=str(update.update_id)),
                        HandleAgain(update.update_id),
                    ),
                )
            )
    entries.sort(key=lambda e: e.at)
    pages = max(1, -(-len(entries) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = entries[page * PAGE : (page + 1) * PAGE]
    title = (
        msg(
            "triage.queue.title_centre",
            centre=next(c for c in centres if c.id == centre_id).name(turn.locale),
        )
        if centre_id
        else msg("triage.queue.title")
    )
    parts = [
        title,
        msg(
            "triage.queue.counts",
            requests=request_count,
            volunteers=volunteer_count,
            hours=len(reports),
        ),
    ]
    if (await access.scope_of(uow, actor)).centres == frozenset():
        # Staff of no centre and no coordinator see nothing: say why, and who can change it.
        parts.append(msg("membership.no_centre"))
    if talks:
        parts.append(msg("help.queue.count", count=len(talks)))
    if waiting.updates and centre is None:
        parts.append(msg("triage.queue.parked_count", count=len(waiting.updates)))
    if waiting.people:
        parts.append(msg("triage.queue.deliveries", count=len(waiting.people)))
    if shown:
        parts.append(msg("triage.queue.page", page=page + 1, pages=pages))
        parts += [e.line for e in shown]
    else:
        parts.append(msg("triage.queue.empty"))
    rows: list[tuple[Button, ...]] = [
        tuple(e.button for e in shown[i : i + 2]) for i in range(0, len(shown), 2)
    ]
    paging: list[Button] = []
    if page > 0:
        paging.append(Button(msg("triage.queue.previous"), QueuePage(centre_id, page - 1)))
    if page + 1 < pages:
        paging.append(Button(msg("triage.queue.next"), QueuePage(centre_id, page + 1)))
    if paging:
        rows.append(tuple(paging))
    filters = [
        Button(msg("triage.queue.centre", centre=c.name(turn.locale)), QueuePage(c.id, 0))
        for c in centres
        if c.id != centre_id
    ]
    if centre_id:
        filters.insert(0, Button(msg("triage.queue.all"), QueuePage(0, 0)))
    rows += [tuple(filters[i : i + 2]) for i in range(0, len(filters), 2)]
    rows.append((MENU,))
    turn.say(*parts, buttons=tuple(rows))
