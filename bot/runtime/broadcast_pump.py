"""The broadcast pump: turns a running broadcast into outbox rows, chunk by chunk.

`BroadcastPump` runs beside the outbox sender. For each running broadcast it streams the next
chunk of recipients from the store (keyset pagination after the broadcast's cursor) and queues
their messages with a unique dedupe key (broadcast id, person id) in the same transaction that
moves the cursor: a kill at any moment resumes after the last committed chunk and queues nobody
twice. It keeps only a few seconds' worth of rows ahead of the sender, so a pause holds back
almost everything.

The use cases (compose, pause, resume, cancel, progress) are bot/services/broadcasts.py. What
people read comes from the `Copies` the pump is given at composition
(bot/notices/broadcasts.py); the coordinator's progress and the final summary are consequences of
the events it records (`BroadcastProgressed` every few seconds, `BroadcastFinished` once). A
cancelled broadcast is finished here too, once the messages on their way when it was cancelled
are settled, so that its final counts are true.

Its rows are bulk: the sender sends them with what people's answers leave of the rate. With
`line_batch` set (LINE is on), the copies to LINE people of a chunk that read the same are put in
batches of up to that many (LINE's multicast takes 500 people a request): a batch is named when
its rows are queued, in the same transaction, so it is the same batch after any kill, and it
goes in one request (handlers/line/multicast.py) while each row keeps its own outcome.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.broadcasts import Broadcast, BroadcastChanged, BroadcastStatus, Progress
from bot.domain.channels import Channel
from bot.domain.events import BroadcastFinished, BroadcastProgressed
from bot.domain.outbound import OutboundMessage
from bot.ports.clock import Clock
from bot.ports.line import LineQuota
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.runtime.step_loop import LoopWorker, StepLoop
from bot.runtime.wakeup import Sleep
from bot.services.broadcasts import (
    PROGRESS_EVERY,
    Copies,
    delivery_progress,
    start_due_broadcasts,
)

log = logging.getLogger(__name__)


class BroadcastPump(LoopWorker):
    """Queues running broadcasts' messages chunk by chunk and records their progress."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        copies: Copies,
        clock: Clock,
        *,
        rate: float = 30.0,
        chunk: int | None = None,
        ahead_seconds: float = 5.0,
        progress_every: timedelta = PROGRESS_EVERY,
        poll_interval: float = 1.0,
        on_queued: Callable[[], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        line_batch: int = 0,
        line_quota: LineQuota | None = None,
    ) -> None:
        """`copies` renders a page of recipients' messages; `ahead_seconds`: how much sending
        the queued, unsent rows may hold (a pause stops about that much later, and the sender
        never runs dry waiting for the next chunk). `line_batch`: the most LINE people one
        multicast batch holds (0: no batches); a chunk is then at least that many people."""
        self._uow = uow_factory
        self._copies = copies
        self._clock = clock
        self._rate = rate
        self._ahead = max(100, math.ceil(rate * ahead_seconds))
        self._chunk = max(chunk or max(50, min(1000, math.ceil(rate))), line_batch)
        self._line_batch = line_batch
        self._line_quota = line_quota  # a due broadcast's LINE cost is checked against it
        self._progress_every = progress_every
        self._on_queued = on_queued
        self._loop = StepLoop.polling(
            "broadcast pump", self.step, poll_interval=poll_interval, log=log, sleep=sleep
        )

    async def step(self) -> bool:
        """One pass over running broadcasts; True when there is more to queue right away."""
        now = self._clock.now()
        await start_due_broadcasts(self._uow, now, self._line_quota)
        async with self._uow() as uow:
            under_way = await uow.broadcasts.in_progress(20)
        busy = False
        for broadcast in under_way:
            if broadcast.status is BroadcastStatus.RUNNING:
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
            messages = self._copies(broadcast.draft, page)
            batches = self._line_batches(broadcast_id, messages)
            await uow.broadcasts.queue(broadcast_id, messages, now, batches)
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

    def _line_batches(
        self, broadcast_id: int, messages: Sequence[tuple[int, OutboundMessage]]
    ) -> dict[int, str]:
        """Person id -> batch name for the chunk's copies to LINE people: those that read the
        same (a language, a kind of copy) together, at most `line_batch` a batch, each named
        after its first person (a person is in one batch of a broadcast)."""
        if self._line_batch <= 0:
            return {}
        alike: dict[tuple[object, ...], list[int]] = {}
        for person_id, message in messages:
            if Channel.of(message.chat_id) is Channel.LINE:
                key = (message.text, message.buttons, message.parse_mode, message.carries)
                alike.setdefault(key, []).append(person_id)
        names: dict[int, str] = {}
        for people in alike.values():
            for start in range(0, len(people), self._line_batch):
                batch = people[start : start + self._line_batch]
                names.update(dict.fromkeys(batch, f"bc:{broadcast_id}:{batch[0]}"))
        return names

    async def _report(self, broadcast_id: int, now: datetime) -> None:
        """Records the progress (at most every few seconds), or finishes the broadcast."""
        async with self._uow() as uow:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None:
                return
            if broadcast.status is BroadcastStatus.CANCELLED and broadcast.finished_at is None:
                await self._settle_cancel(uow, broadcast, now)
                return
            if broadcast.status is not BroadcastStatus.RUNNING:
                return
            state = await delivery_progress(uow, broadcast, now, self._rate)
            if broadcast.materialised and state.pending == 0:
                if not await self._finish(uow, broadcast, state, now):
                    return
                uow.record(BroadcastFinished(at=now, broadcast_id=broadcast_id, progress=state))
            elif (
                broadcast.progress_at is not None
                and now - broadcast.progress_at < self._progress_every
            ):
                return
            else:
                uow.record(BroadcastProgressed(at=now, broadcast_id=broadcast_id, progress=state))
            try:
                await uow.commit()
            except BroadcastChanged:
                return  # moved by another replica meanwhile: nothing kept, the next step retries
        if self._on_queued is not None:
            self._on_queued()

    async def _settle_cancel(self, uow: UnitOfWork, broadcast: Broadcast, now: datetime) -> None:
        """A cancelled broadcast is finished once nothing of it is on its way any more."""
        state = await delivery_progress(uow, broadcast, now, self._rate)
        if state.pending:
            return  # a sender still holds some: their outcome changes the counts
        done = replace(broadcast, finished_at=now)
        if not await uow.broadcasts.save(
            done, was=BroadcastStatus.CANCELLED, was_cursor=broadcast.cursor
        ):
            return
        uow.record(BroadcastFinished(at=now, broadcast_id=broadcast.id, progress=state))
        try:
            await uow.commit()
        except BroadcastChanged:
            return
        if self._on_queued is not None:
            self._on_queued()

    async def _finish(
        self, uow: UnitOfWork, broadcast: Broadcast, state: Progress, now: datetime
    ) -> bool:
        done = replace(broadcast, status=BroadcastStatus.DONE, finished_at=now)
        if not await uow.broadcasts.save(
            done, was=BroadcastStatus.RUNNING, was_cursor=broadcast.cursor
        ):
            return False
        await uow.audit.add(
            now,
            None,
            "broadcast.done",
            f"broadcast:{broadcast.id}",
            {"sent": state.sent, "failed": state.failed},
        )
        return True
