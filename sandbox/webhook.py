"""Webhook delivery: POST each pending update to the bot's URL, in order, like Telegram.

A delivery succeeds on any 2xx answer. Otherwise it is retried with exponential backoff
(``retry_base`` seconds, doubling, at most ``max_attempts`` tries) and then dropped, and the
error shows in ``getWebhookInfo`` as Telegram shows it. Updates go one at a time, so the bot
sees them in the order people sent them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter

import aiohttp

from sandbox.state import BotState, Notifier, Pending, now

log = logging.getLogger(__name__)


class WebhookSender:
    def __init__(
        self,
        notifier: Notifier,
        stats: Counter[str],
        *,
        retry_base: float = 0.2,
        max_attempts: int = 6,
        request_timeout: float = 10.0,
    ) -> None:
        self.notifier = notifier
        self.stats = stats
        self.retry_base = retry_base
        self.max_attempts = max_attempts
        self.request_timeout = request_timeout
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.request_timeout)
        )

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def changed(self, bot: BotState) -> None:
        """The bot set or deleted its webhook: (re)start or stop its delivery loop."""
        task = self._tasks.pop(bot.id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if bot.webhook is not None:
            self._tasks[bot.id] = asyncio.create_task(self._deliver_forever(bot))

    async def _deliver_forever(self, bot: BotState) -> None:
        while bot.webhook is not None:
            await self.notifier.wait_until(lambda: bool(bot.pending), 3600)
            if not bot.pending:
                continue
            pending = min(bot.pending, key=lambda p: (not p.forced, p.update_id))
            await self._deliver(bot, pending)

    async def _deliver(self, bot: BotState, pending: Pending) -> None:
        for attempt in range(1, self.max_attempts + 1):
            error = await self._post(bot, pending)
            if error is None:
                self.stats["webhook_deliveries"] += 1
                break
            self.stats["webhook_failures"] += 1
            if bot.webhook is not None:
                bot.webhook.last_error_date = now()
                bot.webhook.last_error_message = error
            if attempt < self.max_attempts:
                self.stats["webhook_retries"] += 1
                await asyncio.sleep(self.retry_base * 2 ** (attempt - 1))
        else:
            self.stats["webhook_dropped"] += 1
            log.warning(
                "webhook: gave up on update %s after %s attempts",
                pending.update_id,
                self.max_attempts,
            )
        with contextlib.suppress(ValueError):
            bot.pending.remove(pending)
        self.notifier.notify()

    async def _post(self, bot: BotState, pending: Pending) -> str | None:
        """Deliver once; None on success, else the error as getWebhookInfo words it."""
        hook = bot.webhook
        if hook is None or self._session is None:
            return "Webhook was deleted"
        headers = {}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(hook.url, json=pending.update, headers=headers) as answer:
                await answer.read()
                if 200 <= answer.status < 300:
                    return None
                return f"Wrong response from the webhook: {answer.status} {answer.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as error:
            return f"Connection failed: {error}"
