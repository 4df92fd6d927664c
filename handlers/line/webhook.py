"""LINE's webhook at ``/line/webhook`` on Kyodo's web server, and the intake behind it.

LINE signs the raw body with HMAC-SHA256 keyed by the channel secret (``x-line-signature``,
Base64): the only proof that a request is LINE's. A bad or missing signature is answered 403
and nothing is stored; ``{"events": []}`` (LINE's connection check) 200. Otherwise every event
is committed to the same inbox as Telegram's updates before the answer: 200 means "stored", any
other answer makes LINE redeliver (when redelivery is on).

`LineIntake` turns the events into inbox rows:
- the sender's LINE user id becomes their surrogate chat id (`uow.line.chats_for`;
  bot.domain.channels says why chats are integers);
- each event keeps the inbox id it was first given, by its ``webhookEventId``, so a
  redelivered event is the same inbox row and is handled once; ids follow the event's
  ``timestamp``, so a person's events are handled in the order they were sent;
- the reply token goes to `line_events` (the sender's, for about a minute from the event by
  LINE's clock, as LINE's answers tell it: `LineClient.line_ahead`), never to the inbox;
- a newcomer's LINE profile (display name, language) is asked for once per process and
  travels with the event, as Telegram's updates carry the sender's name and language; the
  inbox drops it with the raw event once the event is handled;
- a text longer than Kyodo accepts is cut as the Telegram intake cuts it (bot.domain.bounds).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.domain.bounds import CUT_FROM
from bot.ports.clock import Clock
from bot.ports.line import LineEvent
from bot.ports.store import UnitOfWorkFactory
from bot.ports.telegram import GatewayError
from bot.runtime.inbox import KEEP_HANDLED, InboxIntake
from handlers.line.client import LineClient
from handlers.line.parse import LINE_KEY

log = logging.getLogger(__name__)

LINE_WEBHOOK_PATH = "/line/webhook"
SIGNATURE_HEADER = "x-line-signature"
# How long Kyodo counts on a reply token after the event: LINE's last about a minute; the
# margin covers the clocks' difference and a webhook's time on the way.
REPLY_WINDOW = timedelta(seconds=50)
PROFILE_TIMEOUT = 1.5  # seconds for newcomers' profiles: LINE wants its answer within 2
PRUNE_EVERY = timedelta(minutes=1)


def signature_of(raw: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode(), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_by(raw: bytes, signature: str, channel_secret: str) -> bool:
    return hmac.compare_digest(signature_of(raw, channel_secret).encode(), signature.encode())


@dataclass(frozen=True)
class Profile:
    name: str
    language: str | None


class LineIntake:
    """Commits a webhook's events to the inbox (see the module's docstring)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        inbox: InboxIntake,
        client: LineClient,
        clock: Clock,
        *,
        max_text_length: int,
        keep: timedelta = KEEP_HANDLED,
    ) -> None:
        self._uow = uow_factory
        self._inbox = inbox
        self._client = client
        self._clock = clock
        self._max_text = max_text_length
        self._keep = keep
        self._profiles: OrderedDict[str, Profile] = OrderedDict()
        self._next_prune: datetime | None = None

    async def accept(self, events: list[Any]) -> int:
        """Stores the events (duplicates skipped); returns how many were new. Raises if the
        store fails: nothing is acknowledged then."""
        usable = [e for e in events if isinstance(e, dict) and _event_id(e)]
        if len(usable) < len(events):
            log.warning(
                "skipping %s LINE events without a webhookEventId", len(events) - len(usable)
            )
        if not usable:
            return 0
        users = list(dict.fromkeys(u for u in map(_user_id, usable) if u is not None))
        profiles = await self._profiles_of(users)
        now = self._clock.now()
        async with self._uow() as uow:
            chats = await uow.line.chats_for(users)
            records = [self._record(event, chats, now) for event in usable]
            update_ids = await uow.line.record_events(records, now)
            if self._next_prune is None or now >= self._next_prune:
                self._next_prune = now + PRUNE_EVERY
                await uow.line.prune(now, now - self._keep)
            await uow.commit()
        payloads = []
        for update_id, event in zip(update_ids, usable, strict=True):
            user = _user_id(event)
            part: dict[str, Any] = {
                "chat_id": None if user is None else chats[user],
                "event": self._stored(event),
            }
            profile = profiles.get(user) if user is not None else None
            if profile is not None:
                part["user_name"] = profile.name
                if profile.language:
                    part["language"] = profile.language
            payloads.append({"update_id": update_id, LINE_KEY: part})
        return await self._inbox.accept(payloads)

    def _record(self, event: dict[str, Any], chats: dict[str, int], now: datetime) -> LineEvent:
        user = _user_id(event)
        millis = _millis(event, now)
        token = event.get("replyToken")
        token = token if isinstance(token, str) and token else None
        # The event's time is LINE's: on our clock it was `line_ahead` earlier. A token's minute
        # is LINE's, so it is counted from there (LINE's clock running ahead of ours would let
        # Kyodo count on tokens LINE holds expired, and a retried reply refused for that looks
        # like one that arrived: bot/ports/line.py).
        ahead = timedelta(seconds=self._client.line_ahead)
        sent_at = min(now, datetime.fromtimestamp(millis / 1000, now.tzinfo) - ahead)
        return LineEvent(
            event_id=str(event["webhookEventId"]),
            timestamp_ms=millis,
            chat_id=None if user is None else chats[user],
            reply_token=token,
            reply_by=sent_at + REPLY_WINDOW if token else None,
        )

    def _stored(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event as the inbox keeps it: no reply token, an over-long text cut."""
        stored = {k: v for k, v in event.items() if k != "replyToken"}
        message = stored.get("message")
        if isinstance(message, dict):
            text = message.get("text")
            if isinstance(text, str) and len(text) > self._max_text:
                stored["message"] = {
                    **message,
                    "text": text[: self._max_text + 1],
                    CUT_FROM: len(text),
                }
        return stored

    async def _profiles_of(self, users: list[str]) -> dict[str, Profile]:
        known = {u: self._profiles[u] for u in users if u in self._profiles}
        missing = [u for u in users if u not in known]
        if missing:
            answers = await asyncio.gather(
                *(self._client.profile(u, PROFILE_TIMEOUT) for u in missing),
                return_exceptions=True,
            )
            for user, answer in zip(missing, answers, strict=True):
                if isinstance(answer, BaseException):
                    # Not a reason to lose the event: they are greeted in the default language
                    # and registered by number until a later event brings their profile.
                    if not isinstance(answer, GatewayError | TimeoutError):
                        raise answer
                    log.warning("LINE profile not available (%s)", type(answer).__name__)
                    continue
                name, language = answer
                known[user] = self._profiles[user] = Profile(name, language)
                if len(self._profiles) > 10_000:
                    self._profiles.popitem(last=False)
        return known


def _event_id(event: dict[str, Any]) -> str | None:
    value = event.get("webhookEventId")
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def _user_id(event: dict[str, Any]) -> str | None:
    """The person who made the event, in a one-to-one chat (Kyodo answers no group)."""
    source = event.get("source")
    if not isinstance(source, dict) or source.get("type") != "user":
        return None
    user = source.get("userId")
    return user if isinstance(user, str) and 0 < len(user) <= 64 else None


def _millis(event: dict[str, Any], now: datetime) -> int:
    value = event.get("timestamp")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return int(now.timestamp() * 1000)


class LineWebhook:
    """The route's state (``app[LINE_WEBHOOK]``); `intake` is set once Kyodo runs, and a
    request before that is answered 503 (LINE delivers it again)."""

    def __init__(self, channel_secret: str) -> None:
        if not channel_secret:
            raise ValueError("the LINE webhook needs the channel secret")
        self._secret = channel_secret
        self.intake: LineIntake | None = None

    async def receive(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if not signed_by(raw, request.headers.get(SIGNATURE_HEADER, ""), self._secret):
            log.warning("LINE webhook request with a missing or wrong signature refused")
            return web.Response(status=403, text="forbidden")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            return web.Response(status=400, text="no events")
        if not events:
            return web.Response(status=200, text="ok")  # LINE checking the URL
        if self.intake is None:
            return web.Response(status=503, text="starting")
        try:
            await self.intake.accept(events)
        except Exception:
            log.exception("LINE webhook: storing failed (events: %s)", len(events))
            return web.Response(status=500, text="not stored")
        return web.Response(status=200, text="ok")


LINE_WEBHOOK = web.AppKey("line_webhook", LineWebhook)


def setup_line_webhook(app: web.Application, channel_secret: str) -> LineWebhook:
    """Adds ``POST /line/webhook``; give the returned object its `intake` once Kyodo runs."""
    webhook = LineWebhook(channel_secret)
    app[LINE_WEBHOOK] = webhook
    app.router.add_post(LINE_WEBHOOK_PATH, webhook.receive)
    return webhook
