"""Use cases of broadcasts.

Staff compose, schedule, pause, resume and cancel; everyone else is refused and audited. A
staff member of some centres (bot.services.access) may address, count and control broadcasts
to those centres only (the CENTRE audience); every other audience is the whole co-op's, for
admins and coordinators. People
opt out of (or into) a kind of broadcast. The API the other doors use (the web desk, the
scheduler) is: `audience_count`, `preview`, `create`, `pause`, `resume`, `cancel`, `progress`,
`upcoming`, `start_due_broadcasts`.

Pause, resume, keep and cancel record the broadcast's progress (`BroadcastProgressed`), so its
progress message shows the change whichever door it came from. While a question (cancel?) is
on the progress message, progress edits wait (`ask_cancel` marks it, `keep` and `cancel` end
it). A cancel is final and exact: the rows not yet taken by a sender are dropped, and "not
sent" counts them and the audience the pump had not reached yet (the same query as the pages).

The pump that turns a running broadcast into outbox rows is a runtime loop
(bot/runtime/broadcast_pump.py); it calls `start_due_broadcasts` and `delivery_progress` here.

What people read is not composed here. The copies of a page of recipients come from the
`Copies` the pump is given at composition (bot/notices/broadcasts.py: the text in each reader's
language with its "stop these messages" button), rendered in one pass and queued in a few
statements. The coordinator's progress and the final summary are consequences of the events
the pump records (`BroadcastProgressed` every few seconds, `BroadcastFinished` once).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.broadcasts import (
    OPEN_STATUSES,
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastChanged,
    BroadcastKind,
    BroadcastStatus,
    Draft,
    Progress,
    Recipient,
    Unreached,
    check_draft,
    check_send_at,
    estimate_finish,
    receives_by_default,
)
from bot.domain.coop import Assembly, BusinessCentre
from bot.domain.errors import DomainError
from bot.domain.events import ActionUndone, BroadcastHeld, BroadcastProgressed
from bot.domain.outbound import OutboundMessage
from bot.domain.people import Actor
from bot.domain.replies import Msg, Reply, msg
from bot.domain.undo import UNDO_WINDOW, UndoKind, may_undo
from bot.ports.line import LineQuota, MonthQuota
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.services import access, line_quota

log = logging.getLogger(__name__)

HOLD = timedelta(days=3650)  # "not before" of a paused broadcast's rows: until resumed
REFUSED = "broadcast.refused"  # every use case here is staff's
LANGUAGES = ("ja", "en")  # a broadcast is composed in both
PROGRESS_EVERY = timedelta(seconds=3)
DEFAULT_RATE = 30.0  # Telegram's free limit: the estimate where the configured rate is unknown


class Copies(Protocol):
    """The copies of a broadcast for one page of its recipients, each in the reader's language:
    (person id, message) per recipient (bot/notices/broadcasts.py, given at composition)."""

    def __call__(
        self, draft: Draft, page: Sequence[Recipient]
    ) -> Sequence[tuple[int, OutboundMessage]]: ...


@dataclass(frozen=True)
class AudienceCount:
    recipients: int
    opted_out: int


async def _get(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    subject = f"broadcast:{broadcast_id}"
    await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    broadcast = await uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise DomainError("broadcast_unknown")
    await _require_audience(uow, actor, now, broadcast.draft.audience, subject)
    return broadcast


def _audience_centre(audience: Audience) -> int | None:
    """The one centre an audience is of (CENTRE); None: the whole co-op's."""
    return audience.centre_id if audience.kind is AudienceKind.CENTRE else None


async def _require_audience(
    uow: UnitOfWork, actor: Actor, now: datetime, audience: Audience, subject: str
) -> None:
    await access.require_in_scope(
        uow, actor, now, _audience_centre(audience), refused=REFUSED, subject=subject
    )


# -- composing ---------------------------------------------------------------------------


def message(draft: Draft, locale: str) -> Msg:
    """What a reader of `locale` reads: the text in their language, never blank (the fallback
    where that language has none). Every door's preview and every copy say this."""
    return msg("broadcasts.message", text=draft.text_for(locale))


