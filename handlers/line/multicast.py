"""`LineMulticaster`: sends each LINE multicast batch of the outbox in one request, exactly once.

The broadcast pump names batches of up to 500 LINE people whose copies read the same
(bot/runtime/broadcast_pump.py); the outbox sender never takes their rows (`claim` skips them).
This loop claims a batch whole (a lease, as the sender's claim), sends one multicast to the
people's LINE user ids with ``X-Line-Retry-Key`` derived from the batch's name, and records the
outcome on every row of it in one transaction:

- 200, or 409 (LINE accepted this very request before: a retry after a kill or a lost answer):
  every row sent. LINE counts the multicast against the month's quota per person reached;
- 429 for the rate: the batch is tried again after a pause; a spent monthly quota and other
  refusals (400, 403): every row failed with the reason (staff see the failed deliveries);
- no answer, a 5xx, no connection: tried again later with exponential backoff and the same key,
  so at most once whatever happened to the first request; failed after `max_attempts`.
A row whose person is no longer on LINE (forgotten since) fails as unreachable and is left out.
Each row keeps its own outcome, so a broadcast's counts are per person as for Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.domain.events import LineNoticeUndelivered
from bot.domain.line_undelivered import QUOTA_SPENT
from bot.domain.outbound import OutboxItem
from bot.ports.clock import Clock
from bot.ports.line import QuotaExhausted
from bot.ports.store import UnitOfWorkFactory
from bot.ports.telegram import BadRequest, RateLimited, TransientError
from bot.runtime.step_loop import LoopWorker, StepLoop
from bot.runtime.wakeup import Sleep
from handlers.line.client import AlreadyAccepted, LineClient
from handlers.line.gateway import RETRY_KEY_NAMESPACE
from handlers.line.render import render

log = logging.getLogger(__name__)

MULTICAST_LIMIT = 500  # people a multicast request may name (LINE's limit)


def batch_retry_key(name: str, created_at: datetime) -> str:
    """The batch's X-Line-Retry-Key: the same on every try. Its rows' creation time is in the
    name as in `retry_key`: a new database names its batches after small ids again."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"kyodo-line-batch:{name}:{created_at.isoformat()}"))


class LineMulticaster(LoopWorker):
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        client: LineClient,
        clock: Clock,
        *,
        lease: timedelta = timedelta(seconds=30),
        timeout: float = 10.0,
        poll_interval: float = 1.0,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_max: float = 900.0,
        sleep: Sleep = asyncio.sleep,
        on_settled: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._client = client
        self._clock = clock
        self._lease = lease
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._paused_until: datetime | None = None
        self._on_settled = on_settled
        self._loop = StepLoop.polling(
            "LINE multicast", self.step, poll_interval=poll_interval, log=log, sleep=sleep
        )

    async def step(self) -> bool:
        """Sends one due batch; False when none was due (or sending is paused for the rate)."""
        now = self._clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return False
        async with self._uow() as uow:
            claimed = await uow.outbox.claim_batch(now, now + self._lease)
            await uow.commit()
        if claimed is None:
            return False
        name, items = claimed
        if items:
            await self._send(name, items)
        return True

    async def drain(self, max_steps: int = 10_000) -> None:
        """Sends every due batch (tests, benches)."""
        for _ in range(max_steps):
            if not await self.step():
                return
        raise RuntimeError("LINE batches did not drain")

    async def _send(self, name: str, items: Sequence[OutboxItem]) -> None:
        exhausted = [item for item in items if item.attempts > self._max_attempts]
        if exhausted:
            await self._fail(items, "too many attempts")
            return
        users: list[str] = []
        reached: list[OutboxItem] = []
        unreachable: list[OutboxItem] = []
        async with self._uow() as uow:
            for item in items:
                address = await uow.line.address(item.message.chat_id)
                if address is None or address.forgotten:
                    unreachable.append(item)
                else:
                    users.append(address.user_id)
                    reached.append(item)
        if unreachable:
            await self._fail(unreachable, "unreachable: no LINE user has this chat id")
        if not reached:
            return
        key = batch_retry_key(name, items[0].created_at)
        try:
            await self._client.multicast(users, render(items[0].message), key, self._timeout)
        except AlreadyAccepted:
            log.info("LINE batch %s: accepted before (409), rows: %s", name, len(reached))
        except RateLimited as error:
            pause = self._clock.now() + timedelta(seconds=error.retry_after)
            self._paused_until = pause
            log.warning("LINE asked to pause %.1fs (batch %s)", error.retry_after, name)
            await self._later(reached, pause, "rate limited")
            return
        except QuotaExhausted as error:
            # Kept as undelivered, and staff told (bot/domain/line_undelivered.py): each copy
            # goes with its person's next free reply, or staff call them.
            log.error("LINE batch %s: this month's messages are spent", name)
            await self._fail(reached, f"{QUOTA_SPENT}: {error}", undelivered=True)
            return
        except BadRequest as error:
            log.error("LINE batch %s refused: %s", name, error)
            await self._fail(reached, f"bad request: {error}")
            return
        except TransientError as error:
            await self._transient(name, reached, str(error) or type(error).__name__)
            return
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.outbox.mark_sent_many([(item.id, now, None) for item in reached])
            await uow.commit()
        self._settled()

    async def _transient(self, name: str, items: Sequence[OutboxItem], error: str) -> None:
        attempts = max(item.attempts for item in items)
        if attempts >= self._max_attempts:
            log.warning("LINE batch %s failed for good: %s", name, error)
            await self._fail(items, f"gave up (attempts: {attempts}): {error}")
            return
        delay = min(self._backoff_max, self._backoff_base**attempts)
        log.info("LINE batch %s: %s; retry in %.0fs", name, error, delay)
        await self._later(items, self._clock.now() + timedelta(seconds=delay), error)

    async def _later(self, items: Sequence[OutboxItem], not_before: datetime, error: str) -> None:
        async with self._uow() as uow:
            for item in items:
                await uow.outbox.retry_later(item.id, not_before, error[:500])
            await uow.commit()

    async def _fail(
        self, items: Sequence[OutboxItem], error: str, *, undelivered: bool = False
    ) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            for item in items:
                await uow.outbox.mark_failed(item.id, now, error[:500])
            if undelivered and items:
                first = items[0]
                event = LineNoticeUndelivered(
                    at=now, outbox_id=first.id, chat_id=first.message.chat_id
                )
                uow.record(event)
            await uow.commit()
        self._settled()

    def _settled(self) -> None:
        if self._on_settled is not None:
            self._on_settled()
