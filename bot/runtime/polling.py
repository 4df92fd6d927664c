"""Long polling: getUpdates, commit the batch to the inbox, and only then confirm it.

A batch is confirmed by the next call's offset (its highest update id + 1), and that offset is
sent with that one call only: afterwards, and after any failed call, Kyodo asks without an
offset, which Telegram answers with whatever is still unconfirmed. An offset kept longer would
make Kyodo deaf when Telegram starts update ids again at a random, lower value (it does after a
week without updates): every new update below the old offset would count as confirmed. A batch
sent twice for want of an offset is recognised by the inbox.

Errors from Telegram back off exponentially to at most `backoff_max` (5 s), with jitter so that
replicas do not retry in step; a 409 Conflict (another process polling with this token, or a
webhook still set) is logged as such. A store that fails is tried again every `store_retry`
(1 s): the database coming back should be noticed at once, not after a grown backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from bot.ports.telegram import Conflict, GatewayError, RateLimited, TelegramGateway
from bot.runtime.inbox import InboxIntake
from bot.runtime.wakeup import Sleep

log = logging.getLogger(__name__)


class PollingLoop:
    def __init__(
        self,
        gateway: TelegramGateway,
        intake: InboxIntake,
        *,
        timeout: int = 30,
        backoff_initial: float = 0.5,
        backoff_max: float = 5.0,
        store_retry: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """`jitter()` returns a number in [0, 1]; a backoff waits between half and all of its
        step (tests pass a fixed one)."""
        self._gateway = gateway
        self._intake = intake
        self._timeout = timeout
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._store_retry = store_retry
        self._sleep = sleep
        self._jitter = jitter
        self.offset: int | None = None  # confirms the batch just stored, on the next call only
        self._failures = 0

    async def poll_once(self) -> int:
        """One getUpdates round trip; returns how many updates it received. Raises on errors."""
        offset, self.offset = self.offset, None
        updates = await self._gateway.get_updates(offset, self._timeout)
        if not updates:
            return 0
        await self._intake.accept(updates)
        ids = [u["update_id"] for u in updates if _is_int(u.get("update_id"))]
        if ids:
            self.offset = max(ids) + 1
        return len(updates)

    async def run(self) -> None:
        """Polls until cancelled (cancellation interrupts the long poll at once)."""
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except RateLimited as exc:
                log.warning("getUpdates rate limited; waiting %.0fs", exc.retry_after)
                await self._sleep(exc.retry_after)
                continue
            except Conflict:
                log.error(
                    "getUpdates: 409 Conflict: another process is polling with this bot token, "
                    "or a webhook is set (delete it or run in webhook mode)"
                )
                await self._back_off()
                continue
            except GatewayError as exc:
                log.warning("getUpdates failed: %s: %s", type(exc).__name__, exc)
                await self._back_off()
                continue
            except Exception:
                log.exception(
                    "storing polled updates failed; they will be fetched again in %.0fs",
                    self._store_retry,
                )
                await self._sleep(self._store_retry)
                continue
            self._failures = 0

    async def _back_off(self) -> None:
        step = min(self._backoff_max, self._backoff_initial * 2**self._failures)
        self._failures += 1
        # Between half the step and all of it: never longer than the cap, never in step with
        # another replica that failed at the same moment.
        await self._sleep(step * (0.5 + 0.5 * min(1.0, max(0.0, self._jitter()))))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