def preview(draft: Draft) -> dict[str, Reply]:
    """What readers of each language will read (a missing language shows the fallback); the
    Telegram copies add a button to stop messages of this kind."""
    check_draft(draft)
    return {locale: Reply(parts=(message(draft, locale),)) for locale in LANGUAGES}


async def audience_count(
    uow: UnitOfWork, actor: Actor, audience: Audience, kind: BroadcastKind, now: datetime
) -> AudienceCount:
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="broadcast:count")
    await _require_audience(uow, actor, now, audience, "broadcast:count")
    recipients, opted_out = await uow.broadcasts.count_audience(audience, kind)
    return AudienceCount(recipients, opted_out)


async def create(
    uow: UnitOfWork,
    actor: Actor,
    draft: Draft,
    *,
    now: datetime,
    send_at: datetime | None = None,
    coordinator_chat_id: int | None = None,
) -> Broadcast:
    """A broadcast that starts at `send_at` (None: now, at the pump's next step)."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="broadcast:create")
    await _require_audience(uow, actor, now, draft.audience, "broadcast:create")
    check_draft(draft)
    when = now if send_at is None else check_send_at(send_at, now)
    if draft.audience.centre_id is not None and draft.audience.centre_id not in {
        c.id for c in await uow.centres.all()
    }:
        raise DomainError("broadcast_audience")
    assembly_id = draft.audience.assembly_id
    if assembly_id is not None and await uow.assemblies.get(assembly_id) is None:
        raise DomainError("broadcast_audience")
    broadcast = await uow.broadcasts.add(
        draft,
        status=BroadcastStatus.SCHEDULED,
        created_by=actor.person_id,
        created_at=now,
        send_at=when,
        coordinator_chat_id=coordinator_chat_id,
        coordinator_locale=actor.locale,
    )
    await uow.audit.add(
        now,
        actor.person_id,
        "broadcast.created",
        f"broadcast:{broadcast.id}",
        {"audience": draft.audience.kind.value, "kind": draft.kind.value},
    )
    return broadcast


async def send_now(
    uow: UnitOfWork,
    actor: Actor,
    draft: Draft,
    *,
    now: datetime,
    coordinator_chat_id: int | None = None,
) -> Broadcast:
    """ "Send now": a broadcast that starts once the few minutes in which its coordinator may
    undo it are over (bot.domain.undo), waiting as a scheduled one until then: nobody receives
    anything before, and `undo_send` stops it for good."""
    return await create(
        uow,
        actor,
        draft,
        now=now,
        send_at=now + UNDO_WINDOW,
        coordinator_chat_id=coordinator_chat_id,
    )


async def undo_send(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    """Takes back the actor's own "send now" within the undo window, before the pump started
    it: cancelled, nobody received anything (`cancel`, audited; and `broadcast.undone`).
    Errors: undo_expired, undo_already; another's broadcast is refused, audited."""
    broadcast = await _get(uow, actor, broadcast_id, now)
    subject = f"broadcast:{broadcast_id}"
    if broadcast.created_by != actor.person_id:
        await access.refuse(uow, actor, now, REFUSED, subject)
    if broadcast.status is BroadcastStatus.CANCELLED and broadcast.started_at is None:
        raise DomainError("undo_already")
    if broadcast.started_at is not None or not may_undo(broadcast.created_at, now):
        raise DomainError("undo_expired")
    if broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.PAUSED):
        raise DomainError("undo_acted")
    cancelled = await cancel(uow, actor, broadcast_id, now)
    await uow.audit.add(now, actor.person_id, "broadcast.undone", subject)
    uow.record(
        ActionUndone(
            at=now,
            kind=UndoKind.BROADCAST_SEND,
            subject=broadcast_id,
            person_id=actor.person_id or 0,
        )
    )
    return cancelled


