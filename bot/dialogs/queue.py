"""`/queue`: what waits for staff, oldest first, with counts per kind and a filter by centre.

Service requests still open, volunteer applications and hour reports waiting for a decision, in
one list by age, a page at a time; each entry's button opens its card. Staff only: anyone else
is refused and the attempt audited. Buttons: `QueuePage(centre id or 0, page)`; each entry opens
its card through triage's buttons.
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
from bot.dialogs.registry import Dialog, Next
from bot.domain.dialogs import DialogState
from bot.domain.errors import PermissionDenied
from bot.domain.replies import Button, Msg, msg
from bot.domain.requests import OPEN
from bot.services import access, cards, requests
from bot.services import volunteers as volunteer_service
from bot.services.hours import waiting_for_review

PAGE = 8
SCAN = 200  # per kind: a co-op's waiting work is far less; the count says "200+" beyond it

DIALOG = Dialog("queue", prefixes=("tq",))
DIALOGS = (DIALOG,)


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
        turn.say(msg("error.permission_denied"), buttons=((MENU,),))
    return state


@DIALOG.button(QueuePage)
async def _page_pressed(turn: Turn, pressed: QueuePage, state: DialogState | None) -> Next:
    """A page or a centre filter; an unknown centre shows all, a page beyond the end the last."""
    await show(turn, centre_id=pressed.centre_id, page=pressed.page)
    return state


async def show(turn: Turn, centre_id: int = 0, page: int = 0) -> None:
    """One page of the queue, of one centre (`centre_id`) or of all (0)."""
    await access.require_staff(
        turn.uow, turn.actor, turn.now, refused=cards.REFUSED, subject="queue"
    )
    uow, actor, now = turn.uow, turn.actor, turn.now
    centres = list(await uow.centres.all())
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
