"""``LineStandIn``: a local LINE Messaging API for one channel, and the Python API that drives it.

It serves the Messaging API under ``/v2/bot/...`` (both of LINE's hosts' paths), posts signed
webhooks to the bot, a control API under ``/_sandbox/line/...`` and a LINE-style chat page at
``/line``. It runs inside the Telegram sandbox's server (``SandboxServer`` mounts it, so
``python -m sandbox`` serves both) or alone (``async with LineStandIn() as line``, for its own
tests). Point the official SDK at it with ``Configuration(host=line.api_base_url,
access_token=line.access_token)`` and give the bot ``line.channel_secret``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from sandbox.faults import Fault, FaultInjector
from sandbox.line import events, ids, spec
from sandbox.line.clock import Clock
from sandbox.line.context import Services
from sandbox.line.control import setup_control
from sandbox.line.http_api import LineApi, setup_api
from sandbox.line.page import setup_page
from sandbox.line.people import People
from sandbox.line.quota import COMMUNICATION_PLAN, Quota
from sandbox.line.ratelimit import LineRateLimiter, LineRateLimits
from sandbox.line.record import Call, Record, Violation
from sandbox.line.schema import Checker
from sandbox.line.state import Channel, ChatEntry, Person
from sandbox.line.webhook import EventRecord, WebhookSender, WebhookSettings, encode, sign
from sandbox.state import Notifier

# Not secrets: the stand-in's own defaults, so that a bot and the sandbox agree out of the box.
DEFAULT_CHANNEL_SECRET = "kyodo-sandbox-line-channel-secret"  # noqa: S105
DEFAULT_ACCESS_TOKEN = "kyodo-sandbox-line-access-token"  # noqa: S105


class LineStandIn:
    """``quota``: the plan's monthly messages (None: no limit); ``webhook``: redelivery and
    timing of webhooks; ``reply_token_ttl``: seconds a reply token lives on the stand-in's
    clock (``clock.advance`` moves it)."""

    def __init__(
        self,
        *,
        channel_secret: str = DEFAULT_CHANNEL_SECRET,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        webhook_url: str | None = None,
        quota: int | None = COMMUNICATION_PLAN,
        rate_limits: LineRateLimits | None = None,
        webhook: WebhookSettings | None = None,
        reply_token_ttl: float = 60.0,
        bot_name: str = "Kyodo",
    ) -> None:
        self.channel_secret = channel_secret
        self.access_token = access_token
        self.clock = Clock()
        self.notifier = Notifier()
        self.record = Record()
        self.faults = FaultInjector()
        self.document = spec.messaging_api()
        self.webhook_checker = Checker(spec.webhook())
        self.channel = Channel(
            self.clock,
            self.notifier,
            bot_user_id=ids.user_id("kyodo-sandbox-line-bot"),
            bot_name=bot_name,
            webhook_url=webhook_url,
            reply_token_ttl=reply_token_ttl,
        )
        self.quota = Quota(self.clock, quota)
        self.webhooks = WebhookSender(
            self.channel, self.webhook_checker, self.record, channel_secret, webhook
        )
        self.people = People(self.channel, self.webhooks)
        self._closing = asyncio.Event()
        self.api = LineApi(
            Services(self.channel, self.quota, self.record, self.webhooks),
            self.document,
            Checker(self.document),
            LineRateLimiter(rate_limits or LineRateLimits()),
            self.faults,
            access_token,
            self._closing,
        )
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def setup(self, app: web.Application) -> None:
        """Mount the Messaging API, the control API and the page on an aiohttp app."""
        setup_api(app, self.api)
        setup_control(app, self)
        setup_page(app)

    async def open(self, base_url: str) -> None:
        """Start delivering webhooks; ``base_url`` is where the app it is mounted on listens."""
        self.base_url = base_url
        self._closing.clear()
        await self.webhooks.open()

    async def close(self) -> None:
        self._closing.set()
        self.notifier.notify()
        await self.webhooks.close()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on its own port (the Telegram sandbox is not needed)."""
        app = web.Application(client_max_size=10 * 1024 * 1024)
        self.setup(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = int(self._runner.addresses[0][1])
        await self.open(f"http://{host}:{bound}")

    async def stop(self) -> None:
        await self.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LineStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_base_url(self) -> str:
        """The ``host`` for the SDK's ``Configuration``: api.line.me and api-data.line.me."""
        return self.base_url

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/line"

    @property
    def webhook_url(self) -> str | None:
        return self.channel.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self.channel.webhook_url = url
        self.notifier.notify()

    # -- people --------------------------------------------------------------------------------

    def add_person(
        self,
        display_name: str,
        language: str = "ja",
        *,
        user_id: str | None = None,
        friend: bool = True,
    ) -> Person:
        """Someone who has the account as a friend already (no follow event), unless
        ``friend`` is False (then ``follows`` adds it, with an event)."""
        return self.people.add(display_name, language, user_id=user_id, friend=friend)

    def follows(self, user_id: str) -> EventRecord:
        return self.people.follow(user_id)

    def unfollows(self, user_id: str) -> EventRecord:
        return self.people.unfollow(user_id)

    def sends_text(self, user_id: str, text: str) -> EventRecord:
        return self.people.text(user_id, text)

    def sends_image(
        self, user_id: str, data: bytes | None = None, content_type: str = "image/png"
    ) -> EventRecord:
        return self.people.image(user_id, data, content_type)

    def sends_audio(
        self,
        user_id: str,
        data: bytes | None = None,
        content_type: str = "audio/x-m4a",
        duration_ms: int = 3000,
    ) -> EventRecord:
        return self.people.audio(user_id, data, content_type, duration_ms)

    def sends_sticker(
        self, user_id: str, package_id: str = "446", sticker_id: str = "1988"
    ) -> EventRecord:
        return self.people.sticker(user_id, package_id, sticker_id)

    def postback(
        self,
        user_id: str,
        data: str,
        *,
        display_text: str | None = None,
        params: dict[str, str] | None = None,
    ) -> EventRecord:
        """A postback with any data, as if from a button (forged data included)."""
        return self.people.postback(user_id, data, display_text=display_text, params=params)

    def taps(
        self,
        user_id: str,
        message_id: str,
        label: str | None = None,
        *,
        action: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> EventRecord | None:
        """Tap a button of a bot message (quick reply, template, Flex) by its label, or by the
        action object itself; a quick reply only while its message is the last."""
        return self.people.tap(user_id, message_id, label=label, action=action, params=params)

    def taps_rich_menu(
        self, user_id: str, area: int, params: dict[str, str] | None = None
    ) -> EventRecord | None:
        return self.people.tap_rich_menu(user_id, area, params)

    # -- webhooks ------------------------------------------------------------------------------

    @property
    def events(self) -> list[EventRecord]:
        return list(self.webhooks.records.values())

    def redeliver(self, webhook_event_id: str, *, is_redelivery: bool = True) -> EventRecord:
        return self.webhooks.redeliver(webhook_event_id, is_redelivery=is_redelivery)

    async def wait_for_event(self, record: EventRecord, timeout: float = 5.0) -> EventRecord:
        """Wait until an event was delivered (2xx) or given up; TimeoutError otherwise."""
        if not await self.notifier.wait_until(lambda: record.status != "pending", timeout):
            raise TimeoutError(f"event {record.id} still pending: {record.answers}")
        return record

    async def post_bad_signature(
        self, user_id: str, text: str = "hello", *, signature: str | None = "bad"
    ) -> str:
        """POST a well-formed message event signed with the wrong secret (``signature``
        "bad"), or with no signature header (None); the bot's answer status."""
        event = events.event(
            "message",
            user_id,
            self.clock.millis(),
            replyToken=ids.reply_token(),
            message=events.text(text),
        )
        body = self.webhooks.body([event])
        raw = encode(body)
        self.webhooks.checked(body)
        header = sign(raw, self.channel_secret + "-wrong") if signature == "bad" else signature
        return await self.webhooks.post(raw, header)

    async def post_connection_check(self) -> str:
        """POST ``{"events": []}``, signed, as LINE does to check a webhook URL."""
        body = self.webhooks.body([])
        raw = encode(body)
        self.webhooks.checked(body)
        return await self.webhooks.post(raw, sign(raw, self.channel_secret))

    # -- what the bot did ----------------------------------------------------------------------

    def chat(self, user_id: str) -> list[ChatEntry]:
        return list(self.channel.chat(user_id))

    def received(self, user_id: str) -> list[ChatEntry]:
        """The bot's messages to a person, in order."""
        return [entry for entry in self.channel.chat(user_id) if entry.sender == "bot"]

    async def wait_for_messages(
        self, user_id: str, count: int = 1, timeout: float = 5.0
    ) -> list[ChatEntry]:
        if not await self.notifier.wait_until(
            lambda: len(self.received(user_id)) >= count, timeout
        ):
            texts = [entry.text for entry in self.received(user_id)]
            raise TimeoutError(f"{user_id}: expected {count} messages in {timeout}s: {texts}")
        return self.received(user_id)

    async def wait_for_text(self, user_id: str, contains: str, timeout: float = 5.0) -> ChatEntry:
        def found() -> ChatEntry | None:
            return next((e for e in self.received(user_id) if contains in (e.text or "")), None)

        await self.notifier.wait_until(lambda: found() is not None, timeout)
        entry = found()
        if entry is None:
            texts = [e.text for e in self.received(user_id)]
            raise TimeoutError(f"{user_id}: no message with {contains!r} in {timeout}s: {texts}")
        return entry

    @property
    def violations(self) -> list[Violation]:
        return self.record.violations

    @property
    def calls(self) -> list[Call]:
        return list(self.record.calls)

    def calls_of(self, operation: str) -> list[Call]:
        return [call for call in self.record.calls if call.operation == operation]

    @property
    def stats(self) -> dict[str, Any]:
        return dict(self.record.stats)

    def inject_fault(
        self,
        kind: str,
        *,
        operation: str | None = None,
        count: int = 1,
        delay: float | None = None,
    ) -> Fault:
        """The next ``count`` calls of ``operation`` (an operationId such as "pushMessage";
        any if None) fail: "429", "500", "403", or "timeout" (no answer, or a late one)."""
        return self.faults.inject(kind, method=operation, count=count, delay=delay)
