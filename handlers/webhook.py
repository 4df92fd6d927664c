"""The Telegram webhook as a route on Kyodo's own aiohttp server.

Telegram POSTs one update per request with the secret given to setWebhook in the
`X-Telegram-Bot-Api-Secret-Token` header. The update is committed to the inbox before the
answer: 200 means "stored"; a 500 makes Telegram deliver it again later. Any request without
the right secret (missing, wrong, malformed, not ASCII) is a 403, and refusals are counted and
logged once a minute, not line by line: a flood of them costs a counter, not the log.

    app = web.Application()
    setup_webhook(app, "/telegram/webhook", settings.webhook_secret, intake)
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from dataclasses import dataclass

from aiohttp import web

from bot.runtime.inbox import InboxIntake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret


@dataclass
class Refusals:
    """Refused requests, counted; one log line a minute at most says how many."""

    count: int = 0  # since the last line
    total: int = 0
    logged_at: float | None = None

    def add(self, now: float) -> None:
        self.count += 1
        self.total += 1
        if self.logged_at is None or now - self.logged_at >= 60:
            log.warning(
                "webhook: %s request(s) without the right secret refused since the last note "
                "(%s in all); the next note comes in a minute at the earliest",
                self.count,
                self.total,
            )
            self.count, self.logged_at = 0, now


WEBHOOK_INTAKE = web.AppKey("webhook_intake", InboxIntake)
WEBHOOK_SECRET = web.AppKey("webhook_secret", str)
WEBHOOK_REFUSALS = web.AppKey("webhook_refusals", Refusals)


def _right_secret(given: str, expected: str) -> bool:
    # A header that is not ASCII cannot be the secret (Telegram's alphabet is A-Z, a-z, 0-9, _
    # and -): refused before it is encoded, which is where it used to raise and give a 500.
    if not given.isascii() or not given:
        return False
    return hmac.compare_digest(given.encode("ascii"), expected.encode("ascii"))


async def receive_update(request: web.Request) -> web.Response:
    if not _right_secret(request.headers.get(SECRET_HEADER, ""), request.app[WEBHOOK_SECRET]):
        request.app[WEBHOOK_REFUSALS].add(time.monotonic())
        return web.Response(status=403, text="forbidden")
    try:
        raw = await request.read()
        update = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return web.Response(status=400, text="not JSON")
    if not isinstance(update, dict):
        return web.Response(status=400, text="not an update")
    try:
        await request.app[WEBHOOK_INTAKE].accept([update])
    except Exception:
        # Telegram retries on any non-2xx answer: nothing is lost while the store is down.
        log.exception("webhook: storing update %s failed", update.get("update_id"))
        return web.Response(status=500, text="not stored")
    return web.Response(status=200, text="ok")


def setup_webhook(app: web.Application, path: str, secret: str, intake: InboxIntake) -> None:
    """Adds the webhook route; `secret` is the `secret_token` given to setWebhook."""
    if not secret or not secret.isascii():
        raise ValueError("a webhook needs a secret token (ASCII)")
    app[WEBHOOK_SECRET] = secret
    app[WEBHOOK_REFUSALS] = Refusals()
    app[WEBHOOK_INTAKE] = intake
    app.router.add_post(path, receive_update)
