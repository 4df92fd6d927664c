"""Long polling: getUpdates, commit the batch to the inbox, and only then move the offset.

The offset starts at None on every start, so Telegram sends again whatever was not confirmed;
the inbox recognises the duplicates. Errors back off exponentially; a 409 Conflict (another
process polling with this token, or a webhook still set) is logged as such.
"""

from __future__ import annotations

import asyncio
import logging

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
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._gateway = gateway
        self._intake = intake
        self._timeout = timeout
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._sleep = sleep
        self.offset: int | None = None
        self._failures = 0

    async def poll_once(self) -> int:
        """One getUpdates round trip; returns how many updates it received. Raises on errors."""
        updates = await self._gateway.get_updates(self.offset, self._timeout)
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
                log.exception("storing polled updates failed; they will be fetched again")
                await self._back_off()
                continue
            self._failures = 0

    async def _back_off(self) -> None:
        delay = min(self._backoff_max, self._backoff_initial * 2**self._failures)
        self._failures += 1
        await self._sleep(delay)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
