"""Webhook delivery as LINE does it: signed POSTs of events, and redelivery of failed ones.

Each body is ``{"destination": <the bot's user id>, "events": [...]}``, checked against
``webhook.yml`` before it leaves (a body that breaks it is the stand-in's bug: recorded as a
violation and not sent), and signed: ``x-line-signature`` is the Base64 HMAC-SHA256 of the raw
body keyed by the channel secret. Events go in order, one POST at a time; new events that are
due together share a POST (up to ``events_per_post``), as LINE may batch them.

A POST that is not answered 2xx within ``timeout`` seconds (LINE: about 2) failed. With
redelivery on, each of its events is sent again later, alone, identical except
``deliveryContext.isRedelivery: true``, after ``retry_base`` seconds, doubling up to
``retry_cap``, at most ``max_attempts`` tries in all; then it is given up ("failed"). Without a
webhook URL events wait for one (LINE would drop them; a sandbox keeps what people typed before
the bot started).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.line.record import Record, Violation
from sandbox.line.schema import Checker
from sandbox.line.state import Channel

log = logging.getLogger(__name__)


def sign(raw: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class EventRecord:
    """One event and its delivery: "pending", "delivered" or "failed" (given up)."""

    event: dict[str, Any]
    status: str = "pending"
    attempts: int = 0
    answers: list[str] = field(default_factory=list)
    redelivery: bool = False
    due: float = 0.0

    @property
    def id(self) -> str:
        return str(self.event["webhookEventId"])

    def as_sent(self) -> dict[str, Any]:
        sent = copy.deepcopy(self.event)
        sent["deliveryContext"] = {"isRedelivery": self.redelivery}
        return sent

    def to_dict(self) -> dict[str, Any]:
        return {
            "webhookEventId": self.id,
            "event": self.event,
            "status": self.status,
            "attempts": self.attempts,
            "answers": self.answers,
        }


@dataclass
class WebhookSettings:
    redelivery: bool = True
    timeout: float = 2.0
    retry_base: float = 0.5
    retry_cap: float = 5.0
    max_attempts: int = 12
    events_per_post: int = 5


class WebhookSender:
    def __init__(
        self,
        channel: Channel,
        checker: Checker,
        record: Record,
        secret: str,
        settings: WebhookSettings | None = None,
    ) -> None:
        self.channel = channel
        self.checker = checker
        self.record = record
        self.secret = secret
        self.settings = settings or WebhookSettings()
        self.records: dict[str, EventRecord] = {}
        self._queue: list[EventRecord] = []
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self._session = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- queueing ------------------------------------------------------------------------------

    def enqueue(self, event: dict[str, Any]) -> EventRecord:
        record = EventRecord(event)
        self.records[record.id] = record
        self._queue.append(record)
        self.channel.notifier.notify()
        return record

    def redeliver(self, webhook_event_id: str, *, is_redelivery: bool = True) -> EventRecord:
        """Send an event again now, even one delivered already (LINE may send twice)."""
        record = self.records.get(webhook_event_id)
        if record is None:
            raise LookupError(f"no webhook event {webhook_event_id}")
        record.redelivery = is_redelivery
        record.status = "pending"
        record.due = 0.0
        if record not in self._queue:
            self._queue.append(record)
        self.channel.notifier.notify()
        return record

    @property
    def pending(self) -> list[EventRecord]:
        return list(self._queue)

    # -- posting -------------------------------------------------------------------------------

    async def post(self, raw: bytes, signature: str | None, url: str | None = None) -> str:
        """POST a raw body; the answer's status as a string, or what went wrong."""
        target = url or self.channel.webhook_url
        if target is None or self._session is None:
            return "no webhook URL"
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers["User-Agent"] = "LineBotWebhook/2.0"
        if signature is not None:
            headers["x-line-signature"] = signature
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout)
        try:
            async with self._session.post(
                target, data=raw, headers=headers, timeout=timeout
            ) as answer:
                await answer.read()
                return str(answer.status)
        except TimeoutError:
            return "timeout"
        except (aiohttp.ClientError, ValueError) as error:  # ValueError: a malformed URL
            return f"connection failed: {error}"

    def body(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        return {"destination": self.channel.bot_user_id, "events": events}

    def checked(self, body: dict[str, Any]) -> bool:
        """Whether a body the stand-in is about to send holds to webhook.yml (else recorded)."""
        problems = self.checker.check_component("CallbackRequest", body)
        for problem in problems:
            self.record.violation(
                Violation("webhook", f"{problem.property}: {problem.message}", body, "webhook.yml")
            )
        return not problems

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = self._take(loop.time())
            if batch:
                await self._send(batch, loop.time)
                continue
            await self.channel.notifier.wait_until(
                lambda: bool(self._take(loop.time(), peek=True)), self._sleep(loop.time())
            )

    def _sleep(self, now: float) -> float:
        dues = [r.due - now for r in self._queue if r.due > now]
        return max(0.01, min(dues)) if dues else 3600.0

    def _take(self, now: float, *, peek: bool = False) -> list[EventRecord]:
        if self.channel.webhook_url is None:
            return []
        due = [r for r in self._queue if r.due <= now]
        if not due:
            return []
        if due[0].redelivery:
            return due[:1]
        batch: list[EventRecord] = []
        for record in due:
            if record.redelivery or len(batch) >= self.settings.events_per_post:
                break
            batch.append(record)
        return batch

    async def _send(self, batch: list[EventRecord], now: Callable[[], float]) -> None:
        body = self.body([record.as_sent() for record in batch])
        if not self.checked(body):
            for record in batch:
                self._finish(record, "failed")
            return
        raw = encode(body)
        self.record.stats["webhook_posts"] += 1
        if any(record.redelivery for record in batch):
            self.record.stats["webhook_redeliveries"] += 1
        answer = await self.post(raw, sign(raw, self.secret))
        settings = self.settings
        for record in batch:
            record.attempts += 1
            record.answers.append(answer)
            if answer.startswith("2") and len(answer) == 3:
                self.record.stats["webhook_events_delivered"] += 1
                self._finish(record, "delivered")
            elif settings.redelivery and record.attempts < settings.max_attempts:
                self.record.stats["webhook_failures"] += 1
                record.redelivery = True
                wait = settings.retry_base * 2 ** (record.attempts - 1)
                record.due = now() + min(settings.retry_cap, wait)
            else:
                self.record.stats["webhook_failures"] += 1
                log.warning("LINE webhook: gave up on event %s (%s)", record.id, answer)
                self._finish(record, "failed")
        self.channel.notifier.notify()

    def _finish(self, record: EventRecord, status: str) -> None:
        record.status = status
        with contextlib.suppress(ValueError):
            self._queue.remove(record)