async def upcoming(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 20
) -> list[Broadcast]:
    """Broadcasts not finished yet (scheduled, running, paused), soonest first; those the
    staff member's scope covers."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="broadcast:list")
    scope = await access.scope_of(uow, actor)
    found = await uow.broadcasts.with_status(OPEN_STATUSES, limit)
    return [b for b in found if scope.covers(_audience_centre(b.draft.audience))]


async def get(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    return await _get(uow, actor, broadcast_id, now)


async def centres(uow: UnitOfWork, actor: Actor, now: datetime) -> list[BusinessCentre]:
    """The business centres one may address (the CENTRE audience): those in one's scope."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="broadcast:centres")
    scope = await access.scope_of(uow, actor)
    return [c for c in await uow.centres.all() if scope.covers(c.id)]


async def open_notices(uow: UnitOfWork, actor: Actor, now: datetime) -> list[Assembly]:
    """Assembly notices still open for answers (the NO_ANSWER audience), soonest first."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="broadcast:notices")
    return [a for a in await uow.assemblies.upcoming(now, 20) if a.answer_by > now]


# -- control -----------------------------------------------------------------------------


async def _change(uow: UnitOfWork, broadcast: Broadcast, new: Broadcast) -> Broadcast:
    if not await uow.broadcasts.save(new, was=broadcast.status, was_cursor=broadcast.cursor):
        raise BroadcastChanged()  # another replica moved it meanwhile: try again
    return new


async def _show(uow: UnitOfWork, broadcast: Broadcast, now: datetime) -> None:
    """Its progress message (once there is one) shows what just changed, with counts as of now:
    the consequence edits it (bot/notices/broadcasts.py)."""
    if broadcast.progress_outbox_id is None:
        return
    state = await delivery_progress(uow, broadcast, now, DEFAULT_RATE)
    uow.record(BroadcastProgressed(at=now, broadcast_id=broadcast.id, progress=state))


async def pause(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.status not in (BroadcastStatus.RUNNING, BroadcastStatus.SCHEDULED):
        raise DomainError("broadcast_not_running", status=broadcast.status.value)
    paused = await _change(uow, broadcast, replace(broadcast, status=BroadcastStatus.PAUSED))
    # The rows not claimed yet wait; a sender holds at most half a second's worth of others
    # (bot/runtime/sender.py), so sending stops within a second.
    await uow.broadcasts.hold(broadcast_id, now + HOLD)
    await uow.audit.add(now, actor.person_id, "broadcast.paused", f"broadcast:{broadcast_id}")
    await _show(uow, paused, now)
    return paused


async def resume(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.status is not BroadcastStatus.PAUSED:
        raise DomainError("broadcast_not_paused", status=broadcast.status.value)
    # A paused scheduled broadcast whose time has not come goes back to waiting for it.
    status = BroadcastStatus.RUNNING if broadcast.started_at else BroadcastStatus.SCHEDULED
    resumed = await _change(uow, broadcast, replace(broadcast, status=status))
    await uow.broadcasts.hold(broadcast_id, now)
    await uow.audit.add(now, actor.person_id, "broadcast.resumed", f"broadcast:{broadcast_id}")
    await _show(uow, resumed, now)
    return resumed


async def ask_cancel(
    uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime, on_message: int | None
) -> Broadcast:
    """The coordinator pressed Cancel and is asked to confirm. If the question replaces the
    progress message (`on_message` is its Telegram id), progress edits wait for the answer."""
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.status not in OPEN_STATUSES:
        raise DomainError("broadcast_finished", status=broadcast.status.value)
    progress_message = (
        None
        if broadcast.progress_outbox_id is None
        else await uow.broadcasts.message_id(broadcast.progress_outbox_id)
    )
    if on_message is not None and on_message == progress_message:
        await uow.broadcasts.set_asking(broadcast_id, True)
        broadcast = replace(broadcast, asking=True)
    return broadcast


async def keep(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    """The coordinator decided not to cancel: the progress message shows the progress again."""
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.asking:
        await uow.broadcasts.set_asking(broadcast_id, False)
        broadcast = replace(broadcast, asking=False)
    await _show(uow, broadcast, now)
    return broadcast


async def cancel(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    """Stops it for good: rows no sender has claimed yet are dropped (claimed ones still go).

    `planned` becomes every row made plus everyone the pump had not reached, so that the
    progress says exactly how many will never get it. A broadcast that had begun is finished
    by the pump once the messages on their way are settled (the final counts, the summary)."""
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.status not in OPEN_STATUSES:
        raise DomainError("broadcast_finished", status=broadcast.status.value)
    made = sum((await uow.broadcasts.delivery_counts(broadcast_id)).values())
    unmade = 0
    if not broadcast.materialised:
        unmade, _ = await uow.broadcasts.count_audience(
            broadcast.draft.audience, broadcast.draft.kind, after=broadcast.cursor
        )
    begun = broadcast.started_at is not None
    cancelled = await _change(
        uow,
        broadcast,
        replace(
            broadcast,
            status=BroadcastStatus.CANCELLED,
            materialised=True,
            planned=made + unmade,
            finished_at=None if begun else now,
        ),
    )
    dropped = await uow.broadcasts.drop_pending(broadcast_id)
    if broadcast.asking:
        await uow.broadcasts.set_asking(broadcast_id, False)
        cancelled = replace(cancelled, asking=False)
    await uow.audit.add(
        now,
        actor.person_id,
        "broadcast.cancelled",
        f"broadcast:{broadcast_id}",
        {"not_sent": dropped + unmade},
    )
    await _show(uow, cancelled, now)
    return cancelled


async def progress(
    uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime, rate: float = DEFAULT_RATE
) -> tuple[Broadcast, Progress]:
    broadcast = await _get(uow, actor, broadcast_id, now)
    return broadcast, await delivery_progress(uow, broadcast, now, rate)


async def delivery_progress(
    uow: UnitOfWork, broadcast: Broadcast, now: datetime, rate: float
) -> Progress:
    """How far a broadcast has gone (no access check: `progress` is the staff's door, the pump
    records it as events)."""
    counts = await uow.broadcasts.delivery_counts(broadcast.id)
    sent, failed = counts.get("sent", 0), counts.get("failed", 0)
    pending = counts.get("pending", 0) + counts.get("sending", 0)
    made = sent + failed + pending
    total = made if broadcast.materialised else max(made, broadcast.planned)
    if broadcast.status is BroadcastStatus.DONE:
        total = made
    if broadcast.status is BroadcastStatus.CANCELLED:
        total = max(made, broadcast.planned)  # what was dropped or never made is not sent
    left = max(0, total - sent - failed)
    finish = None
    if broadcast.status is BroadcastStatus.RUNNING:
        finish = estimate_finish(now, left, rate, broadcast.started_at, sent + failed)
    return Progress(
        total=made,
        sent=sent,
        failed=failed,
        pending=pending,
        estimated_total=total,
        finish_at=finish,
    )


async def unreached(
    uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime, limit: int = 1000
) -> list[Unreached]:
    await _get(uow, actor, broadcast_id, now)
    return list(await uow.broadcasts.unreached(broadcast_id, limit))


# -- the people who receive them ---------------------------------------------------------


async def set_preference(
    uow: UnitOfWork, actor: Actor, kind: BroadcastKind, receive: bool, now: datetime
) -> None:
    """A person chooses to receive (or not) broadcasts of one kind."""
    if actor.person_id is None:
        raise DomainError("broadcast_unknown_person")
    await uow.broadcasts.set_preference(actor.person_id, kind, receive, now)


async def preferences(uow: UnitOfWork, actor: Actor) -> dict[BroadcastKind, bool]:
    """Whether the person receives each kind: what they chose, else the kind's default (the
    newsletter is sent only to those who opted in: `OPT_IN_KINDS`). The store's recipients
    query follows the same rule."""
    if actor.person_id is None:
        raise DomainError("broadcast_unknown_person")
    out = await uow.broadcasts.opted_out(actor.person_id)
    opted_in = await uow.broadcasts.opted_in(actor.person_id)
    return {
        kind: kind in opted_in or (kind not in out and receives_by_default(kind))
        for kind in BroadcastKind
    }


# -- starting and running ----------------------------------------------------------------


class _LineBudget:
    """What is left of LINE's monthly messages for the broadcasts one call starts: read from
    LINE once, when the first of them reaches anyone on LINE."""

    def __init__(self, quota: LineQuota | None) -> None:
        self._quota = quota
        self._month: MonthQuota | None = None
        self._asked = False
        self.spent = 0  # by the broadcasts started in this call
        # The one just refused: (its LINE messages, the plan's limit, used with this call's)
        self.refused = (0, 0, 0)

    async def allows(self, uow: UnitOfWork, broadcast: Broadcast) -> bool:
        if self._quota is None:
            return True
        draft = broadcast.draft
        needed = await line_quota.line_recipients(uow, draft.audience, draft.kind)
        if needed == 0:
            return True
        if not self._asked:
            self._month, self._asked = await line_quota.month_or_none(self._quota), True
        month = self._month
        # LINE unknown just now, or a plan without a limit: not held, as at compose time.
        limit = None if month is None else month.limit
        if month is not None and limit is not None and needed > limit - month.used - self.spent:
            self.refused = (needed, limit, month.used + self.spent)
            return False
        self.spent += needed
        return True


async def _hold(uow: UnitOfWork, broadcast: Broadcast, now: datetime, budget: _LineBudget) -> None:
    held = replace(broadcast, status=BroadcastStatus.PAUSED)
    if not await uow.broadcasts.save(
        held, was=BroadcastStatus.SCHEDULED, was_cursor=broadcast.cursor
    ):
        return  # another replica started or held it meanwhile
    needed, limit, used = budget.refused
    await uow.audit.add(
        now,
        broadcast.created_by,
        "broadcast.held",
        f"broadcast:{broadcast.id}",
        {"line_messages": needed, "left": max(0, limit - used)},
    )
    uow.record(
        BroadcastHeld(
            at=now, broadcast_id=broadcast.id, line_messages=needed, limit=limit, used=used
        )
    )
    log.info("broadcast %s held: not enough of LINE's monthly messages", broadcast.id)


async def start_due_broadcasts(
    uow_factory: UnitOfWorkFactory, now: datetime, quota: LineQuota | None = None
) -> list[int]:
    """Starts every scheduled broadcast whose time has come; returns their ids.

    Safe to call from several places and replicas at once (the scheduler, the pump): a
    broadcast is started by one conditional update, and a call that loses changes nothing.
    A broadcast due while Kyodo was down starts when it comes back.

    With `quota` (LINE's, when LINE is on), what it costs of LINE's monthly messages is counted
    again now, as when it was composed (bot/services/line_quota.py): the month's messages may have
    gone since it was scheduled. One that would go past what is left is held (paused, not
    started, nothing sent) and its coordinator told (`BroadcastHeld`); Resume brings it back to
    be checked again. Broadcasts starting in one call share what is left.
    """
    started: list[int] = []
    async with uow_factory() as uow:
        budget = _LineBudget(quota)
        for broadcast in await uow.broadcasts.due(now, 50):
            if not await budget.allows(uow, broadcast):
                await _hold(uow, broadcast, now, budget)
                continue
            recipients, opted_out = await uow.broadcasts.count_audience(
                broadcast.draft.audience, broadcast.draft.kind
            )
            running = replace(
                broadcast,
                status=BroadcastStatus.RUNNING,
                started_at=now,
                planned=recipients,
                skipped=opted_out,
            )
            if await uow.broadcasts.save(
                running, was=BroadcastStatus.SCHEDULED, was_cursor=broadcast.cursor
            ):
                started.append(broadcast.id)
                await uow.audit.add(
                    now, broadcast.created_by, "broadcast.started", f"broadcast:{broadcast.id}"
                )
        await uow.commit()
    if started:
        log.info("broadcasts started: %s", started)
    return started
