"""Use cases of broadcasts, and the pump that turns a running broadcast into outbox rows.

Staff compose, schedule, pause, resume and cancel; everyone else is refused and audited. People
opt out of (or into) a kind of broadcast. The API the other doors use (the web desk, the
scheduler) is: `audience_count`, `preview`, `create`, `pause`, `resume`, `cancel`, `progress`,
`upcoming`, `start_due_broadcasts`.

`BroadcastPump` runs beside the outbox sender. For each running broadcast it streams the next
chunk of recipients from the store (keyset pagination after the broadcast's cursor) and queues
their messages with a unique dedupe key (broadcast id, person id) in the same transaction that
moves the cursor: a kill at any moment resumes after the last committed chunk and queues nobody
twice. It keeps only a few seconds' worth of rows ahead of the sender, so a pause holds back
almost everything, and it edits the coordinator's progress message every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NoReturn, Protocol

from bot.domain.broadcasts import (
    OPEN_STATUSES,
    Audience,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Draft,
    Progress,
    Unreached,
    check_draft,
    check_send_at,
    estimate_finish,
)
from bot.domain.coop import Assembly, BusinessCentre
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.outbound import OutboundMessage
from bot.domain.people import Actor
from bot.domain.replies import Button, Msg, Reply, msg
from bot.i18n import resolve_locale
from bot.ports.clock import Clock
from bot.ports.store import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

HOLD = timedelta(days=3650)  # "not before" of a paused broadcast's rows: until resumed
UNREACHED_SHOWN = 200  # names looked up for the final summary
SUMMARY_CHARS = 3000  # of names in it; the rest are counted
PROGRESS_EVERY = timedelta(seconds=3)
DEFAULT_RATE = 30.0  # Telegram's free limit: the estimate where the configured rate is unknown


class Render(Protocol):
    """What `bot.rendering.Renderer.render` does: a reply as final text in one language."""

    def render(
        self,
        reply: Reply,
        chat_id: int,
        locale: str,
        *,
        edit_message_id: int | None = None,
        is_group: bool = False,
    ) -> OutboundMessage: ...


@dataclass(frozen=True)
class AudienceCount:
    recipients: int
    opted_out: int


# -- permission --------------------------------------------------------------------------


async def _refuse(uow: UnitOfWork, actor: Actor, now: datetime, subject: str) -> NoReturn:
    await uow.audit.add(now, actor.person_id, "broadcast.refused", subject)
    raise PermissionDenied("broadcast.refused")


async def _require_staff(uow: UnitOfWork, actor: Actor, now: datetime, subject: str) -> None:
    if actor.person_id is None or not actor.is_staff:
        # Commit the audit row even though the caller's work is refused.
        await _refuse(uow, actor, now, subject)


async def _get(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    await _require_staff(uow, actor, now, f"broadcast:{broadcast_id}")
    broadcast = await uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise DomainError("broadcast_unknown")
    return broadcast


# -- composing ---------------------------------------------------------------------------


def message_for(draft: Draft, locale: str) -> Reply:
    """A broadcast exactly as one reader gets it: the text in their language (never blank) and
    a button to stop messages of this kind."""
    return Reply(
        parts=(msg("broadcasts.message", text=draft.text_for(locale)),),
        buttons=((Button(msg("broadcasts.button.stop"), f"bc:o:{draft.kind.value}"),),),
    )


def preview(draft: Draft) -> dict[str, Reply]:
    """What readers of each language will see (a missing language shows the fallback)."""
    check_draft(draft)
    return {locale: message_for(draft, locale) for locale in ("ja", "en")}


async def audience_count(
    uow: UnitOfWork, actor: Actor, audience: Audience, kind: BroadcastKind, now: datetime
) -> AudienceCount:
    await _require_staff(uow, actor, now, "broadcast:count")
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
    await _require_staff(uow, actor, now, "broadcast:create")
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


async def upcoming(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 20
) -> list[Broadcast]:
    """Broadcasts not finished yet (scheduled, running, paused), soonest first."""
    await _require_staff(uow, actor, now, "broadcast:list")
    return list(await uow.broadcasts.with_status(OPEN_STATUSES, limit))


async def get(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    return await _get(uow, actor, broadcast_id, now)


async def centres(uow: UnitOfWork, actor: Actor, now: datetime) -> list[BusinessCentre]:
    """The business centres one may address (the CENTRE audience)."""
    await _require_staff(uow, actor, now, "broadcast:centres")
    return list(await uow.centres.all())


async def open_notices(uow: UnitOfWork, actor: Actor, now: datetime) -> list[Assembly]:
    """Assembly notices still open for answers (the NO_ANSWER audience), soonest first."""
    await _require_staff(uow, actor, now, "broadcast:notices")
    return [a for a in await uow.assemblies.upcoming(now, 20) if a.answer_by > now]


# -- control -----------------------------------------------------------------------------


async def _change(uow: UnitOfWork, broadcast: Broadcast, new: Broadcast) -> Broadcast:
    if not await uow.broadcasts.save(new, was=broadcast.status, was_cursor=broadcast.cursor):
        raise DomainError("broadcast_changed")  # another replica moved it meanwhile: try again
    return new


async def pause(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.status not in (BroadcastStatus.RUNNING, BroadcastStatus.SCHEDULED):
        raise DomainError("broadcast_not_running", status=broadcast.status.value)
    paused = await _change(uow, broadcast, replace(broadcast, status=BroadcastStatus.PAUSED))
    await uow.broadcasts.hold(broadcast_id, now + HOLD)
    await uow.audit.add(now, actor.person_id, "broadcast.paused", f"broadcast:{broadcast_id}")
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
    return resumed


async def cancel(uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    """Stops it for good: rows no sender has claimed yet are dropped (claimed ones still go)."""
    broadcast = await _get(uow, actor, broadcast_id, now)
    if broadcast.status not in OPEN_STATUSES:
        raise DomainError("broadcast_finished", status=broadcast.status.value)
    cancelled = await _change(
        uow, broadcast, replace(broadcast, status=BroadcastStatus.CANCELLED, finished_at=now)
    )
    await uow.broadcasts.drop_pending(broadcast_id)
    await uow.audit.add(now, actor.person_id, "broadcast.cancelled", f"broadcast:{broadcast_id}")
    return cancelled


async def progress(
    uow: UnitOfWork, actor: Actor, broadcast_id: int, now: datetime, rate: float = DEFAULT_RATE
) -> tuple[Broadcast, Progress]:
    broadcast = await _get(uow, actor, broadcast_id, now)
    return broadcast, await _progress(uow, broadcast, now, rate)


async def _progress(uow: UnitOfWork, broadcast: Broadcast, now: datetime, rate: float) -> Progress:
    counts = await uow.broadcasts.delivery_counts(broadcast.id)
    sent, failed = counts.get("sent", 0), counts.get("failed", 0)
    pending = counts.get("pending", 0) + counts.get("sending", 0)
    made = sent + failed + pending
    total = made if broadcast.materialised else max(made, broadcast.planned)
    if broadcast.status in (BroadcastStatus.CANCELLED, BroadcastStatus.DONE):
        total = made
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
    """Whether the person receives each kind: opted out is False, opted in or not chosen True;
    the newsletter (NEWS) is only sent to those who opted in."""
    if actor.person_id is None:
        raise DomainError("broadcast_unknown_person")
    out = await uow.broadcasts.opted_out(actor.person_id)
    opted_in = await uow.broadcasts.opted_in(actor.person_id)
    return {
        kind: (kind in opted_in) if kind is BroadcastKind.NEWS else kind not in out
        for kind in BroadcastKind
    }


# -- starting and running ----------------------------------------------------------------


async def start_due_broadcasts(uow_factory: UnitOfWorkFactory, now: datetime) -> list[int]:
    """Starts every scheduled broadcast whose time has come; returns their ids.

    Safe to call from several places and replicas at once (the scheduler, the pump): a
    broadcast is started by one conditional update, and a call that loses changes nothing.
    A broadcast due while Kyodo was down starts when it comes back.
    """
    started: list[int] = []
    async with uow_factory() as uow:
        for broadcast in await uow.broadcasts.due(now, 50):
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


Sleep = Callable[[float], Awaitable[None]]


class BroadcastPump:
    """Queues running broadcasts' messages chunk by chunk and reports their progress."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        renderer: Render,
        clock: Clock,
        *,
        rate: float = 30.0,
        default_locale: str = "ja",
        chunk: int | None = None,
        ahead_seconds: float = 5.0,
        progress_every: timedelta = PROGRESS_EVERY,
        poll_interval: float = 1.0,
        on_queued: Callable[[], None] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`ahead_seconds`: how much sending the queued, unsent rows may hold (a pause stops
        about that much later, and the sender never runs dry waiting for the next chunk)."""
        self._uow = uow_factory
        self._renderer = renderer
        self._clock = clock
        self._rate = rate
        self._default_locale = default_locale
        self._ahead = max(100, math.ceil(rate * ahead_seconds))
        self._chunk = chunk or max(50, min(1000, math.ceil(rate)))
        self._progress_every = progress_every
        self._poll_interval = poll_interval
        self._on_queued = on_queued
        self._sleep = sleep
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                busy = await self.step()
            except Exception:
                log.exception("broadcast pump step failed; trying again shortly")
                busy = False
            if self._stopping:
                return
            if busy:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)
            self._wakeup.clear()

    async def step(self) -> bool:
        """One pass over running broadcasts; True when there is more to queue right away."""
        now = self._clock.now()
        await start_due_broadcasts(self._uow, now)
        async with self._uow() as uow:
            running = await uow.broadcasts.with_status(frozenset({BroadcastStatus.RUNNING}), 20)
        busy = False
        for broadcast in running:
            busy = await self._advance(broadcast.id, now) or busy
            await self._report(broadcast.id, self._clock.now())
        return busy

    async def _advance(self, broadcast_id: int, now: datetime) -> bool:
        """Queues the next chunk if few enough rows wait; True if it queued one."""
        async with self._uow() as uow:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.status is not BroadcastStatus.RUNNING:
                return False
            if broadcast.materialised:
                return False
            if await uow.broadcasts.unsent(broadcast_id) >= self._ahead:
                return False
            page = await uow.broadcasts.recipients(
                broadcast.draft.audience, broadcast.draft.kind, broadcast.cursor, self._chunk
            )
            messages = []
            for recipient in page:
                locale = resolve_locale(
                    recipient.locale, recipient.telegram_language, self._default_locale
                )
                reply = message_for(broadcast.draft, locale)
                messages.append(
                    (
                        recipient.person_id,
                        self._renderer.render(reply, recipient.telegram_user_id, locale),
                    )
                )
            await uow.broadcasts.queue(broadcast_id, messages, now)
            advanced = replace(
                broadcast,
                cursor=page[-1].person_id if page else broadcast.cursor,
                materialised=len(page) < self._chunk,
            )
            if not await uow.broadcasts.save(
                advanced, was=BroadcastStatus.RUNNING, was_cursor=broadcast.cursor
            ):
                return False  # another replica took this chunk, or it was paused meanwhile
            await uow.commit()
        if messages and self._on_queued is not None:
            self._on_queued()
        return bool(page) and not advanced.materialised

    async def _report(self, broadcast_id: int, now: datetime) -> None:
        """Edits the progress message (at most every few seconds), or finishes the broadcast."""
        async with self._uow() as uow:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.status is not BroadcastStatus.RUNNING:
                return
            state = await _progress(uow, broadcast, now, self._rate)
            finished = broadcast.materialised and state.pending == 0
            if finished:
                broadcast = await self._finish(uow, broadcast, state, now)
                if broadcast is None:
                    return
            elif (
                broadcast.progress_at is not None
                and now - broadcast.progress_at < self._progress_every
            ):
                return
            updated = await self._progress_message(uow, broadcast, state, now)
            if finished:
                # After the last progress edit, so that it reads "finished" when this arrives.
                await self._summary(uow, broadcast, state, now)
            if updated is None:
                if finished:
                    await uow.commit()
                return
            was = BroadcastStatus.DONE if finished else BroadcastStatus.RUNNING
            if await uow.broadcasts.save(updated, was=was, was_cursor=broadcast.cursor):
                await uow.commit()
        if self._on_queued is not None:
            self._on_queued()

    async def _finish(
        self, uow: UnitOfWork, broadcast: Broadcast, state: Progress, now: datetime
    ) -> Broadcast | None:
        done = replace(broadcast, status=BroadcastStatus.DONE, finished_at=now)
        if not await uow.broadcasts.save(
            done, was=BroadcastStatus.RUNNING, was_cursor=broadcast.cursor
        ):
            return None
        await uow.audit.add(
            now,
            None,
            "broadcast.done",
            f"broadcast:{broadcast.id}",
            {"sent": state.sent, "failed": state.failed},
        )
        return done

    async def _summary(
        self, uow: UnitOfWork, broadcast: Broadcast, state: Progress, now: datetime
    ) -> None:
        if broadcast.coordinator_chat_id is None:
            return
        missed = await uow.broadcasts.unreached(broadcast.id, UNREACHED_SHOWN + 1)
        reply = summary(broadcast, state, missed)
        rendered = self._renderer.render(
            reply, broadcast.coordinator_chat_id, broadcast.coordinator_locale
        )
        await uow.outbox.add(rendered, now, dedupe_key=f"bc:{broadcast.id}:summary")

    async def _progress_message(
        self, uow: UnitOfWork, broadcast: Broadcast, state: Progress, now: datetime
    ) -> Broadcast | None:
        chat_id = broadcast.coordinator_chat_id
        if chat_id is None:
            return None
        reply = progress_reply(broadcast, state)
        locale = broadcast.coordinator_locale
        text = self._renderer.render(reply, chat_id, locale).text
        if text == broadcast.progress_text:
            return None  # Telegram refuses an edit that changes nothing
        if broadcast.progress_outbox_id is None:
            outbox_id = await uow.outbox.add(
                self._renderer.render(reply, chat_id, locale),
                now,
                dedupe_key=f"bc:{broadcast.id}:progress",
            )
        else:
            message_id = await uow.broadcasts.message_id(broadcast.progress_outbox_id)
            if message_id is None:
                return None  # the first progress message has not gone out yet
            edit = replace(reply, edit=True)
            await uow.outbox.add(
                self._renderer.render(edit, chat_id, locale, edit_message_id=message_id), now
            )
            outbox_id = broadcast.progress_outbox_id
        return replace(broadcast, progress_outbox_id=outbox_id, progress_at=now, progress_text=text)


# -- what the coordinator reads ----------------------------------------------------------


def progress_reply(broadcast: Broadcast, state: Progress) -> Reply:
    """The progress message: counts, expected finish, and the buttons that still apply."""
    parts: list[Msg] = [
        msg(
            "broadcasts.progress",
            id=broadcast.id,
            status=msg(f"broadcasts.status.{broadcast.status.value}"),
            sent=state.sent,
            failed=state.failed,
            remaining=state.remaining,
        )
    ]
    if state.finish_at is not None and broadcast.status is BroadcastStatus.RUNNING:
        parts.append(msg("broadcasts.progress.finish", when=state.finish_at))
    return Reply(parts=tuple(parts), buttons=control_buttons(broadcast))


def control_buttons(broadcast: Broadcast) -> tuple[tuple[Button, ...], ...]:
    bid = broadcast.id
    if broadcast.status in (BroadcastStatus.RUNNING, BroadcastStatus.SCHEDULED):
        return (
            (
                Button(msg("broadcasts.button.pause"), f"bc:p:{bid}"),
                Button(msg("broadcasts.button.cancel"), f"bc:x:{bid}"),
            ),
        )
    if broadcast.status is BroadcastStatus.PAUSED:
        return (
            (
                Button(msg("broadcasts.button.resume"), f"bc:r:{bid}"),
                Button(msg("broadcasts.button.cancel"), f"bc:x:{bid}"),
            ),
        )
    return ()


def summary(broadcast: Broadcast, state: Progress, missed: Sequence[Unreached]) -> Reply:
    """The final report: counts, then who could not be reached, so staff can phone them.

    Names fill at most `SUMMARY_CHARS` (a Telegram message holds 4,096 characters, and a name
    may be long); the rest are counted, and the desk lists them all.
    """
    parts: list[Msg] = [
        msg("broadcasts.summary", id=broadcast.id, sent=state.sent, failed=state.failed)
    ]
    lines: list[str] = []
    used = 0
    for person in missed:
        line = f"・{person.display_name} (#{person.person_id})"
        if used + len(line) > SUMMARY_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        parts.append(msg("broadcasts.summary.unreached", names="\n".join(lines)))
    if state.failed > len(lines):
        parts.append(msg("broadcasts.summary.more", count=state.failed - len(lines)))
    if broadcast.skipped:
        parts.append(msg("broadcasts.summary.skipped", count=broadcast.skipped))
    return Reply(parts=tuple(parts))
