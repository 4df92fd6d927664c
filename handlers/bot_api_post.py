"""One Bot API request over aiohttp and how its failures read, for every door that posts to
Telegram itself (the raw transport's JSON calls, the uploads of files from LINE).

Kept in one place because the reading decides whether a message may be sent again: a connect
timeout never reached Telegram (send again), a read timeout may have (never resend)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.ports.telegram import AmbiguousTimeout, TransientError


async def post(
    session: aiohttp.ClientSession, url: str, method: str, **request: Any
) -> tuple[Any, int]:
    """POSTs to `url + method` (`request`: aiohttp's json=, data=, timeout=). The decoded JSON
    answer (None when it is not JSON) and the HTTP status; a failure on the way as the gateway's
    errors, never with the URL's text (it holds the bot's token)."""
    try:
        async with session.post(url + method, **request) as response:
            status = response.status
            body = await response.read()
    except aiohttp.ConnectionTimeoutError:
        raise TransientError(f"{method}: connect timeout") from None
    except (aiohttp.SocketTimeoutError, TimeoutError):
        raise AmbiguousTimeout(f"{method}: no answer in time") from None
    except aiohttp.ClientError as exc:
        # The exception's text may contain the URL, and so the token: keep only its type.
        raise TransientError(f"{method}: {type(exc).__name__}") from None
    try:
        return json.loads(body), status
    except ValueError:
        return None, status
