"""The Telegram webhook as a route on Kyodo's own aiohttp server.

Telegram POSTs one update per request with the secret given to setWebhook in the
`X-Telegram-Bot-Api-Secret-Token` header. The update is committed to the inbox before the
answer: 200 means "stored"; a 500 makes Telegram deliver it again later.

    app = web.Application()
    setup_webhook(app, "/telegram/webhook", settings.webhook_secret, intake)
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bot.runtime.inbox import InboxIntake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret

WEBHOOK_INTAKE = web.AppKey("webhook_intake", InboxIntake)
WEBHOOK_SECRET = web.AppKey("webhook_secret", str)


async def receive_update(request: web.Request) -> web.Response:
    expected = request.app[WEBHOOK_SECRET]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("webhook request with a missing or wrong secret token refused")
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
    if not secret:
        raise ValueError("a webhook needs a secret token")
    app[WEBHOOK_SECRET] = secret
    app[WEBHOOK_INTAKE] = intake
    app.router.add_post(path, receive_update)
